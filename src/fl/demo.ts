/**
 * `hindsight fl demo`: a spam filter trained by federated learning over SpamAssassin split across
 * non-IID data controllers, with client-level DP (distributed Gaussian noise under secure
 * aggregation), dropouts, one poisoner, and payments from group-level marginal value. The baseline
 * is centralized logistic regression (src/ml trainLogReg) on the union of the controllers' data.
 *
 * Why these defaults (measured in docs/fl.md): under client-level DP the noise on a round's sum is
 * fixed (σ·C per released sum) while the signal grows with the number of contributors, so many small
 * controllers that all take part every round beat a few large ones. Participation is public (every
 * fl.update is a signed event, and the server knows each cohort), so sampling clients would not
 * amplify privacy (privacy/dp.ts): σ is calibrated for a controller that takes part in every round, and
 * with `samplingRate` < 1 the reported ε is that of the busiest controller (exact Gaussian curve,
 * privacy/gaussian-dp.ts). The server's robust combination of the group sums and its oversize detection
 * (training/federated.ts robustZ, oversizeZ) limit what the unclipped poisoner can do; FedAdam on the server
 * makes the rare hashed n-grams learn in 25 rounds. All three are post-processing: no privacy cost.
 */
import { sha256Bytes } from '../core/encoding.js';
import { UNIT } from '../core/money.js';
import { Ed25519Signer } from '../events/keys.js';
import { loadSpamAssassin } from '../ml/data/spam-assassin.js';
import { trainTestSplit } from '../ml/data/split.js';
import { hashedNgramSpec, makeFeaturizer } from '../ml/features/featurizer.js';
import { csrSelect } from '../ml/features/sparse.js';
import { trainLogReg } from '../ml/models/logreg.js';
import { predictProbaAll } from '../ml/models/model.js';
import { accuracy } from '../ml/metrics.js';
import { deriveSeed, makeRng } from '../ml/rng.js';
import { DpStrategy } from './privacy/dp.js';
import { type FlClient, runFederated } from './training/federated.js';
import { gaussianNoiseMultiplierFor } from './privacy/gaussian-dp.js';
import { evaluateParams } from './training/local-train.js';
import { dirichletSplit } from './training/partition.js';
import { allocatePayments, contributionLowerBounds } from './payments/payments.js';
import { FedAdam } from './training/strategy.js';

export type DemoOptions = {
  clients?: number;
  /** Poisson sampling rate: each controller takes part in a round with this probability. */
  samplingRate?: number;
  rounds?: number;
  seed?: number;
  /** Fraction of the corpus to use (tests use a small slice). */
  dataFraction?: number;
  targetEpsilon?: number;
  delta?: number;
  buckets?: number;
  paymentGroups?: number;
  localEpochs?: number;
  learningRate?: number;
  neighbors?: number;
  serverLearningRate?: number;
  excludeHarmful?: number;
  /** Per-layer clipping: the bias's share of the clipping norm (see FitInstruction.biasClip). */
  biasClip?: number;
  dropoutRate?: number;
  /** z of the lower bound on a group's survivors the noise is calibrated for (minHonestSurvivors). */
  survivorsZ?: number;
  /** FedAdam's adaptivity floor τ. */
  adamTau?: number;
  /** Robust combination of the group sums (training/federated.ts robustZ); 0 turns it off. */
  robustZ?: number;
  /** Ban controllers found to exceed the clip bound (training/federated.ts oversizeZ); 0 turns it off. */
  oversizeZ?: number;
};

export type DemoSummary = {
  accuracy: number;
  epsilon: number;
  delta: number;
  secureAggregation: boolean;
  clients: number;
  dropouts: number;
  payments: { did: string; amount: bigint }[];
  baselineAccuracy: number;
};

export type DemoDetails = {
  poisoner: string;
  noiseMultiplier: number;
  clipNorm: number;
  samplingRate: number;
  /** Honest survivors each released group sum is noised for (σC/√m per client). */
  minContributors: number;
  rounds: number;
  participants: number[];
  /** Group sums not released (fewer survivors than the noise was calibrated for). */
  aborted: number;
  roundAccuracy: number[];
  contributions: Record<string, number>;
  cheaters: string[];
  excluded: string[][];
  /** Per round, coordinates the robust combination held back. */
  flagged: number[];
  /** Controllers found sending updates beyond the clip bound (banned, paid nothing). */
  oversized: string[];
  /** The poisoner's final oversize z-score (NaN when detection is off). */
  poisonerOversizeScore: number;
  banned: string[];
};

export const DEMO_DEFAULTS = {
  clients: 1000,
  samplingRate: 1,
  rounds: 25,
  seed: 1,
  dataFraction: 1,
  targetEpsilon: 10,
  delta: 1e-5,
  buckets: 1 << 12,
  paymentGroups: 2,
  localEpochs: 4,
  learningRate: 4,
  neighbors: 16,
  serverLearningRate: 0.25,
  excludeHarmful: 0.01,
  biasClip: 0.1,
  dropoutRate: 0.1,
  survivorsZ: 3,
  adamTau: 1e-3,
  robustZ: 3,
  oversizeZ: 6,
};

/**
 * The fewest honest survivors a group sum may have, for the per-client noise σC/√m: a lower bound
 * (mean − z·sd) on the survivors of a group when the round's cohort is Binomial(n, q), split into
 * `groups` equal groups, a share `dropout` of it dropping, less one untrusted participant that may
 * skip its noise. Groups that fall short are not released (training/federated.ts), so the bound only trades
 * aborted groups (z small) against extra noise (z large).
 */
