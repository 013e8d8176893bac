/**
 * An operator reading a member's granted data over a node: the member's data.put events name the
 * sealed chunks (stored on the node as ciphertext), its data.grant events to this operator carry the
 * wrapped keys; the operator unwraps them with its X25519 key and opens what those keys open. A chunk
 * sealed after a revocation is under a key it was never given, and is counted as refused.
 */
import { canonicalDid } from '../events/did.js';
import type { KeyPair } from '../crypto/x25519.js';
import { HindsightError } from '../core/errors.js';
import { openChunk, parseChunk, unwrapDataKey, type WrappedKey } from '../fl/data/sealed.js';
import { FlNode } from './fl-node.js';
import { Ed25519Signer } from '../events/keys.js';

export async function openGranted(o: { node: string; me: string; owner: string; key: KeyPair }): Promise<{ examples: { text: string; label: number }[]; opened: number; refused: number }> {
  // Reading needs no signature: a throwaway signer satisfies the connection's type.
  const node = new FlNode(o.node, Ed25519Signer.generate());
  const owner = canonicalDid(o.owner);
  const me = canonicalDid(o.me);
  const chunks: string[] = [];
  const wrapped: WrappedKey[] = [];
  for (let after = 0; ; ) {
    const page = await node.client.events(after, 1000);
    if (page.length === 0) break;
    for (const e of page) {
      after = e.seq;
      if (canonicalDid(e.author) !== owner) continue;
      // Native envelopes only: a member's DAG-JWS events would need decoding first (not supported here).
      if (!('payload' in e.event)) continue;
      const payload = e.event.payload as Record<string, unknown>;
      if (e.type === 'data.put') chunks.push(...(payload.chunks as { id: string }[]).map((c) => c.id));
      if (e.type === 'data.grant' && canonicalDid(payload.to as string) === me) wrapped.push(...(payload.keys as WrappedKey[]));
    }
  }
  const keys = new Map(wrapped.map((w) => [w.epoch, unwrapDataKey(owner, me, o.key, w)]));
  const examples: { text: string; label: number }[] = [];
  let opened = 0;
  let refused = 0;
  for (const id of chunks) {
    try {
      examples.push(...parseChunk(openChunk(owner, await node.getBlob(id), keys)));
      opened++;
    } catch (error) {
      if (!(error instanceof HindsightError && error.code === 'data.decrypt')) throw error;
      refused++;
    }
  }
  return { examples, opened, refused };
}
