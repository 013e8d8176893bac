/**
 * Worker thread of VerifyPool: the Ed25519 checks, the costly part of verifying an event, off the
 * main thread. Only the public key's did:key, the signed bytes and the signature travel: the rest of
 * verification (schema, encoding, CID) stays on the main thread, which needs its results anyway.
 */
import { parentPort } from 'node:worker_threads';
import type { Did } from '../events/did.js';
import { verifyEd25519 } from '../events/keys.js';

export type SignatureRequest = { id: number; did: Did; message: Uint8Array; signature: Uint8Array };
/** `valid`: the verdict; `failed`: the check threw here (the main thread repeats it for the exact error). */
export type SignatureReply = { id: number; valid: boolean } | { id: number; failed: string };

/** Replies go back in chunks: one message per batch would hold the first answers until the last is checked. */
const REPLY_CHUNK = 8;

parentPort!.on('message', (requests: SignatureRequest[]) => {
  let replies: SignatureReply[] = [];
  for (const { id, did, message, signature } of requests) {
    try {
      replies.push({ id, valid: verifyEd25519(did, message, signature) });
    } catch (error) {
      replies.push({ id, failed: String((error as Error)?.message ?? error) });
    }
    if (replies.length === REPLY_CHUNK) {
      parentPort!.postMessage(replies);
      replies = [];
    }
  }
  if (replies.length > 0) parentPort!.postMessage(replies);
});
