/**
 * Differential privacy as a wrapper strategy (DP-FedAvg, McMahan et al. 2018): every client update is
 * clipped to L2 norm C and counted with weight 1, and Gaussian noise of std σ·C is added to the sum —
 * by the server (central) or split among the clients so that the sum of any `minContributors` of
 * them carries at least that much noise (distributed; with secure aggregation no one ever sees a
 * less-noisy value, and the server must not unmask a sum of fewer — `minSurvivors` in the
 * instructions). The accountant turns the rounds into (ε, δ) at client level.
 *
 * Which rounds count depends on who can see who took part (`participation`):
 * - 'public' (the default, and Hindsight's case: `fl.join` and `fl.update` are signed events on a
 *   public log, and the coordinating server knows every cohort): sampling cannot amplify privacy,
 *   because whether a client took part is known. Each round a client takes part in is one Gaussian
 *   step (q = 1) for that client; ε is that of the client that took part most often, from the
 *   exact privacy curve of composed Gaussians (gaussian-dp.ts; RDP would over-state it by ≈ 7 %).
 * - 'secret': each round is one step of the sampled Gaussian mechanism for everyone, q being the inner
 *   strategy's Poisson rate, or the share of the available clients it chose. Only valid when no one
 *   who sees the models can learn the cohorts (not over a public log).
 */
import { expectedGot } from '../../core/errors.js';
import { deriveSeed, makeRng } from '../../ml/rng.js';
import { gaussianEpsilon } from './gaussian-dp.js';
import { type PrivacySpent, RdpAccountant } from './rdp.js';
import type { AggregateInput, FitInstruction, Strategy } from '../training/strategy.js';

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
  /** Whether the cohorts are known to those who see the models (see above). Default 'public'. */
  participation?: 'public' | 'secret';
};

export class DpStrategy implements Strategy {
  readonly name: string;
  /** 'secret' participation: one sampled-Gaussian step per round for everyone. */
  readonly accountant = new RdpAccountant();
  private rounds = 0;
  /** 'public' participation: rounds each client took part in. */
  private readonly participations = new Map<string, number>();

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
    if (options.participation !== undefined && options.participation !== 'public' && options.participation !== 'secret') {
      throw expectedGot('fl.dp.invalid', 'participation', "'public' or 'secret'", options.participation);
    }
    if (options.mode === 'distributed' && !(Number.isInteger(options.minContributors) && options.minContributors! > 0)) {
      throw expectedGot('fl.dp.invalid', 'minContributors', 'a positive integer in distributed mode', options.minContributors);
    }
    this.name = `dp-${options.mode}(${inner.name})`;
  }

  configure(round: number, available: readonly string[]): FitInstruction[] {
    const { clipNorm, noiseMultiplier, mode, minContributors, biasClip } = this.options;
    const instructions = this.inner.configure(round, available);
    if (this.options.participation === 'secret') {
      // A fixed-size uniform subset is accounted as if Poisson-sampled at the same rate (the usual
      // approximation); Poisson sampling (FedAvg samplingRate) is what the analysis assumes.
      const q = this.inner.samplingRate ?? (available.length === 0 ? 0 : Math.min(1, instructions.length / available.length));
      if (q > 0) this.accountant.step(q, noiseMultiplier);
    } else {
      for (const i of instructions) this.participations.set(i.clientId, (this.participations.get(i.clientId) ?? 0) + 1);
    }
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

  /**
   * Privacy spent so far (client-level). 'secret': the RDP accountant (α is its optimal order).
   * 'public': that of the most frequent participant, exact (α is NaN: no Rényi order is involved).
   */
  spent(delta: number): PrivacySpent & { accountant: 'rdp' | 'gaussian'; rounds: number; maxParticipations: number } {
    if (this.options.participation === 'secret') return { ...this.accountant.spent(delta), accountant: 'rdp', rounds: this.rounds, maxParticipations: this.rounds };
    const steps = Math.max(0, ...this.participations.values());
    const sigma = this.options.noiseMultiplier;
    const epsilon = steps === 0 ? 0 : sigma === 0 ? Infinity : gaussianEpsilon({ sigma, steps, delta });
    return { epsilon, alpha: Number.NaN, accountant: 'gaussian', rounds: this.rounds, maxParticipations: steps };
  }
}
