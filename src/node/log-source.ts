import type { LoggedEvent } from '../sdk/client.js';

/**
 * Where a follower gets the log it replicates. The HTTP leader is one source (http-log-source.ts);
 * a libp2p gossip source can implement the same two calls later. Sources are untrusted: the
 * follower verifies every event it receives.
 */
export interface LogSource {
  /** Up to `limit` entries with seq > after, in order, and the source's head when it answered. */
  pull(after: number, limit?: number): Promise<{ events: LoggedEvent[]; head: number }>;
  /**
   * Delivers entries with seq > after, in order, as they are appended, until the returned function
   * is called. `onError` reports a dropped subscription; the caller resubscribes from where it is.
   */
  subscribe(after: number, onEvent: (event: LoggedEvent) => void, onError: (error: Error) => void): () => void;
  /** A name for logs and /healthz (the leader URL). */
  readonly name: string;
}
