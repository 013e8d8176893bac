/**
 * Worker thread of VerifyPool: runs verifyEvent (schema, encoding, CID, signature) off the main
 * thread, so the node's second core checks signatures while the first serves HTTP and commits.
 */
import { parentPort } from 'node:worker_threads';
import { HindsightError } from '../core/errors.js';
import '../events/types/index.js';
import { verifyEvent, type VerifyOptions } from '../events/verify.js';

export type VerifyRequest = { id: number; raw: unknown; options: VerifyOptions };
export type VerifyReply =
  | { id: number; ok: true; cid: string; bytes: Uint8Array; payload: Record<string, unknown>; round: number | null }
  | { id: number; ok: false; error: { kind: string; code: string; message: string; details: Record<string, unknown> } };

async function verifyOne(request: VerifyRequest): Promise<VerifyReply> {
  try {
    const v = await verifyEvent(request.raw, request.options);
    return { id: request.id, ok: true, cid: v.cid, bytes: v.bytes, payload: v.payload, round: v.round };
  } catch (error) {
    const e = error instanceof HindsightError ? error : new HindsightError('internal', String((error as Error)?.message ?? error));
    return { id: request.id, ok: false, error: { kind: e.name, code: e.code, message: e.message, details: e.details } };
  }
}

// A batch in, a batch of replies out (see VerifyPool).
parentPort!.on('message', (requests: VerifyRequest[]) => {
  void Promise.all(requests.map(verifyOne)).then((replies) => parentPort!.postMessage(replies));
});
