/**
 * A member's training data, sealed under its own keys. Data is cut into chunks, each encrypted with
 * XChaCha20-Poly1305 under the member's data key of the current epoch; a chunk is named by the
 * SHA-256 of its ciphertext, so a node can store it without learning anything but its size.
 *
 * Access is by key, never by plaintext: a grant wraps an epoch's data key to an operator's X25519
 * public key (ephemeral–static ECDH, the shared secret hashed with both public keys into a wrapping
 * key; the wrap is itself XChaCha20-Poly1305 with the member, operator and epoch as associated data).
 * Revoking rotates to a fresh key for a new epoch: an operator keeps what it was granted (data it may
 * already have read cannot be taken back) but gets no key to anything sealed afterwards.
 */
import { createHash } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blobIdOf } from '../../core/encoding.js';
import { ValidationError } from '../../core/errors.js';
import { generateKeyPair, sharedSecret, type KeyPair } from '../../crypto/x25519.js';
import type { RandomBytes } from '../../crypto/random-bytes.js';

const MAGIC = new TextEncoder().encode('HDC1');
export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 24;
/** Plaintext per chunk: its ciphertext fits one node blob (160 KiB) with room for the header. */
export const CHUNK_PLAINTEXT_BYTES = 96 * 1024;

export type SealedChunk = { id: string; epoch: number; bytes: Uint8Array };

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const text = (s: string) => new TextEncoder().encode(s);

function chunkAad(owner: string, epoch: number): Uint8Array {
  return text(`hindsight-data/v1/${owner}/${epoch}`);
}

/** Encrypts one chunk: "HDC1" | epoch u32 | nonce (24) | ciphertext + tag. */
export function sealChunk(owner: string, epoch: number, key: Uint8Array, plaintext: Uint8Array, random: RandomBytes): SealedChunk {
  if (key.length !== DATA_KEY_BYTES) throw new ValidationError('data.key.invalid', `data key: expected ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  const nonce = random(NONCE_BYTES);
  const sealed = xchacha20poly1305(key, nonce, chunkAad(owner, epoch)).encrypt(plaintext);
  const bytes = new Uint8Array(4 + 4 + NONCE_BYTES + sealed.length);
  bytes.set(MAGIC, 0);
  new DataView(bytes.buffer).setUint32(4, epoch, true);
  bytes.set(nonce, 8);
  bytes.set(sealed, 8 + NONCE_BYTES);
  return { id: blobIdOf(bytes), epoch, bytes };
}

export function chunkEpoch(bytes: Uint8Array): number {
  if (bytes.length < 8 + NONCE_BYTES + 16 || !MAGIC.every((b, i) => bytes[i] === b)) throw new ValidationError('data.decrypt', `chunk: expected "HDC1" and at least ${8 + NONCE_BYTES + 16} bytes, got ${bytes.length} bytes`);
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
}

/** Decrypts a chunk with the key of its epoch; a wrong key or a changed byte is `data.decrypt`. */
export function openChunk(owner: string, bytes: Uint8Array, keys: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const epoch = chunkEpoch(bytes);
  const key = keys.get(epoch);
  if (!key) throw new ValidationError('data.decrypt', `chunk: expected a key for epoch ${epoch}, got keys for [${[...keys.keys()].join(', ')}]`);
  try {
    return xchacha20poly1305(key, bytes.subarray(8, 8 + NONCE_BYTES), chunkAad(owner, epoch)).decrypt(bytes.subarray(8 + NONCE_BYTES));
  } catch {
    throw new ValidationError('data.decrypt', `chunk: expected ciphertext that authenticates under the epoch ${epoch} key, got one that does not`);
  }
}

/** Splits examples into JSONL chunks of at most CHUNK_PLAINTEXT_BYTES (one example never spans two). */
export function chunkExamples(examples: readonly { text: string; label: number }[], limit = CHUNK_PLAINTEXT_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const e of examples) {
    const line = JSON.stringify({ text: e.text, label: e.label });
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size + bytes > limit && lines.length > 0) {
      out.push(text(`${lines.join('\n')}\n`));
      lines = [];
      size = 0;
    }
    lines.push(line);
    size += bytes;
  }
  if (lines.length > 0) out.push(text(`${lines.join('\n')}\n`));
  return out;
}

export function parseChunk(plaintext: Uint8Array): { text: string; label: number }[] {
  return new TextDecoder().decode(plaintext).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { text: string; label: number });
}

export type WrappedKey = { epoch: number; ephemeral: string; nonce: string; wrapped: string };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function wrapKeyFor(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return sha256(text('hindsight-data-wrap/v1'), shared, ephemeral, recipient);
}
const wrapAad = (owner: string, to: string, epoch: number) => text(`hindsight-grant/v1/${owner}/${to}/${epoch}`);

/** Wraps one epoch's data key to the recipient's X25519 public key. */
export function wrapDataKey(owner: string, to: string, recipientKey: Uint8Array, epoch: number, key: Uint8Array, random: RandomBytes, ephemeral: KeyPair = generateKeyPair()): WrappedKey {
  const shared = sharedSecret(ephemeral, recipientKey);
  const nonce = random(NONCE_BYTES);
  const wrapped = xchacha20poly1305(wrapKeyFor(shared, ephemeral.publicKey, recipientKey), nonce, wrapAad(owner, to, epoch)).encrypt(key);
  return { epoch, ephemeral: hex(ephemeral.publicKey), nonce: hex(nonce), wrapped: hex(wrapped) };
}

/** The recipient's side: its X25519 key pair unwraps a grant's data key. */
export function unwrapDataKey(owner: string, to: string, recipient: KeyPair, w: WrappedKey): Uint8Array {
  const ephemeral = unhex(w.ephemeral);
  const shared = sharedSecret(recipient, ephemeral);
  try {
    return xchacha20poly1305(wrapKeyFor(shared, ephemeral, recipient.publicKey), unhex(w.nonce), wrapAad(owner, to, w.epoch)).decrypt(unhex(w.wrapped));
  } catch {
    throw new ValidationError('data.decrypt', `grant of epoch ${w.epoch}: expected a key wrapped to this recipient, got one that does not open`);
  }
}
