/**
 * `hindsight demo --fl`: the spam demo where every member keeps a private mailbox shard. One
 * operator runs a federated task over a node: each member's controller is a separate
 * `hindsight fl controller` process that trains on its own shard, clips its update, adds its share
 * of the Gaussian noise (distributed DP) and sends it masked (secure aggregation through the node's
 * relay); the operator only ever sees group sums. The escrowed budget is paid to controllers in the
 * ledger. The federated model then trades in the usual demo market next to the centrally trained
 * lines, and the summary gains an `fl` block with the centrally trained model of the same family
 * (same featurizer, same public starting point and SGD, on the union of the shards, no noise) as
 * the yardstick.
 *
 * The node is started by the caller (`startNode`): src/sim sits beside src/node on the ladder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InternalError, ValidationError } from '../core/errors.js';
import { Ed25519Signer, saveKey } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import { trainTestSplit } from '../ml/data/split.js';
import { hashedNgramSpec, makeFeaturizer } from '../ml/features/featurizer.js';
import { csrFromRows } from '../ml/features/sparse.js';
import { deriveSeed, makeRng } from '../ml/rng.js';
import { applyPlatt, plattFit, type PlattScaling } from '../fl/training/calibrate.js';
import { evaluateParams, localUpdate } from '../fl/training/local-train.js';
import { gaussianEpsilon, gaussianNoiseMultiplierFor } from '../fl/privacy/gaussian-dp.js';
import { memberNoiseStd, sumNoiseMultiplier } from '../fl/privacy/distributed-noise.js';
import { groupCount, MIN_KEY_SENDERS, smallestGroup, smallestReleasableSum, type TaskRecipe } from '../fl/net/protocol.js';
import { FedAdam, FedAvg } from '../fl/training/strategy.js';
import { runCoordinator } from '../sdk/fl-coordinator.js';
import { FederatedStrategy } from '../sdk/operators/fl-strategy.js';
import { runDemo, type DemoOptions, type DemoResult } from './demo.js';
import { loadDemoDataset, planDemo } from './demo-data.js';

const run = promisify(execFile);

export type FlDemoOptions = {
  /** Member controllers, each a process with its own shard (default 20). */
  controllers?: number;
  /** Examples in each member's mailbox shard (default 40). */
  shard?: number;
  /**
   * SecAgg groups per round (default 2, 1 below 6 controllers): the contribution rule pays members
   * by their groups' values, and each released group sum pays for its own noise (docs/fl.md).
   */
  groups?: number;
  /** SGD epochs on the market's public bootstrap corpus that the task and its yardstick start from (default 6; 0: from zero). */
  publicEpochs?: number;
  /** Federated rounds (default 1: under a fixed ε each extra round costs noise; see docs/fl.md). */
  flRounds?: number;
  /** Local SGD epochs per round on each shard (default 6). */
  localEpochs?: number;
  /** Target ε for every controller over all rounds (default 10), at δ (default 1e-5). */
  epsilon?: number;
  delta?: number;
  /** L2 bound on each controller's weight update per round (default 1): the DP sensitivity. */
  clipNorm?: number;
  /** Escrowed budget paid to controllers, in units (default 100). */
  flBudget?: number;
  /** The operator's server optimizer on the round's mean update (default FedAvg), and its step η (FedAvg 10, FedAdam 0.3). */
  server?: 'fedavg' | 'fedadam';
  serverLearningRate?: number;
};

export type FlSummary = {
  controllers: number;
  rounds: number;
  epsilon: number;
  delta: number;
  /**
   * Accuracy on the held-out test split of the federated model as it trades (Platt-scaled on the
   * operator's validation slice), of the released model before that step, of the centrally
   * trained yardstick, and of the yardstick after the same Platt scaling.
   */
  accuracy: number;
  accuracyUncalibrated: number;
  centralAccuracy: number;
  centralCalibratedAccuracy: number;
  /** The public starting point alone (pre-trained on the market's bootstrap corpus), Platt-scaled the same way; null when training starts from zero. */
  publicAccuracy: number | null;
  publicEpochs: number;
  /**
   * SecAgg groups per round, the fewest survivors a group's sum is released with (the recipe's
   * floor), and the noise multiplier of such a sum: the σ that ε is computed from.
   */
  groups: number;
  minSurvivors: number;
  noiseMultiplier: number;
  /** The Platt scaling σ(scale·(w·x) + intercept) fitted on the operator's validation slice. */
  calibration: PlattScaling;
  paid: number;
  budget: number;
  /** The federated line in the market: P&L in units and log loss on the resolved items. */
  pnl: number | null;
  logLoss: number | null;
  secondsTraining: number;
  /** The server optimizer and its step; the central yardstick's epochs (the federated local epochs × rounds). */
  server: 'fedavg' | 'fedadam';
  serverLearningRate: number;
  centralEpochs: number;
  process: 'processes';
};

