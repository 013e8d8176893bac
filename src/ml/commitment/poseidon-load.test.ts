import { afterAll, describe, expect, it } from 'vitest';
import { poseidon } from './poseidon.js';

describe('loading Poseidon after snarkjs built its curve', () => {
  const global = globalThis as { curve_bn128?: unknown };
  afterAll(() => {
    global.curve_bn128 = null;
  });

  it('leaves the BN254 engine snarkjs registered in place, so terminateCurve can still end its workers', async () => {
    const engine = { terminate: async () => {} };
    global.curve_bn128 = engine;
    await poseidon();
    expect(global.curve_bn128).toBe(engine);
  });
});
