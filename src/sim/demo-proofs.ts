/**
 * `hindsight demo --proofs`: the community requires proofs. Every operator whose model is a
 * provable artifact (logistic regression, MLP; naive Bayes exports as a linear artifact) publishes
 * its batch key, commits its model with key and featurizer, trades the belief its circuit proves
 * and reveals behind one round batch proof per batch of slots; the others (the copycat) cannot
 * prove and sit out, shown as unprovable. In round 1 the demo also submits one tampered batch (a
 * proven score changed) and expects it refused with nothing stored.
 *
 * Provable models are capped at `maxBuckets` hashed features (default 1,024): the default demo's
 * 2^14–2^16-feature models would need millions of constraints per batch. The MLP's weights are
 * committed at 10 bits instead of 16: its weight commitment costs one constraint per weight bit,
 * and at 16 bits its 150-slot batch needs 581k constraints (a 2^20 setup, ~2× the proving of
 * 2^19); at 10 bits it fits 2^19 with the same accuracy on held-out SpamAssassin mail.
 */
import { InternalError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { SignedEvent } from '../events/envelope.js';
import { signEvent } from '../events/sign.js';
import type { ProverOptions } from '../sdk/operator-proofs.js';
import type { Operator } from '../sdk/operator.js';
import type { MlRecipe } from '../sdk/operators/index.js';
import { verifyBatch, type BatchProof } from '../zk/batch.js';
import { itemIntegerInput } from '../zk/item-input.js';
import { demoKey } from './demo-world.js';

export type DemoProofOptions = { batchItems?: number; maxBuckets?: number };

export type ProofSummary = {
  batches: number;
  items: number;
  proveSecondsTotal: number;
  verifyMsPerBatch: number | null;
  rejectedTampered: number;
  provers: string[];
  unprovable: string[];
};

export const DEFAULT_PROOF_BUCKETS = 1 << 10;
export const PROOF_MLP_WEIGHT_BITS = 10;

/** The example recipes with provable families capped at `maxBuckets` features, MLPs at 10-bit weights. */
export function proofRecipes(recipes: readonly MlRecipe[], maxBuckets = DEFAULT_PROOF_BUCKETS): MlRecipe[] {
  return recipes.map((r) => ({
    ...r,
    buckets: Math.min(r.buckets, maxBuckets),
    ...(r.family === 'mlp' ? { weightBits: Math.min(r.weightBits ?? 16, PROOF_MLP_WEIGHT_BITS) } : {}),
  }));
}

type BatchPayload = { round: number; model: string; items: string[]; batch: BatchProof };

export class DemoProofs {
  batches = 0;
  items = 0;
  rejectedTampered = 0;
  #verifyMs: number[] = [];

  /** `itemsPerRound` is the default batch size: one batch proof per operator per round. */
  constructor(private readonly engine: Engine, private readonly seed: number, private readonly itemsPerRound: number, readonly options: DemoProofOptions = {}) {}

  proverOptions(): ProverOptions {
    return { policy: 'auto', batchItems: this.options.batchItems ?? this.itemsPerRound };
  }

  /**
   * Before a round's reveals are appended: times the verification intake will run on every batch
   * (the same check, on the same state), and in round 1 submits a tampered copy of the first batch,
   * which must be refused with the log unchanged.
   */
  async beforeReveals(round: number, events: readonly SignedEvent[], operators: readonly Operator[]): Promise<void> {
    const batches = events.filter((e) => e.type === 'zk.batch');
    for (const e of batches) {
      const p = e.payload as BatchPayload;
      const model = this.engine.state.models.get(p.model)!;
      const key = this.engine.state.vkeys.get(model.vkey!)!;
      const r = this.engine.state.rounds.get(round)!;
      const inputs = p.items.map((id) => itemIntegerInput(model.featurizer, key.layout, r.items.get(id)!.input));
      const t0 = performance.now();
      const ok = await verifyBatch(key.vkey, key.layout, p.batch, { modelHash: p.model, inputs });
      this.#verifyMs.push(performance.now() - t0);
      if (!ok.valid) throw new InternalError('internal.invariant', `demo --proofs: expected every operator's own batch proof to verify, got ${ok.reason}: ${ok.message}`);
      this.batches++;
      this.items += p.items.length;
    }
    if (round === 1 && batches[0]) await this.#tamper(batches[0], operators);
  }

  async #tamper(real: SignedEvent, operators: readonly Operator[]): Promise<void> {
    const p = real.payload as BatchPayload;
    const owner = operators.find((o) => o.did === real.author);
    if (!owner) return;
    const scores = p.batch.scores.map((row, m) => (m === 0 ? row.map((v, k) => (k === 0 ? String(BigInt(v) + 1n) : v)) : row));
    const forged = signEvent(demoKey(this.seed, `operator:${owner.name}`), { type: real.type, community: real.community, prev: real.prev, nonce: real.nonce, time: real.time, payload: { ...p, batch: { ...p.batch, scores } } });
    const head = await this.engine.store.head();
    const [outcome] = await this.engine.submitMany([forged]);
    const unchanged = (await this.engine.store.head()) === head;
    if (outcome && !outcome.ok && unchanged) this.rejectedTampered++;
    else throw new InternalError('internal.invariant', 'demo --proofs: expected the tampered batch proof refused with the log unchanged, got it accepted or the log changed');
  }

  summary(operators: readonly Operator[]): ProofSummary {
    const provers = operators.filter((o) => [...o.rounds.values()].some((r) => r.kit));
    const prove = operators.reduce((s, o) => s + [...o.prover.proveSeconds.values()].reduce((a, b) => a + b, 0), 0);
    const ms = this.#verifyMs;
    return {
      batches: this.batches,
      items: this.items,
      proveSecondsTotal: Math.round(prove * 1000) / 1000,
      verifyMsPerBatch: ms.length ? Math.round((ms.reduce((a, b) => a + b, 0) / ms.length) * 100) / 100 : null,
      rejectedTampered: this.rejectedTampered,
      provers: provers.map((o) => o.name),
      unprovable: operators.filter((o) => !provers.includes(o)).map((o) => o.name),
    };
  }
}

/** The report's section on proofs (none without --proofs). */
export function proofReportLines(p: ProofSummary | undefined): string[] {
  if (!p) return [];
  return [
    '## Proofs',
    '',
    `The community requires proofs. Provers (one round batch proof per batch of slots, checked at intake): ${p.provers.join(', ') || 'none'}; unprovable, sat out: ${p.unprovable.join(', ') || 'none'}.`,
    '',
    '| batches | items covered | proving, total s | verification, ms per batch | tampered batches refused |',
    '| --- | --- | --- | --- | --- |',
    `| ${p.batches} | ${p.items} | ${p.proveSecondsTotal} | ${p.verifyMsPerBatch ?? '-'} | ${p.rejectedTampered} |`,
    '',
  ];
}
