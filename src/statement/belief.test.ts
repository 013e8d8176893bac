import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROB_SCALE } from '../market/index.js';
import { beliefFromScores } from './belief.js';

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('beliefFromScores', () => {
  it('vectors: equal scores split evenly; one binary logit is [1 − σ, σ]', () => {
    expect(beliefFromScores([0n], 6)).toEqual([PROB_SCALE / 2n, PROB_SCALE / 2n]);
    expect(beliefFromScores([7n, 7n, 7n, 7n], 4)).toEqual([250_000_000_000n, 250_000_000_000n, 250_000_000_000n, 250_000_000_000n]);
    // logit ln 3 at scale 2^(2·8): σ = 3/4
    const ln3 = BigInt(Math.round(Math.log(3) * 2 ** 16));
    const [p0, p1] = beliefFromScores([ln3], 8);
    expect(Number(p1) / 1e12).toBeCloseTo(0.75, 5);
    expect(p0! + p1!).toBe(PROB_SCALE);
  });

  it('sums to exactly PROB_SCALE, matches softmax, and a binary logit equals the scores [0, s] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.array(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), { minLength: 1, maxLength: 8 }), (F, raw) => {
        const scores = raw.map(BigInt);
        const belief = beliefFromScores(scores, F);
        expect(belief.length).toBe(scores.length === 1 ? 2 : scores.length);
        expect(belief.reduce((a, b) => a + b, 0n)).toBe(PROB_SCALE);
        belief.forEach((p) => expect(p >= 0n).toBe(true));
        const logits = (scores.length === 1 ? [0, raw[0]!] : raw).map((s) => s / 2 ** (2 * F));
        softmax(logits).forEach((p, k) => expect(Math.abs(Number(belief[k]) / 1e12 - p)).toBeLessThan(1e-9));
        if (scores.length === 1) expect(beliefFromScores([0n, scores[0]!], F)).toEqual(belief);
      }),
    );
  });
});
