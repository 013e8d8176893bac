import { ValidationError } from '../core/errors.js';
import type { ProofAttachment } from '../events/types/zk.js';
import type { PayloadOf } from '../events/registry.js';
import type { VerifiedEvent } from '../events/verify.js';
import type { GameState } from '../game/state.js';

let proofsChecked = false;

/**
 * The stateless half of proof-carrying trades: the Groth16 pairing check, run before an event
 * enters the log (like a signature), against the verification key the model was committed with.
 * Events whose model or key is unknown pass through: apply rejects them with the precise reason.
 * snarkjs is imported only when a proof arrives.
 */
export async function checkProofAtIntake(state: GameState, v: Pick<VerifiedEvent, 'event' | 'payload'>): Promise<void> {
  const type = v.event.type;
  if (type === 'zk.batch') return checkBatchAtIntake(state, v.payload as PayloadOf<'zk.batch'>);
  if (type !== 'trade.reveal' && type !== 'trade.execute') return;
  const p = v.payload as { round: number; commit?: string; item?: string; model?: string; proof?: ProofAttachment };
  if (!p.proof) return;
  const round = state.rounds.get(p.round);
  const sealed = p.commit ? round?.sealed.get(p.commit) : undefined;
  const modelHash = p.model ?? sealed?.model;
  const itemId = p.item ?? sealed?.item;
  const model = modelHash ? state.models.get(modelHash) : undefined;
  const key = model?.vkey ? state.vkeys.get(model.vkey) : undefined;
  if (!model || !key || !itemId) return;
  const item = round?.items.get(itemId);
  const { verifyInference } = await import('../zk/inference.js');
  const { itemIntegerInput } = await import('../zk/item-input.js');
  proofsChecked = true;
  const result = await verifyInference(key.vkey, key.layout, p.proof.proof, p.proof.publicSignals, {
    modelHash: model.hash,
    // Text is bound through the featurizer committed with the model: the node featurizes it itself.
    inputs: item ? [itemIntegerInput(model.featurizer, key.layout, item.input)] : undefined,
  });
  if (!result.valid) {
    throw new ValidationError(result.reason ?? 'zk.proofInvalid', result.message ?? 'proof: expected a valid proof, got one that fails', { field: 'proof' });
  }
}

/**
 * A round batch proof (zk.batch): the node derives every listed item's input itself — its text
 * through the model's committed featurizer, or its published features — and checks the proof's
 * pairing, model hash and digest (input hashes + claimed scores). Unknown models, keys or items
 * pass through to apply, which refuses them precisely (they cannot have sealed trades to cover).
 */
async function checkBatchAtIntake(state: GameState, p: PayloadOf<'zk.batch'>): Promise<void> {
  const model = state.models.get(p.model);
  const key = model?.vkey ? state.vkeys.get(model.vkey) : undefined;
  const round = state.rounds.get(p.round);
  const items = p.items.map((id) => round?.items.get(id));
  if (!model || !key || (key.layout.binding !== 'digest' && key.layout.binding !== 'fold') || items.some((it) => it === undefined) || p.items.length > key.layout.items) return;
  const { verifyBatch } = await import('../zk/batch.js');
  const { sharedItemIntegerInput } = await import('../zk/item-input.js');
  // Every operator's batch of a round covers the same items: featurized once per featurizer.
  const inputs = items.map((it) => sharedItemIntegerInput(model.featurizer, key.layout, it!.input));
  proofsChecked = true;
  const result = await verifyBatch(key.vkey, key.layout, p.batch, { modelHash: model.hash, inputs });
  if (!result.valid) throw new ValidationError(result.reason, result.message, { field: 'batch' });
}

/** Stops snarkjs's curve workers if a proof was ever checked, so the process can exit. */
export async function releaseProofVerifier(): Promise<void> {
  if (!proofsChecked) return;
  const { terminateCurve } = await import('../zk/curve.js');
  await terminateCurve();
  proofsChecked = false;
}
