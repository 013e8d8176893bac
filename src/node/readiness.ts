import { HindsightError } from '../core/errors.js';
import type { EventStore } from '../store/types.js';
import { STORE_RETRY_AFTER_SECONDS } from './http-errors.js';

/** How long readiness waits for the store to answer before calling it away. */
export const READINESS_TIMEOUT_MS = 1000;

export type Readiness = { ready: true } | { ready: false; reason: string; code?: string; retryAfterSeconds: number };

/**
 * Whether this node can take writes and serve reads now: its store answers a head query within
 * the timeout, and (for a follower) it has not halted. Liveness (`/healthz`) stays 200 while the
 * process runs, so an orchestrator does not restart a node only because its database is away;
 * readiness is what a load balancer should route by.
 */
export async function checkReadiness(store: Pick<EventStore, 'head'>, followerError?: string): Promise<Readiness> {
  if (followerError) return { ready: false, reason: `follower halted: ${followerError}`, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), READINESS_TIMEOUT_MS); });
  try {
    const answer = await Promise.race([store.head().then(() => 'ok' as const), timeout]);
    if (answer === 'timeout') return { ready: false, reason: `store: expected an answer within ${READINESS_TIMEOUT_MS} ms, got none`, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
    return { ready: true };
  } catch (error) {
    // The store's own message names what failed (closed, unreachable); it never carries credentials.
    if (error instanceof HindsightError) return { ready: false, reason: error.message, code: error.code, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
    return { ready: false, reason: 'store: unexpected failure (see the node log)', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };
  } finally {
    clearTimeout(timer);
  }
}
