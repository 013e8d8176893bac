import { describe, expect, it } from 'vitest';
import { blend, blendWeights, leaderOf } from './served.js';
import { ranks, spearman } from './stats.js';

describe('served prediction', () => {
  it('full-Kelly weights are likelihood ratios: exp(ΔP&L / b)', () => {
    const w = blendWeights([{ name: 'a', pnl: 10 }, { name: 'b', pnl: 0 }], 10);
    expect(w.get('a')! / w.get('b')!).toBeCloseTo(Math.E, 9);
    const tempered = blendWeights([{ name: 'a', pnl: 10 }, { name: 'b', pnl: 0 }], 10, 0.1);
    expect(tempered.get('a')! / tempered.get('b')!).toBeCloseTo(Math.exp(0.1), 9);
    const flat = blendWeights([{ name: 'a', pnl: 1e6 }, { name: 'b', pnl: -1e6 }], 1, 0);
    expect(flat.get('a')).toBeCloseTo(0.5, 12);
  });

  it('stays finite for huge P&L gaps and sums to one', () => {
    const w = blendWeights([{ name: 'a', pnl: 1e9 }, { name: 'b', pnl: 0 }, { name: 'c', pnl: -1e9 }], 1);
    expect([...w.values()].reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(w.get('a')).toBe(1);
  });

  it('blends only the lines that have a belief, renormalizing their weights', () => {
    const weights = new Map([['a', 0.5], ['b', 0.25], ['c', 0.25]]);
    const mixed = blend(new Map([['a', [0.9, 0.1]], ['b', [0.3, 0.7]]]), weights)!;
    expect(mixed[0]).toBeCloseTo((0.5 * 0.9 + 0.25 * 0.3) / 0.75, 12);
    expect(mixed[0]! + mixed[1]!).toBeCloseTo(1, 12);
    expect(blend(new Map(), weights)).toBeNull();
  });

  it('the leader is the highest P&L (ties by name)', () => {
    expect(leaderOf([{ name: 'b', pnl: 3 }, { name: 'a', pnl: 3 }, { name: 'c', pnl: 1 }])).toBe('a');
    expect(leaderOf([])).toBeNull();
  });
});

describe('Spearman', () => {
  it('is 1 for any increasing relation, −1 for decreasing, and averages tied ranks', () => {
    expect(spearman([1, 2, 3, 4], [10, 200, 3000, 40000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(ranks([5, 1, 5, 3])).toEqual([3.5, 1, 3.5, 2]);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});
