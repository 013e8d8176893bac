/**
 * The strategy contract (after Flower): the server asks a strategy which clients train this round and
 * how (`configure`), and turns what comes back into the next global model (`aggregate`). Under secure
 * aggregation the server never sees single updates, so `aggregate` receives only a sum — the FedAvg
 * numerator Σ w_i·Δ_i, the denominator Σ w_i and the number of contributors — which is also all a
 * plain FedAvg needs. Wrappers (DP, see src/fl/privacy/dp.ts) compose around any strategy. Two server optimizers:
 * FedAvg (optionally with server momentum, FedAvgM) and FedAdam (Reddi et al. 2021); both are
 * post-processing of the aggregate, so they cost no privacy.
 */
import { expectedGot } from '../../core/errors.js';
import { deriveSeed, makeRng } from '../../ml/rng.js';

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
  /**
   * Per-layer clipping: the last coordinate (the bias) is clipped to ±biasClip and the weights to
   * √(clipNorm² − biasClip²), so the whole update still has norm ≤ clipNorm.
   */
  biasClip?: number;
  /** Std of Gaussian noise each client adds to its clipped update (distributed DP). */
  noiseStd?: number;
  /** Distributed DP: a sum of fewer surviving updates than this carries too little noise and must not be released. */
  minSurvivors?: number;
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
  /** Set when clients are Poisson-sampled at this rate (what the DP accountant needs as q). */
  readonly samplingRate?: number;
  configure(round: number, available: readonly string[]): FitInstruction[];
  aggregate(global: Float64Array, input: AggregateInput): Float64Array;
}

