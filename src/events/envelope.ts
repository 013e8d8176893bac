import { z } from 'zod';
import { encode, cidOfBytes } from '../core/encoding.js';

/** The event format version this code writes and accepts. */
export const EVENT_VERSION = 1;
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

const CidText = z.string().regex(/^b[a-z2-7]{20,120}$/, 'a base32 CIDv1 string');

/**
 * The signed envelope. `sig` covers the DAG-CBOR encoding of every other field; the event id is the
 * CID of the whole signed envelope. `cap` names the CACAO (by CID) that lets a session key sign for
 * a did:pkh author, and `cacao` carries it so the event verifies on its own; `signer` is that
 * session key.
 */
export const EnvelopeSchema = z.strictObject({
  v: z.literal(EVENT_VERSION),
  type: z.string().regex(/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/, 'a dotted event type like "trade.commit"'),
  community: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a community id of lowercase letters, digits and dashes'),
  author: z.string().min(8).max(200),
  prev: CidText.nullable(),
  nonce: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  time: z.number().int().min(0).max(8_640_000_000_000_000),
  payload: z.record(z.string(), z.unknown()),
  signer: z.string().min(8).max(200).optional(),
  cap: CidText.optional(),
  cacao: z.record(z.string(), z.unknown()).optional(),
  sig: z.string().min(1).max(400),
});

export type SignedEvent = z.infer<typeof EnvelopeSchema>;
export type UnsignedEvent = Omit<SignedEvent, 'sig'>;

/** Bytes an author signs: the canonical encoding of the envelope without `sig`. */
export function signingBytes(event: UnsignedEvent | SignedEvent): Uint8Array {
  const { sig: _sig, ...unsigned } = event as SignedEvent;
  return encode(stripUndefined(unsigned));
}

export function eventBytes(event: SignedEvent): Uint8Array {
  return encode(stripUndefined(event));
}

/**
 * Both encodings of a signed event from one encoder pass: the signing bytes, and the full event
 * bytes made by splicing the `sig` entry into them. DAG-CBOR sorts map keys by length, then bytes,
 * so `sig` always lands right after `v` and (if present) `cap`; a property test checks the splice
 * equals a fresh encoding. Verification is the hot path, and this halves its encoding work.
 */
export function encodeSigned(event: SignedEvent): { signing: Uint8Array; full: Uint8Array } {
  const { sig, ...unsigned } = event;
  const clean = stripUndefined(unsigned);
  const signing = encode(clean);
  return { signing, full: spliceSig(signing, clean, sig) ?? eventBytes(event) };
}

/**
 * The full event bytes from the signing bytes of `clean` (the envelope without `sig`, undefined
 * fields stripped) and its `sig`, or undefined when the map header is not the one-byte kind.
 */
export function spliceSig(signing: Uint8Array, clean: UnsignedEvent, sig: string): Uint8Array | undefined {
  const entries = Object.keys(clean).length;
  if (entries >= 23 || signing[0] !== 0xa0 + entries) return undefined;
  const sigEntry = encode({ sig }).subarray(1);
  const v = encode({ v: clean.v }).length - 1;
  const cap = clean.cap === undefined ? 0 : encode({ cap: clean.cap }).length - 1;
  const split = 1 + v + cap;
  const full = new Uint8Array(signing.length + sigEntry.length);
  full[0] = 0xa0 + entries + 1;
  full.set(signing.subarray(1, split), 1);
  full.set(sigEntry, split);
  full.set(signing.subarray(split), split + sigEntry.length);
  return full;
}

export function eventCid(event: SignedEvent): string {
  return cidOfBytes(eventBytes(event)).toString();
}

/** DAG-CBOR has no undefined: optional fields that are absent must not appear at all. */
export function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
