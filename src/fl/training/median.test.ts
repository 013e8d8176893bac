import { describe, expect, it } from 'vitest';
import { median } from './median.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, numerically (not as strings)', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 9, 1, 2])).toBe(5.5);
    expect(median(Float64Array.of(-1, 100, 20))).toBe(20);
    expect(median([7])).toBe(7);
  });
});
