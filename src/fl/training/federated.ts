/**
 * In-process federated training: the server loop that drives a Strategy over simulated data
 * controllers, optionally through secure aggregation (one SecAgg session per payment group), with
 * scripted dropouts and misbehaving clients, and records per-round contribution observations for
 * payments (src/fl/payments/payments.ts). Messages between parties are the real ones (SecAgg rounds, binary
 * updates); only the transport is a function call.
 */
import { sha256Bytes } from '../../core/encoding.js';
import { HindsightError } from '../../core/errors.js';
import type { CsrMatrix } from '../../ml/features/sparse.js';
import { deriveSeed, makeRng } from '../../ml/rng.js';
import { evaluateParams, localUpdate } from './local-train.js';
import { type ContributionObservation, estimateWithErrors } from '../payments/payments.js';
import { dequantize, quantize, quantizerFor } from './quantize.js';
import { seededRandomBytes } from '../../crypto/random-bytes.js';
import { neighbourCount } from '../secagg/common.js';
import { OversizeDetector } from './oversize.js';
import { robustCombine } from './robust-combine.js';
import { runSecAggSession } from '../secagg/session.js';
import { type AggregateInput, type Strategy, prepareUpdate } from './strategy.js';

export type Behaviour = 'honest' | 'noise' | 'poison';
export type FlClient = { id: string; X: CsrMatrix; y: Int32Array; behaviour: Behaviour };

export type SecureAggregationSettings = {
  /** Shares needed, as a fraction of a client's neighbours. */
  thresholdFraction: number;
  /** SecAgg+ neighbours per client (all when omitted). */
  neighbors?: number;
  /** Per-coordinate bound for ring quantization (≥ clip norm + a few noise std). */
  coordinateBound: number;
};

export type FederatedOptions = {
  strategy: Strategy;
  clients: readonly FlClient[];
  rounds: number;
  /** Parameter count (features + bias). */
  dim: number;
  initial?: Float64Array;
  validation: { X: CsrMatrix; y: Int32Array };
  secureAggregation?: SecureAggregationSettings;
  /** Random groups per round; each is aggregated separately so its marginal value can be measured. */
  paymentGroups?: number;
  /**
   * Leave out of the round's update every part (client, or group under SecAgg) whose inclusion makes
   * the operator's validation log-loss worse by more than this (robust aggregation). Off when omitted.
   */
  excludeHarmful?: number;
  /**
   * Stop selecting a client once its contribution is significantly negative: estimate + z·stderr < 0
   * over the observations so far (src/fl/payments/payments.ts). Off when omitted.
   */
  banZ?: number;
  /**
   * Under secure aggregation, combine the group sums coordinate-wise robustly (robust-combine.ts):
   * a coordinate where some group is more than this many robust std from the others keeps only
   * the groups that agree. Off when omitted.
   */
  robustZ?: number;
  /**
   * Under secure aggregation, stop selecting a controller whose updates are found to exceed the clip
   * bound from the group sums (oversize.ts) with a robust z-score above this. Off when omitted.
   */
  oversizeZ?: number;
  /** Fraction of each round's participants that drop after sharing keys (before sending the update). */
  dropoutRate?: number;
  seed: number;
};

export type RoundReport = {
  round: number;
  participants: number;
  included: number;
  dropped: string[];
  cheaters: string[];
  /** Clients whose part was left out as harmful. */
  excluded: string[];
  /** Coordinates the robust combination held back (robustZ). */
  flagged: number;
  /** Controllers found so far to send updates beyond the clip bound (oversizeZ); they are banned. */
  oversized: string[];
  /** Clients no longer selected (significantly harmful so far). */
  banned: string[];
  /**
   * Groups whose sum was not released: fewer survivors than the DP noise was calibrated for, or a
   * secure-aggregation session that could not reconstruct a survivor's masks (too many of its
   * neighbours dropped).
   */
  aborted: number;
  validationAccuracy: number;
  validationLogLoss: number;
  bytesPerClient: number;
};

export type FederatedResult = {
  model: Float64Array;
  rounds: RoundReport[];
  observations: ContributionObservation[];
  dropouts: number;
  /** Final oversize z-scores (oversizeZ), before any controller's estimate is removed. */
  oversizeScores?: Map<string, number>;
};

type Prepared = { id: string; vector: Float64Array; weight: number; minSurvivors: number };

function misbehave(client: FlClient, honest: () => Float64Array, dim: number, rng: ReturnType<typeof makeRng>): Float64Array {
  if (client.behaviour === 'noise') return Float64Array.from({ length: dim }, () => rng.normal());
  if (client.behaviour === 'poison') {
    // Model-replacement style: the opposite of an honest step, scaled up (clipping will cap its norm).
    const h = honest();
    return h.map((v) => -10 * v);
  }
  return honest();
}

