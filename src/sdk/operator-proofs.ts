import { HindsightError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import { commitFields, isProvable, provenBelief, proveRound, provingKit, type ProvingKit } from '../zk/provable.js';
import type { HindsightClient } from './client.js';
import type { EventChain } from './operator-chain.js';
import type { OpenItem, PreparedModel } from './operator-strategy.js';

/**
 * When and how an Operator proves: `auto` (default) proves when the community requires proofs and
 * the strategy's model is a provable artifact (logistic regression, MLP) without its own proofs;
 * `always` proves whenever the model is provable; `never` never does. Proving means: publish the
 * batch verification key (`zk.vkey`) and commit the model with it and its featurizer, trade exactly
 * the fixed-point belief the circuit proves, and send one round batch proof (`zk.batch`) per round
 * before the reveals.
 */
export type ProofPolicy = 'auto' | 'always' | 'never';

export type ProverOptions = { policy?: ProofPolicy; batchItems?: number; ptau?: string };

export class OperatorProver {
  readonly #policy: ProofPolicy;
  readonly #options: ProverOptions;
  /** Proving seconds spent per round (for reports). */
  readonly proveSeconds = new Map<number, number>();

  constructor(options: ProverOptions = {}) {
    this.#policy = options.policy ?? 'auto';
    this.#options = options;
  }

  /** The proving kit of this round's model, or null when this operator does not prove it. */
  async kitFor(model: PreparedModel, client: HindsightClient): Promise<ProvingKit | null> {
    if (this.#policy === 'never' || model.vkey || !isProvable(model.artifact)) return null;
    if (this.#policy === 'auto' && !(await client.community())?.config.requireProofs) return null;
    return provingKit(model.artifact, { mode: 'batch', items: this.#options.batchItems, ptau: this.#options.ptau });
  }

  /**
   * Publishes the kit's key right away (it must be in the log before the model.commit that names
   * it); a key some other operator of the same architecture already published is fine.
   */
  async publishKey(kit: ProvingKit, chain: EventChain, client: HindsightClient, time: number): Promise<void> {
    try {
      await client.submit(chain.next('zk.vkey', kit.key, time));
    } catch (error) {
      await chain.sync(client);
      if (!(error instanceof HindsightError && error.code === 'zk.vkeyExists')) throw error;
    }
  }

  commitFields(kit: ProvingKit): ReturnType<typeof commitFields> {
    return commitFields(kit);
  }

  belief(kit: ProvingKit, item: OpenItem): bigint[] {
    return provenBelief(kit, item.input);
  }

  /** The round's `zk.batch` events, covering `items` (the items this operator traded). */
  async batches(kit: ProvingKit, round: number, items: readonly OpenItem[], chain: EventChain, time: number): Promise<SignedEvent[]> {
    const t0 = performance.now();
    const payloads = await proveRound(kit, round, items.map((i) => ({ id: i.id, input: i.input })));
    this.proveSeconds.set(round, (this.proveSeconds.get(round) ?? 0) + (performance.now() - t0) / 1000);
    return payloads.map((p) => chain.next('zk.batch', p, time));
  }
}
