import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, majority, median } from './resolvers.js';

describe('resolvers', () => {
  it('majority: strict winner, ties and empty void, out-of-range votes ignored', () => {
    const cat = { outcomes: 3, buckets: null };
    expect(majority([0, 1, 1], cat)).toBe(1);
    expect(majority([0, 1], cat)).toBeNull();
    expect(majority([], cat)).toBeNull();
    expect(majority([2, 2, 7, 7, 7], cat)).toBe(2);
  });

  it('median: bucket of the median; an even count split across buckets voids', () => {
    const scalar = { outcomes: 3, buckets: [10, 100] };
    expect(bucketOf(9, [10, 100])).toBe(0);
    expect(bucketOf(10, [10, 100])).toBe(1);
    expect(bucketOf(100, [10, 100])).toBe(2);
    expect(median([1, 50, 60, 1000], scalar)).toBe(1);
    expect(median([1, 5, 50, 60], scalar)).toBeNull();
  });

  it('an honest majority in one bucket fixes the median bucket whatever the minority reveals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 10, max: 99 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 11 }),
        (honest, liars) => {
          fc.pre(liars.length < honest.length);
          expect(median([...honest, ...liars], { outcomes: 3, buckets: [10, 100] })).toBe(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
