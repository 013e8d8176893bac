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
 * A clock that intake judges fresh events by (docs/security.md, "Time"): an event's `time` must be
 * within `maxSkewMs` of `now()`, and a delegation must not have expired by `now()`. A node serving
 * writers has one (`node start`: the system clock, 5 minutes); an engine without one (the demo,
 * tests, simulations on made-up times) judges events by their own time, and so do replay and
 * followers, which check events intake already took.
 */
export type IntakeClock = { now(): number; maxSkewMs: number };

/** The skew `node start` allows by default: 5 minutes, as Ceramic's CACAO checks allow. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

/** The system clock with the default skew. */
export const systemClock = (maxSkewMs = DEFAULT_MAX_SKEW_MS): IntakeClock => ({ now: () => Date.now(), maxSkewMs });

/**
 * The first half of intake, shared by every writer (Engine.submit, the HTTP node's batcher, log
 * replay with re-verification): the stateless checks, then a carried proof's pairing check against
 * the verification key the current state knows. No lock is held, so many events are admitted at once;
 * the second half (apply, then append) runs under the engine's write lock in Engine.commitVerified.
 * A refusal comes back as the HindsightError value, never thrown; anything else is a fault and throws.
 */
export async function admit(raw: unknown, state: GameState, check: StatelessCheck = verifyHere, clock?: IntakeClock): Promise<VerifiedEvent | HindsightError> {
  const verified = await check(raw, {
    community: state.community?.id,
    maxPayloadBytes: state.community?.config.maxPayloadBytes,
    ...(clock ? { clock: { now: clock.now(), maxSkewMs: clock.maxSkewMs } } : {}),
  });
  if (verified instanceof HindsightError) return verified;
  try {
    await checkProofAtIntake(state, verified);
    return verified;
  } catch (error) {
    if (error instanceof HindsightError) return error;
    throw error;
  }
}
