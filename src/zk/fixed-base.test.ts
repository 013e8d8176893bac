import { afterAll, describe, expect, it } from 'vitest';
import { FixedBaseTable } from './fixed-base.js';
import { buildBn128, type Curve } from 'ffjavascript';

let curve: Curve | undefined;
afterAll(async () => curve?.terminate());

describe('FixedBaseTable', () => {
  it('matches timesScalar on G1 and G2 for edge and random scalars', async () => {
    curve = await buildBn128(true);
    const scalars = [0n, 1n, 2n, 255n, 256n, curve.r - 1n, 123456789012345678901234567890n, (1n << 253n) + 77n];
    for (const group of ['G1', 'G2'] as const) {
      const table = FixedBaseTable.build(curve, group);
      const out = table.multiply(scalars);
      const sA = curve[group].F.n8 * 2;
      scalars.forEach((s, i) => {
        const expected = curve[group].toAffine(curve[group].timesScalar(curve[group].g, s));
        expect(curve[group].eq(out.slice(i * sA, (i + 1) * sA), expected)).toBe(true);
      });
    }
  });
});
