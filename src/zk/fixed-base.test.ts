import { afterAll, describe, expect, it } from 'vitest';
import { FixedBaseTable } from './fixed-base.js';
import { buildBn128, type Curve } from 'ffjavascript';

let curve: Curve | undefined;
afterAll(async () => curve?.terminate());

describe('FixedBaseTable', () => {
  it('matches timesScalar on G1 and G2 for edge and random scalars', async () => {
    const c = await buildBn128(true);
    curve = c;
    const scalars = [0n, 1n, 2n, 255n, 256n, c.r - 1n, 123456789012345678901234567890n, (1n << 253n) + 77n];
    for (const [group, bits] of [['G1', 8], ['G2', 8], ['G1', 16]] as const) {
      const table = FixedBaseTable.build(c, group, bits);
      const out = table.multiply(scalars);
      const sA = c[group].F.n8 * 2;
      scalars.forEach((s, i) => {
        const expected = c[group].toAffine(c[group].timesScalar(c[group].g, s));
        expect(c[group].eq(out.slice(i * sA, (i + 1) * sA), expected)).toBe(true);
      });
    }
  });
});