export type StartFlNode = (options: { dir: string; admin: string }) => Promise<{ url: string; close(): Promise<void> }>;

const FL_LINE = 'federated-logreg';
const BIN = fileURLToPath(new URL('../../bin/hindsight', import.meta.url));

function signerFor(seed: number, index: number): Ed25519Signer {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x666c6465); // "flde": keys of this demo never collide with the market's
  view.setUint32(4, seed >>> 0);
  view.setUint32(8, index);
  return Ed25519Signer.fromSeed(bytes);
}

function check(value: number, field: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new ValidationError('demo.badOption', `--${field}: expected an integer in ${min}..${max}, got ${value}`, { field });
}

type Example = { text: string; label: number };

/**
 * The market's public bootstrap corpus (as published), and, from the emails the market never
 * shows (neither bootstrap nor any round's items), the members' mailbox shards, the operator's
 * validation slice and the held-out test split. Disjoint from the market so that the federated
 * line has not trained on the items it trades, and the public start has not seen the test split.
 */
export function flData(options: DemoOptions, controllers: number, perController: number, seed: number) {
  const dataset = loadDemoDataset(options.dataset);
  if (dataset.kind !== 'text' || dataset.labels.length !== 2) throw new ValidationError('demo.badOption', `--dataset: demo --fl expected a text dataset with two labels, got ${dataset.kind} with ${dataset.labels.length}`, { field: 'dataset' });
  const market = planDemo(dataset, { rounds: options.rounds ?? 6, itemsPerRound: options.items ?? 150, seed, bootstrap: options.bootstrap ?? 1000 });
  const bootstrap: Example[] = market.bootstrap.map((e) => ({ text: (e.input as { text: string }).text, label: e.label }));
  const shown = new Set([...bootstrap.map((e) => e.text), ...market.rounds.flatMap((r) => r.items.map((it) => (it.input as { text: string }).text))]);
  const unseen = { ...dataset, items: dataset.items.filter((it) => !shown.has(it.text ?? '')) };
  const { train, test } = trainTestSplit(unseen, { seed: 7 + seed, testFraction: 0.2 });
  const items = train.items.map((it): Example => ({ text: it.text!, label: it.label }));
  const validation = items.slice(0, 200);
  const need = 200 + controllers * perController;
  if (need > items.length) throw new ValidationError('demo.badOption', `--fl-shard: expected at most ${Math.floor((items.length - 200) / controllers)} examples per controller, got ${perController}`, { field: 'flShard' });
  return {
    bootstrap,
    shards: Array.from({ length: controllers }, (_, k) => items.slice(200 + k * perController, 200 + (k + 1) * perController)),
    validation,
    test: test.items.map((it): Example => ({ text: it.text!, label: it.label })),
  };
}

/**
 * The recipe's survivor floor for groups of at least `smallest` members: 90 % of the group, and
 * at most all but two, so that a group is still unmasked when one controller misses the keys stage
 * or drops out after its shares. Fewer survivors than the floor and the group is not released.
 */
function survivorFloor(smallest: number): number {
  return Math.max(1, Math.min(smallest - 2, Math.ceil(0.9 * smallest)));
}

