import { HindsightError } from '../core/errors.js';
import { verifyEvent, type VerifiedEvent, type VerifyOptions } from '../events/verify.js';
import type { GameState } from '../game/state.js';
import { checkProofAtIntake } from './proof-check.js';

/**
 * Where the stateless checks of an event run (parse, schema, size, CID, signature, delegation):
 * on this thread (`verifyHere`) or on a VerifyPool's worker threads. Either gives the same value.
 */
export type StatelessCheck = (raw: unknown, options: VerifyOptions) => Promise<VerifiedEvent | HindsightError>;

export const verifyHere: StatelessCheck = async (raw, options) => {
  try {
    return await verifyEvent(raw, options);
  } catch (error) {
    if (error instanceof HindsightError) return error;
    throw error;
  }
};

/**
 * The first half of intake, shared by every writer (Engine.submit, the HTTP node's batcher, log
 * replay with re-verification): the stateless checks, then a carried proof's pairing check against
 * the verification key the current state knows. No lock is held, so many events are admitted at once;
 * the second half (apply, then append) runs under the engine's write lock in Engine.commitVerified.
 * A refusal comes back as the HindsightError value, never thrown; anything else is a fault and throws.
 */
export async function admit(raw: unknown, state: GameState, check: StatelessCheck = verifyHere): Promise<VerifiedEvent | HindsightError> {
  const verified = await check(raw, { community: state.community?.id, maxPayloadBytes: state.community?.config.maxPayloadBytes });
  if (verified instanceof HindsightError) return verified;
  try {
    await checkProofAtIntake(state, verified);
    return verified;
  } catch (error) {
    if (error instanceof HindsightError) return error;
    throw error;
  }
}
