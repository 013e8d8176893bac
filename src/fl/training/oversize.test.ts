import { describe, expect, it } from 'vitest';
import { makeRng } from '../../ml/rng.js';
import { OversizeDetector } from './oversize.js';

const DIM = 2_000;

/**
 * Rounds of a cohort split into two random groups, each released with N(0, 1) noise per coordinate
 * (σC = 1). Every controller has its own update direction; honest ones are clipped to norm 1, the
 * booster sends `boost` times norm 1, as a poisoner must to matter among many clipped updates.
 */
function simulate(options: { controllers: number; rounds: number; boost: number; seed: number }, onRound: (detector: OversizeDetector, round: number) => void) {
  const rng = makeRng(options.seed);
  const ids = Array.from({ length: options.controllers }, (_, k) => `c${k}`);
  const directions = ids.map(() => {
    const v = Float64Array.from({ length: DIM }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
  const detector = new OversizeDetector(DIM);
  for (let round = 1; round <= options.rounds; round++) {
    const order = rng.shuffle(ids.map((_, k) => k));
    const groups = [order.filter((_, i) => i % 2 === 0), order.filter((_, i) => i % 2 === 1)];
    detector.observe(
      groups.map((members) => {
        const sum = Float64Array.from({ length: DIM }, () => rng.normal());
        for (const k of members) {
          const scale = k === 0 ? options.boost : 1;
          for (let i = 0; i < DIM; i++) sum[i] = sum[i]! + scale * directions[k]![i]!;
        }
        return { members: members.map((k) => ids[k]!), sum };
      }),
    );
    onRound(detector, round);
  }
}

describe('finding oversized updates from group sums', () => {
  it('finds a controller boosting its update ×10 within a few rounds, and no one else', () => {
    let foundAt = 0;
    simulate({ controllers: 200, rounds: 20, boost: 10, seed: 1 }, (detector, round) => {
      const found = detector.oversized(6);
      if (found.length > 0 && foundAt === 0) foundAt = round;
      expect(found.filter((id) => id !== 'c0')).toEqual([]);
    });
    expect(foundAt).toBeGreaterThan(1);
    expect(foundAt).toBeLessThanOrEqual(10);
  });

  it('never flags controllers that respect the clip bound (several cohorts, 30 rounds each)', () => {
    for (const seed of [2, 3, 4]) {
      let highest = -Infinity;
      simulate({ controllers: 200, rounds: 30, boost: 1, seed }, (detector) => {
        expect(detector.oversized(6)).toEqual([]);
        highest = Math.max(highest, ...[...detector.scores().values()].filter((z) => !Number.isNaN(z)));
      });
      expect(highest).toBeLessThan(6);
    }
  });

  it('blames no one among controllers that were always in the same groups (they cannot be told apart)', () => {
    const rng = makeRng(9);
    const detector = new OversizeDetector(DIM);
    const twins = ['a', 'b'];
    const others = Array.from({ length: 60 }, (_, k) => `o${k}`);
    for (let round = 0; round < 15; round++) {
      const order = rng.shuffle([...others]);
      const groups = [[...twins, ...order.slice(0, 30)], order.slice(30)];
      detector.observe(
        groups.map((members, g) => {
          const sum = Float64Array.from({ length: DIM }, () => rng.normal());
          if (g === 0) for (let i = 0; i < 50; i++) sum[i] = sum[i]! + 5; // 'a' boosts; 'b' only shares its groups
          return { members, sum };
        }),
      );
    }
    expect(detector.scores().get('a')).toBeGreaterThan(6);
    expect(detector.scores().get('a')).toBe(detector.scores().get('b'));
    expect(detector.oversized(6)).toEqual([]);
  });

  it('scores nothing before there is a spread to compare with, and rejects bad input', () => {
    const detector = new OversizeDetector(3);
    detector.observe([{ members: ['a'], sum: new Float64Array(3) }]); // one part: no contrast
    expect(detector.scores().size).toBe(0);
    expect(() => detector.observe([{ members: ['a'], sum: new Float64Array(3) }, { members: ['b'], sum: new Float64Array(4) }])).toThrow(/group sum length: expected 3, got 4/);
    expect(() => detector.oversized(0)).toThrow(/z: expected a positive number, got 0/);
    expect(() => new OversizeDetector(0)).toThrow(/dim: expected a positive integer, got 0/);
  });
});
