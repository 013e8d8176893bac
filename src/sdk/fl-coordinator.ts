/**
 * The operator's side of a federated task over a node: it posts `fl.task` (the budget goes into
 * escrow), publishes the initial model and recipe as a blob, and every round runs the SecAgg server
 * of each group over the relay — closing each stage with `fl.stage` once every expected controller
 * has sent it or the stage's deadline passed — unmasks the group sums (all it ever sees), steps the
 * global model, scores each group's marginal value on its own validation set, publishes the model
 * and posts `fl.aggregate`. At the end it pays the escrow out by the contribution rule
 * (src/fl/payments) with one final `fl.pay`, whose rest returns to the operator.
 */
import type { CsrMatrix } from '../ml/features/sparse.js';
import type { Signer } from '../events/keys.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';
import { HindsightError, expectedGot } from '../core/errors.js';
import { SecAggServer } from '../fl/secagg/server.js';
import { dequantize, quantizerFor } from '../fl/training/quantize.js';
import { evaluateParams } from '../fl/training/local-train.js';
import { FedAvg, type AggregateInput, type Strategy } from '../fl/training/strategy.js';
import { allocatePayments, contributionLowerBounds, type ContributionObservation } from '../fl/payments/payments.js';
import { MIN_KEY_SENDERS, encodeModelBlob, groupsOf, keysFrom, maskedFrom, sessionConfig, sharesFrom, smallestGroup, smallestReleasableSum, unmaskFrom, type TaskRecipe } from '../fl/net/protocol.js';
import { FlNode, type RelayMessage } from './fl-node.js';

export type CoordinatorOptions = {
  node: string;
  signer: Signer;
  task: string;
  recipe: TaskRecipe;
  rounds: number;
  /** Escrowed and paid out at the end, in micro-units. */
  budget: bigint;
  /** Controllers to wait for before round 1. */
  controllers: number;
  initial?: Float64Array;
  /** The operator's own labelled validation set: it values each group's sum on it (payments). */
  validation: { X: CsrMatrix; y: Int32Array };
  /** Server optimizer (default FedAvg with server learning rate 1). */
  strategy?: Strategy;
  /** Noise multiplier σ and δ, recorded in fl.task (the accounting itself is the caller's). */
  noiseMultiplier: number;
  delta: number;
  /** How long a stage waits for its last expected message (after that, who sent counts). */
  stageTimeoutMs?: number;
  joinTimeoutMs?: number;
  log?: (line: string) => void;
};

export type CoordinatorRound = { round: number; included: string[]; dropped: string[]; groups: number; aborted: number; validationAccuracy: number; validationLogLoss: number; ms: number };

export type CoordinatorResult = {
  model: Float64Array;
  rounds: CoordinatorRound[];
  payments: { did: string; amount: bigint }[];
  paid: bigint;
  modelBlob: string;
};

type Part = { members: string[]; sum: Float64Array; weight: number; count: number };

/** Runs one receive step of the SecAgg server; a message it refuses (wrong shape, replay) just does not count. */
function accepted(step: () => void): boolean {
  try {
    step();
    return true;
  } catch (error) {
    if (error instanceof HindsightError && error.code.startsWith('fl.')) return false;
    throw error;
  }
}

/**
 * A group whose session falls below its threshold (too few key senders for the recipe's
 * minSurvivors, too few masked inputs) is not released: undefined, and the round goes on without it.
 */
function released<T>(step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (error instanceof HindsightError && error.code === 'fl.secagg.tooFew') return undefined;
    throw error;
  }
}

const micro = (x: number) => Math.max(1, Math.round(x * 1_000_000));

export async function runCoordinator(o: CoordinatorOptions): Promise<CoordinatorResult> {
  const node = new FlNode(o.node, o.signer);
  try {
    return await coordinate(o, node);
  } finally {
    node.close();
  }
}

