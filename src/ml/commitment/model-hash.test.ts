import { describe, expect, it } from 'vitest';
import { randomLogReg, randomMlp } from '../../../test/support/test-models.js';
import { FIELD_R } from '../../statement/field.js';
import { modelHeader, poseidonModelHash, weightWords } from './model-hash.js';
import { chainChunks, chainHash } from './poseidon.js';

describe('model hash', () => {
  it('changes with any single weight, with the architecture header, and is a field element', async () => {
    const a = randomLogReg(20, 3, false, { seed: 4 });
    const h = await poseidonModelHash(a);
    expect(h < FIELD_R).toBe(true);
    const b = structuredClone(a);
    if ('W' in b.weights) b.weights.W[2][19] += b.weights.W[2][19] < 100 ? 1 : -1;
    expect(await poseidonModelHash(b)).not.toBe(h);
    const c = { ...a, scaleBits: a.scaleBits + 1 };
    expect(weightWords(c)).toEqual(weightWords(a));
    expect(modelHeader(c)).not.toBe(modelHeader(a));
    expect(await poseidonModelHash(c)).not.toBe(h);
    const m = randomMlp(5, 3, 2, { seed: 1 });
    expect(await poseidonModelHash(m)).toBe(await poseidonModelHash(structuredClone(m)));
  });
});

describe('Poseidon chain', () => {
  it('is circomlib Poseidon: chainHash(1, [2]) = Poseidon(1, 2), the published test vector', async () => {
    expect(await chainHash(1n, [2n])).toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an);
    expect(chainChunks(31)).toEqual([15, 15, 1]);
    expect(await chainHash(5n, [])).toBe(5n);
  });
});
