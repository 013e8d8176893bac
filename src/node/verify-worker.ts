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

parentPort!.on('message', (request: VerifyRequest) => {
  verifyEvent(request.raw, request.options).then(
    (v) => parentPort!.postMessage({ id: request.id, ok: true, cid: v.cid, bytes: v.bytes, payload: v.payload, round: v.round } satisfies VerifyReply),
    (error: unknown) => {
      const e = error instanceof HindsightError ? error : new HindsightError('internal', String((error as Error)?.message ?? error));
      parentPort!.postMessage({ id: request.id, ok: false, error: { kind: e.name, code: e.code, message: e.message, details: e.details } } satisfies VerifyReply);
    },
  );
});
