import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRng } from '../../ml/rng.js';
import { robustCombine } from './robust-combine.js';

/** Group sums of a split cohort: a common signal, plus independent N(0, 1) noise per group. */
function noisyGroups(groups: number, dim: number, seed: number): Float64Array[] {
  const rng = makeRng(seed);
  const signal = Float64Array.from({ length: dim }, (_, i) => (i % 10 === 0 ? 0.5 : 0));
  return Array.from({ length: groups }, () => Float64Array.from(signal, (v) => v + rng.normal()));
}

const plainSum = (sums: Float64Array[]) => sums.reduce((acc, s) => acc.map((v, i) => v + s[i]!), new Float64Array(sums[0]!.length));

describe('robust combination of group sums', () => {
  it('leaves honest rounds (nearly) untouched: the plain sum except on the rare coordinates beyond z', () => {
    const sums = noisyGroups(2, 20_000, 1);
    const { sum, flagged, scale } = robustCombine(sums, 4);
    // The deviation from the median of two is half their difference: std 1/√2.
    expect(scale).toBeGreaterThan(0.65);
    expect(scale).toBeLessThan(0.77);
    expect(flagged).toBeLessThan(10); // P(|N(0,1)| > 4) × 20,000 ≈ 1.3
    const plain = plainSum(sums);
    let differing = 0;
    for (let i = 0; i < plain.length; i++) if (sum[i] !== plain[i]) differing++;
    expect(differing).toBe(flagged);
  });

  it('with two groups, holds back the coordinates one outsized contribution pushed', () => {
    const sums = noisyGroups(2, 4_000, 2);
    const spiked = [7, 100, 2_000];
    for (const i of spiked) sums[0]![i] = sums[0]![i]! - 30; // an unclipped update in group 0
    const { sum, flagged } = robustCombine(sums, 4);
    for (const i of spiked) expect(sum[i]).toBe(0);
    expect(flagged).toBeGreaterThanOrEqual(spiked.length);
    expect(flagged).toBeLessThan(spiked.length + 5);
  });

  it('with three or more groups, keeps the agreeing groups and scales them up', () => {
    const sums = noisyGroups(4, 4_000, 3);
    sums[2]![42] = sums[2]![42]! + 50;
    const { sum } = robustCombine(sums, 4);
    const others = sums[0]![42]! + sums[1]![42]! + sums[3]![42]!;
    expect(sum[42]).toBeCloseTo((others * 4) / 3, 10);
  });

  it('bounds what one group can move a coordinate by, whatever it sends (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 999 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), (groups, at, push) => {
        const sums = noisyGroups(groups, 1_000, at + 7);
        const honest = robustCombine(sums, 4);
        sums[0]![at] = sums[0]![at]! + push;
        const attacked = robustCombine(sums, 4);
        // Either the push stays within z scales of the median (so it moved the total by a bounded
        // amount), or the coordinate drops group 0 altogether.
        const bound = groups * (4 * attacked.scale + Math.abs(honest.sum[at]!) + 10);
        expect(Math.abs(attacked.sum[at]! - honest.sum[at]!)).toBeLessThan(bound);
      }),
      { numRuns: 100 },
    );
  });

  it('passes a single group through, and rejects bad input with what it expected', () => {
    const one = noisyGroups(1, 10, 4);
    expect([...robustCombine(one, 3).sum]).toEqual([...one[0]!]);
    expect(() => robustCombine([], 3)).toThrow(/group sums: expected at least one, got 0/);
    expect(() => robustCombine(noisyGroups(2, 10, 5), 0)).toThrow(/z: expected a positive number, got 0/);
    expect(() => robustCombine([new Float64Array(3), new Float64Array(4)], 3)).toThrow(/group sum length: expected 3, got 4/);
  });
});
