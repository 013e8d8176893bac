/**
 * Differential privacy as a wrapper strategy (DP-FedAvg, McMahan et al. 2018): every client update is
 * clipped to L2 norm C and counted with weight 1, and Gaussian noise of std σ·C is added to the sum —
 * by the server (central) or split among the clients so that the sum of any `minContributors` of
 * them carries at least that much noise (distributed; with secure aggregation no one ever sees a
 * less-noisy value). Each round is one step of the sampled Gaussian mechanism with q = clients per
 * round / population; the RDP accountant turns the rounds into (ε, δ) at client level.
 */
import { expectedGot } from '../core/errors.js';
import { deriveSeed, makeRng } from '../ml/rng.js';
import { type PrivacySpent, RdpAccountant } from './rdp.js';
import type { AggregateInput, FitInstruction, Strategy } from './strategy.js';

export type DpOptions = {
  clipNorm: number;
  noiseMultiplier: number;
  mode: 'central' | 'distributed';
  /** Size of the client population the round's clients are drawn from (for q). */
  population: number;
  /** Distributed mode: noise per client is σC/√minContributors (the fewest updates that can reach a sum). */
  minContributors?: number;
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
    if (!(Number.isInteger(options.population) && options.population > 0)) throw expectedGot('fl.dp.invalid', 'population', 'a positive integer', options.population);
    if (options.mode === 'distributed' && !(Number.isInteger(options.minContributors) && options.minContributors! > 0)) {
      throw expectedGot('fl.dp.invalid', 'minContributors', 'a positive integer in distributed mode', options.minContributors);
    }
    this.name = `dp-${options.mode}(${inner.name})`;
  }

  configure(round: number, available: readonly string[]): FitInstruction[] {
    const { clipNorm, noiseMultiplier, mode, minContributors } = this.options;
    const instructions = this.inner.configure(round, available);
    const noiseStd = mode === 'distributed' ? (noiseMultiplier * clipNorm) / Math.sqrt(minContributors!) : undefined;
    this.accountant.step(Math.min(1, instructions.length / this.options.population), noiseMultiplier);
    this.rounds++;
    return instructions.map((i) => ({ ...i, weighting: 'uniform' as const, clipNorm, ...(noiseStd ? { noiseStd } : {}) }));
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
