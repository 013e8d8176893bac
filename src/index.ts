/**
 * `hindsight`: the front door. The pieces most programs need; each area has its own entry point
 * for the rest: hindsight/sdk, hindsight/engine, hindsight/events, hindsight/game, hindsight/market,
 * hindsight/ml, hindsight/zk (see package.json "exports" and docs/architecture.md).
 */
export { HindsightError, ValidationError, AuthError, GameRejection, StoreError, InternalError, type ErrorDetails } from './core/errors.js';
export { ERROR_CODES, isErrorCode, type ErrorCode } from './core/error-codes.js';
export { UNIT, formatUnits, parseUnits, type Micro } from './core/money.js';
export { Ed25519Signer, signEvent, verifyEvent, type Signer, type SignedEvent } from './events/index.js';
export { Engine, replayLog, type EngineOptions } from './engine/index.js';
export { emptyState, apply, stateHash, type GameState } from './game/index.js';
export {
  EmbeddedClient, HttpClient, Operator, PublicHistory, MlStrategy, CopycatStrategy, CommitteeMember,
  type HindsightClient, type ModelStrategy, type MlRecipe,
} from './sdk/index.js';
