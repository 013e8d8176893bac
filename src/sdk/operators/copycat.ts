import { pseudoModelHash } from '../../statement/pseudo-model-hash.js';
import type { LabeledExample } from '../operator-history.js';
import { beliefToProbs } from '../operator-bankroll.js';
import type { MarketReader, ModelStrategy, OpenItem, PreparedModel } from '../operator-strategy.js';

/**
 * Trades, under its own hash, the beliefs another model has revealed — on whatever items are still
 * open to it. It trains nothing; each round it commits a fresh pseudo model hash (no artifact, so
 * nothing it could prove) naming what it copies.
 *
 * Why it earns about nothing: with sealed trading (the default) beliefs become visible only when
 * trades execute, after the trading deadline, so during the window there is nothing to copy and the
 * copycat skips every item. With continuous trading it does see the original's belief — but only
 * once the original has already moved the price there, and trading to a belief the price already
 * shows buys nothing. Either way copying earns ≈ 0, which is the point of the design.
 */
export class CopycatStrategy implements ModelStrategy {
  readonly name: string;

  /** `targetName` is the model line (leaderboard name) to copy; `targetHash(round)` its hash that round. */
  constructor(
    readonly targetName: string,
    private readonly targetHash: (round: number) => string | undefined,
    name = `copycat-of-${targetName}`,
  ) {
    this.name = name;
  }

  async train(_history: readonly LabeledExample[], context: { round: number }): Promise<PreparedModel> {
    const modelHash = pseudoModelHash(`copycat:${this.name}:${context.round}`);
    return {
      modelHash,
      architecture: `copycat of ${this.targetName}`,
      beliefs: (round: number, items: readonly OpenItem[], market: MarketReader) => this.#copy(round, items, market),
    };
  }

  async #copy(round: number, items: readonly OpenItem[], market: MarketReader): Promise<(number[] | null)[]> {
    const target = this.targetHash(round);
    if (!target) return items.map(() => null);
    return Promise.all(
      items.map(async (item) => {
        const view = await market.market(round, item.id);
        const position = view?.positions.find((p) => p.model === target);
        return position?.belief ? beliefToProbs(position.belief) : null;
      }),
    );
  }
}