export function runFederated(options: FederatedOptions): FederatedResult {
  const { strategy, clients, dim, validation, seed } = options;
  const byId = new Map(clients.map((c) => [c.id, c]));
  let global: Float64Array = options.initial ? Float64Array.from(options.initial) : new Float64Array(dim);
  const reports: RoundReport[] = [];
  const observations: ContributionObservation[] = [];
  let dropouts = 0;
  const banned = new Set<string>();
  const oversize = options.oversizeZ !== undefined && options.secureAggregation ? new OversizeDetector(dim) : undefined;
  const oversized = new Set<string>();
  const score = (params: Float64Array) => evaluateParams(params, validation.X, validation.y);
  for (let round = 1; round <= options.rounds; round++) {
    const rng = makeRng(deriveSeed(seed, `round-${round}`));
    const instructions = strategy.configure(round, clients.filter((c) => !banned.has(c.id)).map((c) => c.id));
    const prepared: Prepared[] = instructions.map((ins) => {
      const client = byId.get(ins.clientId)!;
      const local = () =>
        localUpdate(global, client.X, client.y, { epochs: ins.epochs, learningRate: ins.learningRate, batchSize: ins.batchSize }, makeRng(deriveSeed(seed, `${round}/${client.id}`)));
      const delta = misbehave(client, local, dim, rng);
      // A malicious client ignores the clipping and noise it was told to apply (nobody can check it under SecAgg).
      const honestPrep = client.behaviour === 'honest' ? ins : { ...ins, clipNorm: undefined, noiseStd: undefined };
      const { vector, weight } = prepareUpdate(honestPrep, delta, client.y.length, rng.normal);
      return { id: client.id, vector, weight, minSurvivors: ins.minSurvivors ?? 1 };
    });
    const nDrop = Math.floor((options.dropoutRate ?? 0) * prepared.length);
    const dropSet = new Set(rng.shuffle(prepared.map((p) => p.id)).slice(0, nDrop));
    const groupsCount = Math.max(1, Math.min(options.paymentGroups ?? 1, Math.floor(prepared.length / 3)));
    const order = rng.shuffle([...prepared]);
    const groups: Prepared[][] = Array.from({ length: groupsCount }, (_, g) => order.filter((_, k) => k % groupsCount === g));
    const parts: { members: string[]; sum: Float64Array; weight: number; count: number }[] = [];
    const cheaters: string[] = [];
    let bytes = 0;
    let aborted = 0;
    groups.forEach((group, g) => {
      const survivors = group.filter((p) => !dropSet.has(p.id));
      // Distributed DP: each client's noise assumes a sum of at least minSurvivors updates; with fewer,
      // the server aborts the session after the masked-input stage (it knows who sent one) instead of
      // unmasking a sum with too little noise. The simulation knows the dropouts up front and skips it.
      if (survivors.length < Math.max(1, ...group.map((p) => p.minSurvivors))) {
        aborted++;
        return;
      }
      if (options.secureAggregation) {
        const sa = options.secureAggregation;
        const ids = group.map((_, k) => k + 1);
        const session = sha256Bytes(new TextEncoder().encode(`fl/${seed}/${round}/${g}`));
        const degree = neighbourCount({ session, clientIds: ids, threshold: 1, vectorLength: dim, neighbors: sa.neighbors });
        const config = {
          session,
          clientIds: ids,
          // More than half the neighbours: a server that tells different clients different survivor
          // sets then cannot collect both a client's self-mask shares and its pair-seed shares.
          threshold: Math.min(degree, Math.max(Math.floor(degree / 2) + 1, Math.ceil(sa.thresholdFraction * degree))),
          vectorLength: dim,
          neighbors: sa.neighbors,
        };
        const maxWeight = Math.max(...group.map((p) => p.weight));
        const q = quantizerFor(sa.coordinateBound * maxWeight, group.length);
        const inputs = new Map(group.map((p, k) => [k + 1, quantize(p.vector, q, rng)]));
        const afterShares = group.flatMap((p, k) => (dropSet.has(p.id) ? [k + 1] : []));
        let result: ReturnType<typeof runSecAggSession>;
        try {
          result = runSecAggSession(config, inputs, seededRandomBytes(`${seed}/${round}/${g}`), { afterShares });
        } catch (error) {
          // SecAgg+ fails when some survivor lost more than degree − threshold of its neighbours
          // (probability ≈ 6·10⁻⁵ per client at k = 16 with 10 % dropouts): the session aborts,
          // as a deployed server would, and the group's sum is simply not released this round.
          if (!(error instanceof HindsightError && error.code === 'fl.secagg.tooFew')) throw error;
          aborted++;
          return;
        }
        bytes += result.bytesPerClient * group.length;
        cheaters.push(...result.cheaters.map((k) => group[k - 1]!.id));
        parts.push({ members: result.included.map((k) => group[k - 1]!.id), sum: dequantize(result.sum, q), weight: survivors.reduce((s, p) => s + p.weight, 0), count: survivors.length });
      } else {
        const sum = new Float64Array(dim);
        for (const p of survivors) for (let i = 0; i < dim; i++) sum[i] = sum[i]! + p.vector[i]!;
        bytes += group.length * (17 + 2 * dim); // int16 update encoding (src/events/update-codec.ts)
        parts.push({ members: survivors.map((p) => p.id), sum, weight: survivors.reduce((s, p) => s + p.weight, 0), count: survivors.length });
      }
    });
    dropouts += dropSet.size;
    if (oversize) {
      oversize.observe(parts);
      for (const id of oversize.oversized(options.oversizeZ!)) {
        oversized.add(id);
        banned.add(id);
      }
    }
    const total: AggregateInput = { round, sum: new Float64Array(dim), totalWeight: 0, count: 0 };
    for (const part of parts) {
      for (let i = 0; i < dim; i++) total.sum[i] = total.sum[i]! + part.sum[i]!;
      total.totalWeight += part.weight;
      total.count += part.count;
    }
    let nextScore = score(strategy.aggregate(global, total));
    // Set when exclusions or the robust combination change the total: the committed model is then scored again.
    let adjusted = false;
    // Marginal value of each part: validation log-loss without it minus with it (needs ≥ 2 parts).
    // Without secure aggregation a part is one client (leave-one-out); with it, a random group.
    const units = options.secureAggregation ? parts : survivorsAsParts(groups, dropSet);
    const excluded: string[] = [];
    if (units.length >= 2) {
      const values = units.map((unit) => {
        const without = minus(total, unit);
        return score(strategy.aggregate(global, without)).logLoss - nextScore.logLoss;
      });
      units.forEach((unit, k) => observations.push({ round, members: unit.members, value: values[k]! }));
      if (options.excludeHarmful !== undefined) {
        units.forEach((unit, k) => {
          if (values[k]! < -options.excludeHarmful!) {
            excluded.push(...unit.members);
            const reduced = minus(total, unit);
            total.sum = reduced.sum;
            total.totalWeight = reduced.totalWeight;
            total.count = reduced.count;
          }
        });
        if (excluded.length > 0) adjusted = true;
      }
    }
    let flagged = 0;
    if (options.robustZ !== undefined && options.secureAggregation) {
      const out = new Set(excluded);
      const kept = parts.filter((part) => !out.has(part.members[0]!));
      if (kept.length >= 2) {
        const combined = robustCombine(kept.map((part) => part.sum), options.robustZ);
        total.sum = combined.sum;
        flagged = combined.flagged;
        adjusted = true;
      }
    }
    global = strategy.aggregate(global, total); // the committing call (stateful strategies, e.g. momentum)
    if (adjusted) nextScore = score(global);
    if (options.banZ !== undefined && observations.length > 0) {
      for (const [id, e] of estimateWithErrors(observations, clients.map((c) => c.id))) {
        if (e.estimate + options.banZ * e.stderr < 0) banned.add(id);
      }
    }
    reports.push({
      round,
      participants: prepared.length,
      included: total.count,
      dropped: [...dropSet],
      cheaters,
      excluded,
      flagged,
      oversized: [...oversized],
      banned: [...banned],
      aborted,
      validationAccuracy: nextScore.accuracy,
      validationLogLoss: nextScore.logLoss,
      bytesPerClient: bytes / Math.max(1, prepared.length),
    });
  }
  return { model: global, rounds: reports, observations, dropouts, ...(oversize ? { oversizeScores: oversize.scores() } : {}) };
}

function minus(total: AggregateInput, part: { sum: Float64Array; weight: number; count: number }): AggregateInput {
  return { round: total.round, sum: total.sum.map((v, i) => v - part.sum[i]!), totalWeight: total.totalWeight - part.weight, count: total.count - part.count };
}

function survivorsAsParts(groups: Prepared[][], dropSet: Set<string>) {
  return groups.flat().filter((p) => !dropSet.has(p.id)).map((p) => ({ members: [p.id], sum: p.vector, weight: p.weight, count: 1 }));
}
