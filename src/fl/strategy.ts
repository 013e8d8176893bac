/**
 * The strategy contract (after Flower): the server asks a strategy which clients train this round and
 * how (`configure`), and turns what comes back into the next global model (`aggregate`). Under secure
 * aggregation the server never sees single updates, so `aggregate` receives only a sum — the FedAvg
 * numerator Σ w_i·Δ_i, the denominator Σ w_i and the number of contributors — which is also all a
 * plain FedAvg needs. Wrappers (DP, see dp.ts) compose around any strategy.
 */
import { expectedGot } from '../core/errors.js';
import { deriveSeed, makeRng } from '../ml/rng.js';

export type FitInstruction = {
  clientId: string;
  round: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** 'examples': weight the update by local example count; 'uniform': every update counts once (needed for DP). */
  weighting: 'examples' | 'uniform';
  /** Clip the update to this L2 norm before sending (DP). */
  clipNorm?: number;
  /** Std of Gaussian noise each client adds to its clipped update (distributed DP). */
  noiseStd?: number;
};

export type AggregateInput = {
  round: number;
  /** Σ weight_i · Δ_i over the contributing clients. */
  sum: Float64Array;
  totalWeight: number;
  count: number;
};

export interface Strategy {
  readonly name: string;
  configure(round: number, available: readonly string[]): FitInstruction[];
  aggregate(global: Float64Array, input: AggregateInput): Float64Array;
}

export type FedAvgOptions = {
  /** Clients per round; all available when omitted. */
  clientsPerRound?: number;
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  /** Server step on the averaged update (1 = plain FedAvg). */
  serverLearningRate?: number;
  /** Server momentum on the averaged update (FedAvgM, Hsu et al. 2019); 0 = plain FedAvg. */
  serverMomentum?: number;
  weighting?: 'examples' | 'uniform';
  seed?: number;
};

function positive(field: string, value: number, integer = false): number {
  if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
    throw expectedGot('fl.strategy.invalid', field, integer ? 'a positive integer' : 'a positive number', value);
  }
  return value;
}

function momentum(value: number): number {
  if (!(value >= 0 && value < 1)) throw expectedGot('fl.strategy.invalid', 'serverMomentum', 'a number in [0, 1)', value);
  return value;
}

export class FedAvg implements Strategy {
  readonly name = 'fedavg';
  private velocity: Float64Array | undefined;
  private committed: Float64Array | undefined;
  private velocityRound = -1;
  readonly options: Required<Omit<FedAvgOptions, 'clientsPerRound'>> & { clientsPerRound?: number };

  constructor(options: FedAvgOptions = {}) {
    this.options = {
      clientsPerRound: options.clientsPerRound === undefined ? undefined : positive('clientsPerRound', options.clientsPerRound, true),
      epochs: positive('epochs', options.epochs ?? 1, true),
      learningRate: positive('learningRate', options.learningRate ?? 0.5),
      batchSize: positive('batchSize', options.batchSize ?? 16, true),
      serverLearningRate: positive('serverLearningRate', options.serverLearningRate ?? 1),
      serverMomentum: momentum(options.serverMomentum ?? 0),
      weighting: options.weighting ?? 'examples',
      seed: options.seed ?? 1,
    };
  }

  configure(round: number, available: readonly string[]): FitInstruction[] {
    const k = Math.min(available.length, this.options.clientsPerRound ?? available.length);
    const chosen = k === available.length ? [...available] : makeRng(deriveSeed(this.options.seed, `round-${round}`)).shuffle([...available]).slice(0, k);
    const { epochs, learningRate, batchSize, weighting } = this.options;
    return chosen.map((clientId) => ({ clientId, round, epochs, learningRate, batchSize, weighting }));
  }

  aggregate(global: Float64Array, input: AggregateInput): Float64Array {
    if (input.sum.length !== global.length) throw expectedGot('fl.update.shape', 'aggregate length', String(global.length), input.sum.length);
    const next = Float64Array.from(global);
    if (input.count === 0 || input.totalWeight <= 0) return next;
    const step = this.options.serverLearningRate / input.totalWeight;
    const beta = this.options.serverMomentum;
    // With momentum, velocity is committed only when a round's aggregate is final: re-aggregating the
    // same round (leave-one-out) reuses the velocity from before it.
    if (beta > 0 && (!this.velocity || this.velocityRound !== input.round)) {
      this.committed = this.velocity ? Float64Array.from(this.velocity) : new Float64Array(next.length);
      this.velocityRound = input.round;
    }
    const prev = this.committed;
    const v = new Float64Array(next.length);
    for (let i = 0; i < next.length; i++) {
      v[i] = (prev ? beta * prev[i]! : 0) + step * input.sum[i]!;
      next[i] = next[i]! + v[i]!;
    }
    if (beta > 0) this.velocity = v;
    return next;
  }
}

/** What a client sends for an instruction: its update clipped, noised and weighted as instructed. */
export function prepareUpdate(instruction: FitInstruction, delta: Float64Array, examples: number, gaussian: () => number): { vector: Float64Array; weight: number } {
  const vector = Float64Array.from(delta);
  if (instruction.clipNorm !== undefined) clipToNorm(vector, instruction.clipNorm);
  if (instruction.noiseStd) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! + instruction.noiseStd * gaussian();
  const weight = instruction.weighting === 'examples' ? examples : 1;
  if (weight !== 1) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! * weight;
  return { vector, weight };
}

export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** Scales v in place so ‖v‖₂ ≤ bound; returns the original norm. */
export function clipToNorm(v: Float64Array, bound: number): number {
  const norm = l2Norm(v);
  if (norm > bound) for (let i = 0; i < v.length; i++) v[i] = (v[i]! * bound) / norm;
  return norm;
}