async function coordinate(o: CoordinatorOptions, node: FlNode): Promise<CoordinatorResult> {
  const stageTimeout = o.stageTimeoutMs ?? 5_000;
  const log = o.log ?? (() => {});
  const strategy = o.strategy ?? new FedAvg({ serverLearningRate: 1, weighting: 'uniform' });
  let global: Float64Array = o.initial ? Float64Array.from(o.initial) : new Float64Array(o.recipe.dim);
  // The fewest survivors any group's released sum can have: the figure the task's ε rests on.
  const smallest = smallestGroup(o.controllers, o.recipe.groups);
  const releasable = smallestReleasableSum(o.recipe, smallest);
  if (releasable === undefined) throw expectedGot('fl.secagg.tooFew', 'recipe.minSurvivors', `at most the smallest group (${smallest} controllers)`, o.recipe.minSurvivors);
  const initialBlob = await node.putBlob(encodeModelBlob({ recipe: o.recipe, round: 0, weights: global }));
  await node.submit('fl.task', {
    task: o.task,
    architecture: `fl logreg ${o.recipe.featurizer.kind} dim ${o.recipe.dim}`,
    initialModel: pseudoModelHash(initialBlob),
    model: initialBlob,
    parameters: o.recipe.dim,
    rounds: o.rounds,
    clientsPerRound: o.controllers,
    clipNorm: micro(o.recipe.clipNorm),
    noiseMultiplier: Math.round(o.noiseMultiplier * 1_000_000),
    delta: o.delta.toFixed(12).replace(/0+$/, ''),
    budget: o.budget.toString(),
    secureAggregation: { threshold: releasable, groups: o.recipe.groups, ...(o.recipe.neighbors === undefined ? {} : { neighbors: o.recipe.neighbors }) },
  });
  const cohort = await node.waitUntil(o.task, { for: 'joined', count: o.controllers }, o.joinTimeoutMs ?? 120_000);
  if (!cohort.ready) throw expectedGot('fl.controller.timeout', 'controllers joining', `${o.controllers} within ${o.joinTimeoutMs ?? 120_000} ms`, cohort.joined);
  const joined = (await node.task(o.task))!.controllers.filter((c) => c.slot <= o.controllers);
  const didOf = new Map(joined.map((c) => [c.slot, c.did]));
  log(`${joined.length} controllers joined ${o.task}`);
  const score = (params: Float64Array) => evaluateParams(params, o.validation.X, o.validation.y);
  const observations: ContributionObservation[] = [];
  const reports: CoordinatorRound[] = [];
  let modelBlob = initialBlob;

  /** Waits until every expected slot sent the stage, or until the deadline; returns what arrived. */
  const collect = async (round: number, group: number, stage: string, expected: readonly number[]): Promise<RelayMessage[]> => {
    const want = new Set(expected);
    const deadline = Date.now() + stageTimeout;
    let count = want.size;
    for (;;) {
      const reply = await node.waitUntil(o.task, { for: 'messages', round, group, stage, count }, Math.max(0, deadline - Date.now()));
      const got = reply.messages.filter((m) => want.has(m.slot));
      if (got.length >= want.size || Date.now() >= deadline) return got.sort((a, b) => a.slot - b.slot);
      count = reply.messages.length + 1; // some came from slots not expected here: wait for one more
    }
  };
  const close = (round: number, group: number, stage: string, slots: number[]) => node.submit('fl.stage', { task: o.task, round, group, stage, slots: [...slots].sort((a, b) => a - b) });

  /** One group's SecAgg session over the relay; undefined when the group's sum cannot be released. */
  const runGroup = async (round: number, group: number, assigned: number[]): Promise<Part | undefined> => {
    const keyMsgs = await collect(round, group, 'keys', assigned);
    const members = keyMsgs.map((m) => m.slot);
    await close(round, group, 'keys', members);
    if (members.length < MIN_KEY_SENDERS) return undefined; // a sum of so few is too revealing to unmask
    const config = released(() => sessionConfig(o.task, round, group, members, o.recipe));
    if (!config) return undefined;
    const q = quantizerFor(o.recipe.coordinateBound, members.length);
    const server = new SecAggServer(config);
    for (const m of keyMsgs) server.receiveKeys(keysFrom(m.body));
    if (!released(() => server.closeKeys())) return undefined;
    const sharers: number[] = [];
    for (const m of await collect(round, group, 'shares', members)) {
      if (accepted(() => server.receiveShares(sharesFrom(m.slot, m.body)))) sharers.push(m.slot);
    }
    server.closeShares();
    await close(round, group, 'shares', sharers);
    for (const m of await collect(round, group, 'masked', sharers)) accepted(() => server.receiveMasked(maskedFrom(m.slot, m.body, round, o.recipe.dim)));
    const survivors = released(() => server.closeMasked());
    if (!survivors) return undefined;
    await close(round, group, 'masked', survivors);
    for (const m of await collect(round, group, 'unmask', survivors)) accepted(() => server.receiveUnmask(unmaskFrom(m.slot, m.body)));
    const result = released(() => server.finalize());
    if (!result) return undefined;
    return { members: result.included.map((s) => didOf.get(s)!), sum: dequantize(result.sum, q), weight: result.included.length, count: result.included.length };
  };

  for (let round = 1; round <= o.rounds; round++) {
    const t0 = performance.now();
    const groupOf = groupsOf(o.task, round, joined.length, o.recipe.groups);
    const groups = new Map<number, number[]>();
    for (const [slot, g] of groupOf) groups.set(g, [...(groups.get(g) ?? []), slot]);
    const results = await Promise.all([...groups].map(([g, assigned]) => runGroup(round, g, assigned)));
    const parts = results.filter((p): p is Part => p !== undefined);
    const total: AggregateInput = { round, sum: new Float64Array(o.recipe.dim), totalWeight: 0, count: 0 };
    for (const part of parts) {
      for (let i = 0; i < total.sum.length; i++) total.sum[i] = total.sum[i]! + part.sum[i]!;
      total.totalWeight += part.weight;
      total.count += part.count;
    }
    const withAll = score(strategy.aggregate(global, total)).logLoss;
    if (parts.length >= 2) {
      // A group's marginal value: the validation loss without its sum minus with it.
      for (const part of parts) {
        const without = { round, sum: total.sum.map((v, i) => v - part.sum[i]!), totalWeight: total.totalWeight - part.weight, count: total.count - part.count };
        observations.push({ round, members: part.members, value: score(strategy.aggregate(global, without)).logLoss - withAll });
      }
    }
    global = strategy.aggregate(global, total);
    modelBlob = await node.putBlob(encodeModelBlob({ recipe: o.recipe, round, weights: global }));
    const included = parts.flatMap((p) => p.members);
    const inSet = new Set(included);
    const dropped = joined.map((c) => c.did).filter((d) => !inSet.has(d));
    await node.submit('fl.aggregate', { task: o.task, round, modelHash: pseudoModelHash(modelBlob), model: modelBlob, included, dropped });
    const s = score(global);
    reports.push({ round, included, dropped, groups: groups.size, aborted: groups.size - parts.length, validationAccuracy: s.accuracy, validationLogLoss: s.logLoss, ms: performance.now() - t0 });
    log(`round ${round}: ${included.length} included, ${dropped.length} dropped, validation accuracy ${(100 * s.accuracy).toFixed(2)} %`);
  }

  const dids = joined.map((c) => c.did);
  const contributions = observations.length > 0 ? contributionLowerBounds(observations, dids) : new Map(dids.map((d) => [d, 0]));
  const allocated = allocatePayments(o.budget, contributions).filter((p) => p.amount > 0n);
  await node.submit('fl.pay', { task: o.task, payments: allocated.map((p) => ({ to: p.id, amount: p.amount.toString() })), final: true });
  const paid = allocated.reduce((s, p) => s + p.amount, 0n);
  log(`paid ${paid} of ${o.budget} micro-units to ${allocated.length} controllers`);
  return { model: global, rounds: reports, payments: allocated.map((p) => ({ did: p.id, amount: p.amount })), paid, modelBlob };
}