export type FedAvgOptions = {
  /** Clients per round, a uniformly random subset of this size; all available when omitted. */
  clientsPerRound?: number;
  /**
   * Poisson sampling instead: every available client takes part in a round independently with this
   * probability — the sampling the RDP accountant's sampled Gaussian mechanism assumes.
   */
  samplingRate?: number;
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

function unitInterval(field: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw expectedGot('fl.strategy.invalid', field, 'a number in [0, 1)', value);
  return value;
}

function rate(value: number | undefined): number | undefined {
  if (value !== undefined && !(value > 0 && value <= 1)) throw expectedGot('fl.strategy.invalid', 'samplingRate', 'a number in (0, 1]', value);
  return value;
}

export class FedAvg implements Strategy {
  readonly name: string = 'fedavg';
  private velocity: Float64Array | undefined;
  private committed: Float64Array | undefined;
  private velocityRound = -1;
  readonly options: Required<Omit<FedAvgOptions, 'clientsPerRound' | 'samplingRate'>> & { clientsPerRound?: number; samplingRate?: number };

  constructor(options: FedAvgOptions = {}) {
    this.options = {
      clientsPerRound: options.clientsPerRound === undefined ? undefined : positive('clientsPerRound', options.clientsPerRound, true),
      samplingRate: rate(options.samplingRate),
      epochs: positive('epochs', options.epochs ?? 1, true),
      learningRate: positive('learningRate', options.learningRate ?? 0.5),
      batchSize: positive('batchSize', options.batchSize ?? 16, true),
      serverLearningRate: positive('serverLearningRate', options.serverLearningRate ?? 1),
      serverMomentum: unitInterval('serverMomentum', options.serverMomentum ?? 0),
      weighting: options.weighting ?? 'examples',
      seed: options.seed ?? 1,
    };
  }

  /** Poisson sampling rate, when clients are sampled that way (the DP accountant's q). */
  get samplingRate(): number | undefined {
    return this.options.samplingRate;
  }

  configure(round: number, available: readonly string[]): FitInstruction[] {
    const rng = makeRng(deriveSeed(this.options.seed, `round-${round}`));
    const q = this.options.samplingRate;
    const k = Math.min(available.length, this.options.clientsPerRound ?? available.length);
    const chosen = q !== undefined ? available.filter(() => rng.next() < q) : k === available.length ? [...available] : rng.shuffle([...available]).slice(0, k);
    const { epochs, learningRate, batchSize, weighting } = this.options;
    return chosen.map((clientId) => ({ clientId, round, epochs, learningRate, batchSize, weighting }));
  }

  aggregate(global: Float64Array, input: AggregateInput): Float64Array {
    if (input.sum.length !== global.length) throw expectedGot('fl.update.shape', 'aggregate length', String(global.length), input.sum.length);
    const next = Float64Array.from(global);
    const beta = this.options.serverMomentum;
    // With momentum, velocity is committed only when a round's aggregate is final: re-aggregating the
    // same round (leave-one-out) reuses the velocity from before it.
    if (beta > 0 && (!this.velocity || this.velocityRound !== input.round)) {
      this.committed = this.velocity ? Float64Array.from(this.velocity) : new Float64Array(next.length);
      this.velocityRound = input.round;
    }
    if (input.count === 0 || input.totalWeight <= 0) {
      if (beta > 0) this.velocity = this.committed; // an empty round leaves the velocity as it was
      return next;
    }
    const step = this.options.serverLearningRate / input.totalWeight;
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

export type FedAdamOptions = Omit<FedAvgOptions, 'serverMomentum'> & {
  /** First-moment decay (server momentum). */
  beta1?: number;
  /** Second-moment decay. */
  beta2?: number;
  /** Adaptivity floor τ in the denominator √v + τ. */
  tau?: number;
};

/**
 * FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization", Alg. 2): the mean update Δ is the
 * pseudo-gradient of a server Adam step — m ← β1·m + (1−β1)·Δ, v ← β2·v + (1−β2)·Δ², w ← w + η·m/(√v + τ)
 * (no bias correction, as in the paper); η is `serverLearningRate`. Per-coordinate steps make rare
 * hashed n-grams learn as fast as common ones (plain FedAvg steps are ruled by the frequent features),
 * and bound how far one round can move any weight, whatever the size of the sum.
 */
export class FedAdam extends FedAvg {
  override readonly name = 'fedadam';
  readonly adam: { beta1: number; beta2: number; tau: number };
  private moments: { m: Float64Array; v: Float64Array } | undefined;
  private committedMoments: { m: Float64Array; v: Float64Array } | undefined;
  private momentsRound = -1;

  constructor(options: FedAdamOptions = {}) {
    super({ ...options, serverLearningRate: options.serverLearningRate ?? 0.1 });
    this.adam = {
      beta1: unitInterval('beta1', options.beta1 ?? 0.9),
      beta2: unitInterval('beta2', options.beta2 ?? 0.99),
      tau: positive('tau', options.tau ?? 1e-3),
    };
  }

  override aggregate(global: Float64Array, input: AggregateInput): Float64Array {
    if (input.sum.length !== global.length) throw expectedGot('fl.update.shape', 'aggregate length', String(global.length), input.sum.length);
    // As with momentum: the moments of a round are committed only once the next round starts, so
    // re-aggregating a round (leave-one-out, exclusions) starts from the same state.
    if (!this.moments || this.momentsRound !== input.round) {
      this.committedMoments = this.moments ?? { m: new Float64Array(global.length), v: new Float64Array(global.length) };
      this.momentsRound = input.round;
    }
    const next = Float64Array.from(global);
    if (input.count === 0 || input.totalWeight <= 0) {
      this.moments = this.committedMoments; // an empty round leaves the moments as they were
      return next;
    }
    const { beta1, beta2, tau } = this.adam;
    const lr = this.options.serverLearningRate;
    const prev = this.committedMoments!;
    const m = new Float64Array(next.length);
    const v = new Float64Array(next.length);
    for (let i = 0; i < next.length; i++) {
      const d = input.sum[i]! / input.totalWeight;
      m[i] = beta1 * prev.m[i]! + (1 - beta1) * d;
      v[i] = beta2 * prev.v[i]! + (1 - beta2) * d * d;
      next[i] = next[i]! + (lr * m[i]!) / (Math.sqrt(v[i]!) + tau);
    }
    this.moments = { m, v };
    return next;
  }
}

/** What a client sends for an instruction: its update clipped, noised and weighted as instructed. */
export function prepareUpdate(instruction: FitInstruction, delta: Float64Array, examples: number, gaussian: () => number): { vector: Float64Array; weight: number } {
  const vector = Float64Array.from(delta);
  if (instruction.clipNorm !== undefined) {
    const b = instruction.biasClip;
    if (b === undefined) clipToNorm(vector, instruction.clipNorm);
    else {
      const last = vector.length - 1;
      vector[last] = Math.max(-b, Math.min(b, vector[last]!));
      clipToNorm(vector.subarray(0, last), Math.sqrt(Math.max(0, instruction.clipNorm ** 2 - b * b)));
    }
  }
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