export async function runFlDemo(options: DemoOptions & { fl?: FlDemoOptions; startNode: StartFlNode }): Promise<DemoResult & { summary: DemoResult['summary'] & { fl: FlSummary } }> {
  const o = options.fl ?? {};
  const n = o.controllers ?? 20;
  const perShard = o.shard ?? 40;
  const flRounds = o.flRounds ?? 1;
  const localEpochs = o.localEpochs ?? 6;
  const delta = o.delta ?? 1e-5;
  const target = o.epsilon ?? 10;
  const budgetUnits = o.flBudget ?? 100;
  const seed = options.seed ?? 1;
  const groupsWanted = o.groups ?? (n >= 2 * MIN_KEY_SENDERS ? 2 : 1);
  const publicEpochs = o.publicEpochs ?? 6;
  check(n, 'fl-controllers', 3, 200);
  check(groupsWanted, 'fl-groups', 1, Math.floor(n / MIN_KEY_SENDERS));
  check(publicEpochs, 'fl-public-epochs', 0, 100);
  check(perShard, 'fl-shard', 5, 10_000);
  check(flRounds, 'fl-rounds', 1, 100);
  check(localEpochs, 'fl-epochs', 1, 100);
  check(budgetUnits, 'fl-budget', 1, 1_000_000);
  if (!(target > 0 && target <= 1e6)) throw new ValidationError('demo.badOption', `--fl-epsilon: expected a positive ε up to 1e6, got ${target}`, { field: 'flEpsilon' });
  if (!(delta > 0 && delta < 1)) throw new ValidationError('demo.badOption', `--fl-delta: expected δ in (0, 1), got ${delta}`, { field: 'flDelta' });
  const data = flData(options, n, perShard, seed);
  const task = `spam-${seed}`;

  const featurizer = hashedNgramSpec({ buckets: 1 << 10 });
  const fz = makeFeaturizer(featurizer);
  const clipNorm = o.clipNorm ?? 1;
  if (!(clipNorm > 0 && clipNorm <= 1000)) throw new ValidationError('demo.badOption', `--fl-clip: expected a positive bound up to 1000, got ${clipNorm}`, { field: 'flClip' });
  // Per-layer clipping keeps the whole update within C (weights to √(C² − b²), bias to b), so C is the sensitivity.
  const biasClip = 0.1 * clipNorm;
  const sensitivity = clipNorm;
  // Distributed DP: each controller adds N(0, s²), and the operator unmasks each group's sum on its
  // own, down to the recipe's floor of survivors. s is calibrated so that the smallest sum the
  // protocol can release is a Gaussian step of multiplier σ; every larger one carries more noise.
  const smallest = smallestGroup(n, groupsWanted);
  const base = { family: 'logreg' as const, featurizer, dim: fz.dim + 1, epochs: localEpochs, learningRate: 2, batchSize: 8, clipNorm, biasClip, coordinateBound: 3, groups: groupsWanted, thresholdFraction: 0.5, minSurvivors: survivorFloor(smallest) };
  const minSurvivors = smallestReleasableSum(base, smallest);
  if (minSurvivors === undefined) throw new InternalError('internal.invariant', `demo --fl: expected a releasable group of ${smallest} members`, { smallest });
  const sigma = gaussianNoiseMultiplierFor({ epsilon: target, delta, steps: flRounds });
  const noiseStd = memberNoiseStd({ noiseMultiplier: sigma, sensitivity, minSummands: minSurvivors });
  const noiseMultiplier = sumNoiseMultiplier({ noiseStd, sensitivity, summands: minSurvivors });
  const epsilon = gaussianEpsilon({ sigma: noiseMultiplier, steps: flRounds, delta });
  const recipe: TaskRecipe = { ...base, noiseStd };
  const server = o.server ?? 'fedavg';
  if (server !== 'fedavg' && server !== 'fedadam') throw new ValidationError('demo.badOption', `--fl-server: expected fedavg or fedadam, got ${String(server)}`, { field: 'flServer' });
  // FedAvg's step 10: each member's update is clipped to C, small beside the public start's weights,
  // and a longer step along the released mean gave the lowest validation log loss (docs/fl.md).
  const serverLearningRate = o.serverLearningRate ?? (server === 'fedadam' ? 0.3 : 10);
  if (!(serverLearningRate > 0 && serverLearningRate <= 100)) throw new ValidationError('demo.badOption', `--fl-server-lr: expected a positive step up to 100, got ${serverLearningRate}`, { field: 'flServerLr' });
  // DP is the controllers' clipping and noise (the recipe); the server optimizer only steps on the released sums.
  const serverStrategy = server === 'fedadam' ? new FedAdam({ serverLearningRate, tau: 0.1, weighting: 'uniform' }) : new FedAvg({ serverLearningRate, weighting: 'uniform' });
  const matrix = (rows: Example[]) => ({ X: csrFromRows(rows.map((e) => fz.transform({ text: e.text })), fz.dim), y: Int32Array.from(rows, (e) => e.label) });
  // The public start: the same SGD on the market's bootstrap corpus, which every operator already
  // has; from zero, the update localUpdate returns is the weights themselves.
  const publicCorpus = matrix(data.bootstrap);
  const initial = publicEpochs === 0 ? new Float64Array(recipe.dim) : localUpdate(new Float64Array(recipe.dim), publicCorpus.X, publicCorpus.y, { epochs: publicEpochs, learningRate: recipe.learningRate, batchSize: recipe.batchSize }, makeRng(deriveSeed(seed, 'demo-fl/public')));

  const work = mkdtempSync(join(tmpdir(), 'hindsight-demo-fl-'));
  const started = performance.now();
  let trained: Awaited<ReturnType<typeof runCoordinator>>;
  try {
    const admin = signerFor(seed, 0);
    const operator = signerFor(seed, 1);
    const members = Array.from({ length: n }, (_, k) => signerFor(seed, k + 2));
    const community = `demo-fl-${seed}`;
    const genesis = signEvent(admin, {
      type: 'community.create',
      community,
      payload: { name: community, config: { trading: 'continuous', admins: [admin.did], resolver: admin.did }, treasury: '0', mint: [operator, ...members].map((m) => ({ to: m.did, amount: (1_000_000_000_000n).toString() })) },
      prev: null,
      nonce: 1,
      time: 1_700_000_000_000,
    });
    const node = await options.startNode({ dir: join(work, 'node'), admin: admin.did });
    try {
      const res = await fetch(`${node.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(genesis) });
      if (res.status !== 202) throw new InternalError('internal.invariant', `demo --fl: expected the node to accept the community genesis (202), got ${res.status} ${await res.text()}`, { status: res.status });
      const children = members.map(async (m, k) => {
        const key = join(work, `c${k}.key`);
        saveKey(m, key);
        const file = join(work, `c${k}.jsonl`);
        writeFileSync(file, data.shards[k]!.map((e) => JSON.stringify(e)).join('\n'));
        const fromSource = import.meta.url.endsWith('.ts') ? { HINDSIGHT_FROM_SOURCE: '1' } : {};
        const { stdout } = await run('node', [BIN, 'fl', 'controller', '--node', node.url, '--key', key, '--task', task, '--data', file, '--timeout', '300000', '--json'], { cwd: work, env: { ...process.env, ...fromSource } });
        return stdout;
      });
      const coordinator = runCoordinator({ node: node.url, signer: operator, task, recipe, rounds: flRounds, budget: BigInt(budgetUnits) * 1_000_000n, controllers: n, initial, validation: matrix(data.validation), noiseMultiplier, delta, strategy: serverStrategy, stageTimeoutMs: 60_000, joinTimeoutMs: 240_000 });
      const settled = await Promise.allSettled([coordinator, ...children]);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      trained = await coordinator;
    } finally {
      await node.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const secondsTraining = (performance.now() - started) / 1000;

  const test = matrix(data.test);
  // The operator's own post-processing of the released model (no privacy cost): scale and intercept refitted on its validation slice.
  const validation = matrix(data.validation);
  const calibration = plattFit(trained.model, validation.X, validation.y);
  const model = applyPlatt(trained.model, calibration);
  const flAccuracy = evaluateParams(model, test.X, test.y).accuracy;
  // The yardstick: the same family, featurizer, public start and SGD on every shard pooled, without clipping or noise.
  const pooled = matrix(data.shards.flat());
  const central = localUpdate(initial, pooled.X, pooled.y, { epochs: recipe.epochs * flRounds, learningRate: recipe.learningRate, batchSize: recipe.batchSize }, makeRng(deriveSeed(seed, 'demo-fl/central')));
  for (let i = 0; i < central.length; i++) central[i] = central[i]! + initial[i]!;
  const centralAccuracy = evaluateParams(central, test.X, test.y).accuracy;
  const publicAccuracy = publicEpochs === 0 ? null : evaluateParams(applyPlatt(initial, plattFit(initial, validation.X, validation.y)), test.X, test.y).accuracy;
  const centralCalibrated = applyPlatt(central, plattFit(central, validation.X, validation.y));

  const strategy = new FederatedStrategy(FL_LINE, featurizer, model);
  const result = await runDemo({ ...options, extraStrategies: [strategy] });
  const line = result.summary.models.find((m) => m.name === FL_LINE);
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const fl: FlSummary = {
    controllers: n,
    rounds: flRounds,
    epsilon: r6(epsilon),
    delta,
    accuracy: r6(flAccuracy),
    accuracyUncalibrated: r6(evaluateParams(trained.model, test.X, test.y).accuracy),
    centralAccuracy: r6(centralAccuracy),
    centralCalibratedAccuracy: r6(evaluateParams(centralCalibrated, test.X, test.y).accuracy),
    publicAccuracy: publicAccuracy === null ? null : r6(publicAccuracy),
    publicEpochs,
    groups: groupCount(n, groupsWanted),
    minSurvivors,
    noiseMultiplier: r6(noiseMultiplier),
    calibration: { scale: r6(calibration.scale), intercept: r6(calibration.intercept) },
    paid: Number(trained.paid) / 1e6,
    budget: budgetUnits,
    pnl: line?.pnl ?? null,
    logLoss: line?.logLoss ?? null,
    secondsTraining: r6(secondsTraining),
    server,
    serverLearningRate,
    centralEpochs: recipe.epochs * flRounds,
    process: 'processes',
  };
  return { ...result, summary: { ...result.summary, fl } };
}
