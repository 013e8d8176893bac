/** Public surface of the event store. */
export { openStore } from './open-store.js';
export { GroupCommitAppender } from './group-commit.js';
export { iterateLog } from './iterate-log.js';
export type { AppendInput, AppendResult, EventStore, OpenStoreOptions, Snapshot, StoreKind, StoredEvent } from './types.js';
export { DEFAULT_READ_LIMIT, MAX_READ_LIMIT } from './types.js';
