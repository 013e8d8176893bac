import { ValidationError } from '../core/errors.js';
import type { ProofAttachment } from '../events/types/zk.js';
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
  proofsChecked = true;
  const result = await verifyInference(key.vkey, key.layout, p.proof.proof, p.proof.publicSignals, {
    modelHash: model.hash,
    inputs: item && 'features' in item.input ? [item.input.features] : undefined,
  });
  if (!result.valid) {
    throw new ValidationError(result.reason ?? 'zk.proofInvalid', result.message ?? 'proof: expected a valid proof, got one that fails', { field: 'proof' });
  }
}

/** Stops snarkjs's curve workers if a proof was ever checked, so the process can exit. */
export async function releaseProofVerifier(): Promise<void> {
  if (!proofsChecked) return;
  const { terminateCurve } = await import('../zk/curve.js');
  await terminateCurve();
  proofsChecked = false;
}
