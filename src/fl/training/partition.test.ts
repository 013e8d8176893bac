import { describe, expect, it } from 'vitest';
import { makeRng } from '../../ml/rng.js';
import { dirichletSplit, gamma } from './partition.js';

describe('non-IID partition', () => {
  it('covers every item exactly once and gives every client at least the minimum', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const shards = dirichletSplit(labels, 25, 0.5, makeRng(1));
    expect(shards).toHaveLength(25);
    const all = shards.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const s of shards) expect(s.length).toBeGreaterThanOrEqual(2);
  });

  it('small alpha skews label mixes far more than large alpha', () => {
    const labels = Int32Array.from({ length: 4000 }, (_, i) => i % 2);
    const spread = (alpha: number) => {
      const shards = dirichletSplit(labels, 20, alpha, makeRng(2));
      const ratios = shards.map((s) => s.filter((i) => labels[i] === 1).length / s.length);
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      return Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / ratios.length);
    };
    expect(spread(0.3)).toBeGreaterThan(3 * spread(100));
  });

  it('gamma sampler has the right mean', () => {
    const rng = makeRng(3);
    for (const shape of [0.5, 2]) {
      let s = 0;
      for (let i = 0; i < 20000; i++) s += gamma(shape, rng);
      expect(s / 20000).toBeCloseTo(shape, 1);
    }
  });

  it('rejects impossible requests', () => {
    expect(() => dirichletSplit([0, 1], 5, 1, makeRng(1))).toThrow(/items: expected at least 10, got 2/);
    expect(() => dirichletSplit([0, 1], 1, 0, makeRng(1))).toThrow(/alpha/);
  });
});