export function minHonestSurvivors(n: number, q: number, groups: number, dropout: number, z = 2): number {
  const perGroup = (n * q) / groups;
  const sd = Math.sqrt(((1 - dropout) / groups) ** 2 * n * q * (1 - q) + dropout * perGroup * (1 - 1 / groups));
  return Math.max(1, Math.floor((1 - dropout) * perGroup - z * sd) - 1);
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary & { details: DemoDetails }> {
  const o = { ...DEMO_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const dataset = loadSpamAssassin();
  const { train, test } = trainTestSplit(dataset, { seed: o.seed, testFraction: 0.2 });
  const featurizer = makeFeaturizer(hashedNgramSpec({ buckets: o.buckets }));
  const take = <T>(items: T[]) => items.slice(0, Math.max(1, Math.round(items.length * o.dataFraction)));
  const trainItems = take(train.items);
  const testItems = take(test.items);
  // The operator's validation set (for payments) is a slice of the training split no controller holds.
  const nValidation = Math.round(trainItems.length * 0.1);
  const Xall = featurizer.transformAll(trainItems);
  const yall = Int32Array.from(trainItems, (it) => it.label);
  const Xtest = featurizer.transformAll(testItems);
  const ytest = Int32Array.from(testItems, (it) => it.label);
  const validationIdx = Int32Array.from({ length: nValidation }, (_, i) => i);
  const pool = Array.from({ length: trainItems.length - nValidation }, (_, i) => i + nValidation);
  const shards = dirichletSplit(pool.map((i) => yall[i]!), o.clients, 0.5, makeRng(deriveSeed(o.seed, 'partition')));
  const dids = Array.from({ length: o.clients }, (_, k) => Ed25519Signer.fromSeed(sha256Bytes(new TextEncoder().encode(`fl-demo/${o.seed}/${k}`))).did);
  const poisonerIndex = makeRng(deriveSeed(o.seed, 'poisoner')).int(o.clients);
  const clients: FlClient[] = shards.map((shard, k) => {
    const idx = shard.map((s) => pool[s]!);
    return { id: dids[k]!, X: csrSelect(Xall, idx), y: Int32Array.from(idx, (i) => yall[i]!), behaviour: k === poisonerIndex ? 'poison' : 'honest' };
  });

  // Centralized baseline on exactly the controllers' data.
  const union = pool;
  const baseline = trainLogReg(csrSelect(Xall, union), Int32Array.from(union, (i) => yall[i]!), { seed: o.seed });
  const baselineAccuracy = accuracy(predictProbaAll(baseline, Xtest), ytest);

  const { dropoutRate, paymentGroups, samplingRate } = o;
  const minContributors = minHonestSurvivors(o.clients, samplingRate, paymentGroups, dropoutRate, o.survivorsZ);
  const clipNorm = 1;
  // Cohorts are public, so a controller's worst case is taking part in every round: `rounds`
  // unsampled Gaussian steps, whose exact privacy curve is known (privacy/gaussian-dp.ts).
  const sigma = gaussianNoiseMultiplierFor({ epsilon: o.targetEpsilon, delta: o.delta, steps: o.rounds });
  const strategy = new DpStrategy(
    new FedAdam({ epochs: o.localEpochs, learningRate: o.learningRate, batchSize: 8, serverLearningRate: o.serverLearningRate, tau: o.adamTau, weighting: 'uniform', samplingRate, seed: o.seed }),
    { clipNorm, noiseMultiplier: sigma, mode: 'distributed', minContributors, untrustedPerSum: 1, biasClip: o.biasClip * clipNorm },
    deriveSeed(o.seed, 'dp'),
  );
  const result = runFederated({
    strategy,
    clients,
    rounds: o.rounds,
    dim: featurizer.dim + 1,
    validation: { X: csrSelect(Xall, validationIdx), y: Int32Array.from(validationIdx, (i) => yall[i]!) },
    secureAggregation: { thresholdFraction: 0.5, neighbors: o.neighbors, coordinateBound: clipNorm + 8 * sigma * clipNorm },
    paymentGroups,
    excludeHarmful: o.excludeHarmful,
    banZ: 2,
    ...(o.robustZ > 0 ? { robustZ: o.robustZ } : {}),
    ...(o.oversizeZ > 0 ? { oversizeZ: o.oversizeZ } : {}),
    dropoutRate,
    seed: o.seed,
  });
  const contributions = contributionLowerBounds(result.observations, dids);
  // A controller found sending updates beyond the clip bound broke the task's rules: it forfeits pay.
  const oversized = result.rounds.at(-1)?.oversized ?? [];
  for (const id of oversized) contributions.set(id, 0);
  const payments = allocatePayments(1000n * UNIT, contributions);
  const { epsilon } = strategy.spent(o.delta);
  return {
    accuracy: evaluateParams(result.model, Xtest, ytest).accuracy,
    epsilon,
    delta: o.delta,
    secureAggregation: true,
    clients: o.clients,
    dropouts: result.dropouts,
    payments: payments.map((p) => ({ did: p.id, amount: p.amount })),
    baselineAccuracy,
    details: {
      poisoner: dids[poisonerIndex]!,
      noiseMultiplier: sigma,
      clipNorm,
      samplingRate,
      minContributors,
      rounds: o.rounds,
      participants: result.rounds.map((r) => r.participants),
      aborted: result.rounds.reduce((s, r) => s + r.aborted, 0),
      roundAccuracy: result.rounds.map((r) => r.validationAccuracy),
      contributions: Object.fromEntries(contributions),
      cheaters: result.rounds.flatMap((r) => r.cheaters),
      excluded: result.rounds.map((r) => r.excluded),
      flagged: result.rounds.map((r) => r.flagged),
      oversized,
      poisonerOversizeScore: result.oversizeScores?.get(dids[poisonerIndex]!) ?? Number.NaN,
      banned: result.rounds.at(-1)?.banned ?? [],
    },
  };
}
