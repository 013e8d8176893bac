/**
 * Worker thread of VerifyPool: runs verifyEvent (schema, encoding, CID, signature) off the main
 * thread, so the node's second core checks signatures while the first serves HTTP and commits.
 */
import { parentPort } from 'node:worker_threads';
import { HindsightError, InternalError } from '../core/errors.js';
import { verifyEvent, type VerifyOptions } from '../events/verify.js';
import { isDagJwsShape } from '../events/dag-jws.js';
import type { SignedEvent } from '../events/envelope.js';

export type VerifyRequest = { id: number; raw: unknown; options: VerifyOptions };
export type VerifyReply =
  | { id: number; ok: true; cid: string; bytes: Uint8Array; payload: Record<string, unknown>; round: number | null; event?: SignedEvent }
  | { id: number; ok: false; error: { kind: string; code: string; message: string; details: Record<string, unknown> } };

async function verifyOne(request: VerifyRequest): Promise<VerifyReply> {
  try {
    const v = await verifyEvent(request.raw, request.options);
    // A DAG-JWS event is not the value submitted: send back the event it maps to.
    return { id: request.id, ok: true, cid: v.cid, bytes: v.bytes, payload: v.payload, round: v.round, ...(isDagJwsShape(request.raw) ? { event: v.event } : {}) };
  } catch (error) {
    const e = error instanceof HindsightError
      ? error
      : new InternalError('internal.unexpected', `verify: expected a verdict, got an exception: ${String((error as Error)?.message ?? error)}`, {}, { cause: error });
    return { id: request.id, ok: false, error: { kind: e.name, code: e.code, message: e.message, details: e.details } };
  }
}

/** Replies go back in chunks: one message per batch would hold the first answers until the last is checked. */
const REPLY_CHUNK = 8;

/**
 * Sends replies; a chunk that structured clone refuses is sent one reply at a time, and a reply
 * that still cannot travel is replaced by an internal error for its request, so every request gets
 * an answer and the worker keeps running.
 */
function send(replies: VerifyReply[]): void {
  try {
    parentPort!.postMessage(replies);
    return;
  } catch (error) {
    if (replies.length > 1) {
      for (const reply of replies) send([reply]);
      return;
    }
    const e = new InternalError('internal.unexpected', `verify worker: expected a reply it can send, got ${String((error as Error)?.message ?? error)}`);
    parentPort!.postMessage([{ id: replies[0]!.id, ok: false, error: { kind: e.name, code: e.code, message: e.message, details: {} } } satisfies VerifyReply]);
  }
}

// A batch in, chunks of replies out (see VerifyPool); messages are handled one after the other.
let queue = Promise.resolve();
parentPort!.on('message', (requests: VerifyRequest[]) => {
  queue = queue.then(async () => {
    let replies: VerifyReply[] = [];
    for (const request of requests) {
      replies.push(await verifyOne(request));
      if (replies.length === REPLY_CHUNK) {
        send(replies);
        replies = [];
      }
    }
    if (replies.length > 0) send(replies);
  });
});
