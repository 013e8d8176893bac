/**
 * Differential privacy as a wrapper strategy (DP-FedAvg, McMahan et al. 2018): every client update is
 * clipped to L2 norm C and counted with weight 1, and Gaussian noise of std σ·C is added to the sum —
 * by the server (central) or split among the clients so that the sum of any `minContributors` of
 * them carries at least that much noise (distributed; with secure aggregation no one ever sees a
 * less-noisy value, and the server must not unmask a sum of fewer — `minSurvivors` in the
 * instructions). Each round is one step of the sampled Gaussian mechanism; q is the inner strategy's
 * Poisson sampling rate, or the share of the available clients it chose (1 when it takes them all: a
 * client that is certain to take part gets no amplification, banned clients or not). The RDP
 * accountant turns the rounds into (ε, δ) at client level.
 */
import { expectedGot } from '../core/errors.js';
import { deriveSeed, makeRng } from '../ml/rng.js';
import { type PrivacySpent, RdpAccountant } from './rdp.js';
import type { AggregateInput, FitInstruction, Strategy } from './strategy.js';

export type DpOptions = {
  clipNorm: number;
  noiseMultiplier: number;
  mode: 'central' | 'distributed';
  /** Distributed mode: noise per client is σC/√minContributors, the fewest noise-adding updates a released sum may hold. */
  minContributors?: number;
  /** Distributed mode: participants per sum that may not add their noise (a malicious client); the server needs minContributors + this many survivors. */
  untrustedPerSum?: number;
  /** Per-layer clipping: bias to ±biasClip, weights to √(C² − biasClip²) (see FitInstruction). */
  biasClip?: number;
};

export class DpStrategy implements Strategy {
  readonly name: string;
  readonly accountant = new RdpAccountant();
  private rounds = 0;

  constructor(
    readonly inner: Strategy,
    readonly options: DpOptions,
    /** Seeds the central noise; the same round always gets the same noise, so re-aggregating a round (leave-one-out) adds it once. */
    private readonly seed: number,
  ) {
    if (!(options.clipNorm > 0)) throw expectedGot('fl.dp.invalid', 'clipNorm', 'a positive number', options.clipNorm);
    if (!(options.noiseMultiplier >= 0)) throw expectedGot('fl.dp.invalid', 'noiseMultiplier', 'a number ≥ 0', options.noiseMultiplier);
    if (options.biasClip !== undefined && !(options.biasClip >= 0 && options.biasClip < options.clipNorm)) throw expectedGot('fl.dp.invalid', 'biasClip', 'a number in [0, clipNorm)', options.biasClip);
    if (!(Number.isInteger(options.untrustedPerSum ?? 0) && (options.untrustedPerSum ?? 0) >= 0)) throw expectedGot('fl.dp.invalid', 'untrustedPerSum', 'a non-negative integer', options.untrustedPerSum);
    if (options.mode === 'distributed' && !(Number.isInteger(options.minContributors) && options.minContributors! > 0)) {
      throw expectedGot('fl.dp.invalid', 'minContributors', 'a positive integer in distributed mode', options.minContributors);
    }
    this.name = `dp-${options.mode}(${inner.name})`;
  }

  configure(round: number, available: readonly string[]): FitInstruction[] {
    const { clipNorm, noiseMultiplier, mode, minContributors, biasClip } = this.options;
    const instructions = this.inner.configure(round, available);
    // A fixed-size uniform subset is accounted as if Poisson-sampled at the same rate (the usual
    // approximation); Poisson sampling (FedAvg samplingRate) is what the analysis assumes.
    const q = this.inner.samplingRate ?? (available.length === 0 ? 0 : Math.min(1, instructions.length / available.length));
    if (q > 0) this.accountant.step(q, noiseMultiplier);
    this.rounds++;
    const distributed = mode === 'distributed' ? { noiseStd: (noiseMultiplier * clipNorm) / Math.sqrt(minContributors!), minSurvivors: minContributors! + (this.options.untrustedPerSum ?? 0) } : {};
    return instructions.map((i) => ({ ...i, weighting: 'uniform' as const, clipNorm, ...(biasClip !== undefined ? { biasClip } : {}), ...distributed }));
  }

  aggregate(global: Float64Array, input: AggregateInput): Float64Array {
    let sum = input.sum;
    if (this.options.mode === 'central') {
      const std = this.options.noiseMultiplier * this.options.clipNorm;
      const rng = makeRng(deriveSeed(this.seed, `dp-noise/${input.round}`));
      sum = Float64Array.from(sum, (v) => v + std * rng.normal());
    }
    return this.inner.aggregate(global, { ...input, sum, totalWeight: input.count });
  }

  /** Privacy spent so far (client-level). */
  spent(delta: number): PrivacySpent & { rounds: number } {
    return { ...this.accountant.spent(delta), rounds: this.rounds };
  }
}
