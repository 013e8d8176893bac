import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomBytes } from '../../crypto/random-bytes.js';
import { hashedNgramSpec } from '../../ml/features/featurizer.js';
import { sessionConfig, sessionThreshold, smallestReleasableSum, MIN_KEY_SENDERS, type TaskRecipe } from '../net/protocol.js';
import { SecAggServer } from '../secagg/server.js';
import { runSecAggSession } from '../secagg/session.js';
import { memberNoiseStd, sumNoiseMultiplier } from './distributed-noise.js';

const recipe = (rule: Pick<TaskRecipe, 'thresholdFraction' | 'minSurvivors' | 'neighbors'>): TaskRecipe => ({
  family: 'logreg',
  featurizer: hashedNgramSpec({ buckets: 4 }),
  dim: 3,
  epochs: 1,
  learningRate: 1,
  batchSize: 1,
  clipNorm: 1,
  biasClip: 0.1,
  noiseStd: 0,
  coordinateBound: 1,
  groups: 1,
  ...rule,
});
const slots = (m: number) => Array.from({ length: m }, (_, k) => k + 1);

describe('distributed noise for released group sums', () => {
  it('gives a released sum of m members the multiplier s·√m / S', () => {
    expect(sumNoiseMultiplier({ noiseStd: 0.5, sensitivity: 2, summands: 16 })).toBe(1);
    expect(memberNoiseStd({ noiseMultiplier: 1, sensitivity: 2, minSummands: 16 })).toBe(0.5);
  });

  it('is calibrated for the smallest sum, so two groups of ten carry more noise than one cohort of twenty would', () => {
    // The old rule, s = σS/√(all members), gives each half-cohort sum only σ/√2.
    const old = (0.5 * 1) / Math.sqrt(20);
    expect(sumNoiseMultiplier({ noiseStd: old, sensitivity: 1, summands: 10 })).toBeCloseTo(0.5 / Math.SQRT2, 12);
    const s = memberNoiseStd({ noiseMultiplier: 0.5, sensitivity: 1, minSummands: 10 });
    expect(sumNoiseMultiplier({ noiseStd: s, sensitivity: 1, summands: 10 })).toBeGreaterThanOrEqual(0.5);
  });

  it('rejects what is not a noise level', () => {
    expect(() => memberNoiseStd({ noiseMultiplier: 0, sensitivity: 1, minSummands: 3 })).toThrow(/noiseMultiplier: expected a positive finite number, got 0/);
    expect(() => memberNoiseStd({ noiseMultiplier: 1, sensitivity: 1, minSummands: 2.5 })).toThrow(/summands: expected a positive integer/);
    expect(() => sumNoiseMultiplier({ noiseStd: -1, sensitivity: 1, summands: 3 })).toThrow(/noiseStd: expected a finite number ≥ 0/);
  });

  it('the smallest releasable sum of the protocol: two without a floor, the floor with one', () => {
    // Three key senders make a full-graph session of degree 2 and threshold 2, whatever the fraction.
    expect(smallestReleasableSum({ thresholdFraction: 1 }, 20)).toBe(2);
    expect(smallestReleasableSum({ thresholdFraction: 0.5, minSurvivors: 18 }, 20)).toBe(18);
    expect(smallestReleasableSum({ thresholdFraction: 0.5, minSurvivors: 20 }, 20)).toBeUndefined();
    expect(sessionThreshold(20, { thresholdFraction: 0.5, minSurvivors: 18 })).toBe(18);
    expect(sessionThreshold(18, { thresholdFraction: 0.5, minSurvivors: 18 })).toBeUndefined();
    expect(() => sessionConfig('t', 1, 0, slots(18), recipe({ thresholdFraction: 0.5, minSurvivors: 18 }))).toThrow(/members with keys: expected more than minSurvivors = 18, got 18/);
  });

  it('every sum the protocol can release carries multiplier ≥ σ (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          thresholdFraction: fc.double({ min: 0, max: 1, noNaN: true }),
          neighbors: fc.option(fc.integer({ min: 2, max: 24 }), { nil: undefined }),
          minSurvivors: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        }),
        fc.integer({ min: MIN_KEY_SENDERS, max: 60 }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (rule, groupSize, sigma, sensitivity) => {
          const r = recipe(rule);
          const floor = smallestReleasableSum(r, groupSize);
          const std = floor === undefined ? undefined : memberNoiseStd({ noiseMultiplier: sigma, sensitivity, minSummands: floor });
          // Every session the operator can run for this group: any number of key senders from three up.
          for (let m = MIN_KEY_SENDERS; m <= groupSize; m++) {
            let config;
            try {
              config = sessionConfig('task', 1, 0, slots(m), r);
            } catch (error) {
              expect((error as { code?: string }).code).toBe('fl.secagg.tooFew');
              continue;
            }
            new SecAggServer(config); // a session the protocol accepts
            // The server unmasks at least `threshold` masked inputs and a client unmasks for no fewer survivors.
            expect(floor).toBeDefined();
            expect(config.threshold).toBeGreaterThanOrEqual(floor!);
            for (let survivors = config.threshold; survivors <= m; survivors++) {
              expect(sumNoiseMultiplier({ noiseStd: std!, sensitivity, summands: survivors })).toBeGreaterThanOrEqual(sigma);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a session below the floor is not unmasked: the server refuses to close the masked inputs', () => {
    const config = sessionConfig('task', 1, 0, slots(6), recipe({ thresholdFraction: 0.5, minSurvivors: 4 }));
    expect(config.threshold).toBe(4);
    const inputs = new Map(slots(6).map((id) => [id, Uint32Array.from([id, 1, 2])]));
    const random = seededRandomBytes('distributed-noise-test');
    expect(runSecAggSession(config, inputs, random, { afterShares: [6] }).included).toEqual([1, 2, 3, 4, 5]);
    expect(() => runSecAggSession(config, inputs, random, { afterShares: [4, 5, 6] })).toThrow(/masked inputs: expected at least threshold = 4, got 3/);
  });
});
