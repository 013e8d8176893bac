/**
 * `hindsight/engine`: a community's state bound to its log. Intake (stateless checks, then apply
 * and append under one lock), the submit batcher, replay, and the read views every surface shares.
 */
export { Engine, type EngineOptions, type SubmitOutcome } from './engine.js';
export { admit, DEFAULT_MAX_SKEW_MS, systemClock, verifyHere, type IntakeClock, type StatelessCheck } from './intake.js';
export { SubmitBatcher } from './submit-batcher.js';
export { VerifyPool } from './verify-pool.js';
export { replayLog } from './replay.js';
export * from './views.js';
export * from './view-schemas.js';
