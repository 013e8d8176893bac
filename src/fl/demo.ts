/**
 * `hindsight fl demo`: a spam filter trained by federated learning over SpamAssassin split across
 * non-IID data controllers, with client-level DP (distributed Gaussian noise under secure
 * aggregation), dropouts, one poisoner, and payments from group-level marginal value. The baseline
 * is centralized logistic regression (src/ml trainLogReg) on the union of the controllers' data.
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
import { DpStrategy } from './dp.js';
import { type FlClient, runFederated } from './federated.js';
import { evaluateParams } from './local-train.js';
import { dirichletSplit } from './partition.js';
import { allocatePayments, contributionLowerBounds } from './payments.js';
import { noiseMultiplierFor } from './rdp.js';
import { FedAvg } from './strategy.js';

export type DemoOptions = {
  clients?: number;
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
  rounds: number;
  roundAccuracy: number[];
  contributions: Record<string, number>;
  cheaters: string[];
  excluded: string[][];
  banned: string[];
};

export const DEMO_DEFAULTS = { clients: 200, rounds: 20, seed: 1, dataFraction: 1, targetEpsilon: 9, delta: 1e-5, buckets: 1 << 12, paymentGroups: 3, localEpochs: 4, learningRate: 4, neighbors: 16, serverLearningRate: 5, excludeHarmful: 0.01 };

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

  const dropoutRate = 0.1;
  const paymentGroups = o.paymentGroups;
  const groupSize = Math.floor(o.clients / paymentGroups);
  const minContributors = groupSize - Math.ceil(dropoutRate * groupSize) - 1;
  const clipNorm = 1;
  const sigma = noiseMultiplierFor({ epsilon: o.targetEpsilon, delta: o.delta, q: 1, steps: o.rounds });
  const strategy = new DpStrategy(
    new FedAvg({ epochs: o.localEpochs, learningRate: o.learningRate, batchSize: 8, serverLearningRate: o.serverLearningRate, serverMomentum: 0.5, weighting: 'uniform', seed: o.seed }),
    { clipNorm, noiseMultiplier: sigma, mode: 'distributed', population: o.clients, minContributors: Math.max(1, minContributors) },
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
    dropoutRate,
    seed: o.seed,
  });
  const contributions = contributionLowerBounds(result.observations, dids);
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
      rounds: o.rounds,
      roundAccuracy: result.rounds.map((r) => r.validationAccuracy),
      contributions: Object.fromEntries(contributions),
      cheaters: result.rounds.flatMap((r) => r.cheaters),
      excluded: result.rounds.map((r) => r.excluded),
      banned: result.rounds.at(-1)?.banned ?? [],
    },
  };
}
