/**
 * `hindsight/game`: the game as a pure function of an ordered log. `apply` folds one verified
 * event into a GameState (or records a deterministic rejection), `stateHash` names the result;
 * replaying the same log anywhere gives the same hash.
 */
export { apply, execute, type Receipt } from './apply.js';
export { HANDLERS, type HandlerTable } from './handlers.js';
export type { GameEvent, Handler } from './rules.js';
export { emptyState, type GameState, type RoundState, type MarketState, type RoundPhase, type ModelInfo } from './state.js';
export { stateHash, encodeState, decodeState } from './canonical.js';
export { leaderboard } from './leaderboard.js';
export { tradeCommitment } from './trades.js';
