import type { RoundView } from '../engine/view-schemas.js';
import type { HindsightClient } from './client.js';

/** An item's public input as published in `round.items`. */
export type ItemInputView = RoundView['items'][number]['input'];

/** One labeled example of public history: a settled round's item and the label it settled on. */
export type LabeledExample = { round: number; item: string; outcomes: number; input: ItemInputView; label: number };

/**
 * The only training data an operator's model ever sees. It is built from the node's public views
 * and returns items of rounds whose phase is `settled` — never a round still trading, revealing or
 * merely resolved — so a model cannot learn round n's labels before round n is over, whatever its
 * code does: strategies get examples from here, never a client. An optional `bootstrap` is a public
 * corpus the community published before round 1 (disjoint from every round's items), so the first
 * round's models are not untrained.
 */
export class PublicHistory {
  readonly #client: Pick<HindsightClient, 'round'>;
  readonly #bootstrap: readonly LabeledExample[];
  /** Settled rounds never change again: cache their examples. */
  readonly #settled = new Map<number, LabeledExample[]>();
  /** Rounds below this are all known to be settled (or absent); scans start here. */
  #frontier = 1;

  /**
   * Rounds are found by asking for round 1, 2, 3, … until one does not exist (rounds are numbered
   * consecutively from 1 by the CLI and the demo), which costs a few small reads instead of the
   * whole-state read a round list would need.
   */
  constructor(client: Pick<HindsightClient, 'round'>, options: { bootstrap?: readonly LabeledExample[] } = {}) {
    this.#client = client;
    this.#bootstrap = options.bootstrap ?? [];
  }

  /** Round numbers whose labels are public (settled), ascending. */
  async settledRounds(): Promise<number[]> {
    for (let n = this.#frontier; ; n++) {
      const view = await this.#client.round(n);
      if (!view) break;
      if (view.phase === 'settled' && !this.#settled.has(n)) this.#settled.set(n, labeledItems(view));
      // Advance the frontier only over a prefix of settled (or voided) rounds.
      if (n === this.#frontier && (view.phase === 'settled' || view.phase === 'void')) this.#frontier = n + 1;
    }
    return [...this.#settled.keys()].sort((a, b) => a - b);
  }

  /** Bootstrap corpus + every settled round's labeled items (voided items carry no label and are skipped). */
  async examples(): Promise<{ examples: LabeledExample[]; rounds: number[] }> {
    const rounds = await this.settledRounds();
    const out: LabeledExample[] = [...this.#bootstrap];
    for (const n of rounds) out.push(...this.#settled.get(n)!);
    return { examples: out, rounds };
  }
}

function labeledItems(view: RoundView): LabeledExample[] {
  const outcome = new Map(view.outcomes.map((o) => [o.item, o.outcome]));
  const out: LabeledExample[] = [];
  for (const item of view.items) {
    const label = outcome.get(item.id);
    if (label === null || label === undefined) continue;
    out.push({ round: view.round, item: item.id, outcomes: item.outcomes, input: item.input, label });
  }
  return out;
}
