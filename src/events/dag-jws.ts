import { z } from 'zod';
import { CID } from 'multiformats/cid';
import { AuthError, ValidationError } from '../core/errors.js';
import { decode, encode, sha256Bytes } from '../core/encoding.js';
import { dagCborCidString } from '../core/cid-string.js';
import { decodeBase64UrlCanonical, isCanonicalBase32Multibase } from './canonical-text.js';
import { parseDid, type Did } from './did.js';
import { EnvelopeSchema, type SignedEvent } from './envelope.js';

/**
 * The second envelope encoding: an event signed as Ceramic signs its events, a DAG-JWS whose
 * payload is the CID of a DAG-CBOR block holding the event's fields, signed (EdDSA) by a did:key
 * session key whose authority comes from a CACAO named in the protected header
 * (`cap: ipfs://<CID>`) and carried with it. On the wire (and in the log) it is what `dids`'
 * `DID.createDagJWS` returns, with the two blocks as base64url text:
 *
 *   { jws: { payload, signatures: [{ protected, signature }], link? }, linkedBlock, cacaoBlock? }
 *
 * The mapping to the game's event is documented in docs/api.md ("Ceramic DAG-JWS events").
 */
const B64u = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/, 'base64url without padding');

export const DagJwsEventSchema = z
  .strictObject({
    jws: z.strictObject({
      payload: B64u(200).describe('base64url of the binary CID of linkedBlock (CIDv1, dag-cbor, sha2-256)'),
      signatures: z
        .array(z.strictObject({ protected: B64u(4096).describe('base64url of the JSON protected header {alg:"EdDSA", kid, cap?}'), signature: B64u(200).describe('base64url Ed25519 signature') }))
        .length(1),
      link: z.union([z.string(), z.strictObject({ '/': z.string() })]).optional().describe('the payload CID, as dids adds it; checked, not stored'),
    }),
    linkedBlock: B64u(16 * 1024 * 1024).describe('base64url of the DAG-CBOR block {v, type, community, author, prev, nonce, time, payload}'),
    cacaoBlock: B64u(64 * 1024).optional().describe('base64url of the DAG-CBOR CACAO block the header `cap` names (for a did:pkh author)'),
  })
  .describe('a Ceramic-style DAG-JWS signed event');
export type DagJwsEvent = z.infer<typeof DagJwsEventSchema>;

/** Whether a submitted value claims the DAG-JWS encoding (it is then judged only as one). */
export function isDagJwsShape(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'jws' in raw;
}

export type DecodedDagJws = {
  /** The event as the game reads it; `sig` is the JWS signature text, `signer` the kid's did:key. */
  event: SignedEvent;
  /** The JWS signing input, ASCII `protected.payload`. */
  signingInput: Uint8Array;
  signature: Uint8Array;
  /** The did:key that signed (the kid without its fragment). */
  kid: Did;
  /** What the log stores: the DAG-CBOR of the wire form without `jws.link`. */
  stored: DagJwsEvent;
};

/** What the payload block holds: the unsigned fields of the native envelope, without signer/cap/cacao. */
const BLOCK_FIELDS = new Set(['v', 'type', 'community', 'author', 'prev', 'nonce', 'time', 'payload']);

const HeaderSchema = z.strictObject({
  alg: z.literal('EdDSA'),
  kid: z.string().min(8).max(300),
  cap: z.string().max(200).optional(),
  typ: z.string().max(40).optional(),
});

/**
 * Decodes a DAG-JWS event without checking its signature: every text in its one spelling, the
 * payload CID is the hash of linkedBlock, the blocks are canonical DAG-CBOR, the header is
 * {alg: EdDSA, kid, cap?} and `cap` names cacaoBlock's CID. Used by verification (which then checks
 * the signature and the delegation) and by replay of our own log (which trusts what intake checked).
 */
export function decodeDagJws(wire: DagJwsEvent): DecodedDagJws {
  const sigEntry = wire.jws.signatures[0]!;
  const payloadBytes = canonicalBytes(wire.jws.payload, 'jws.payload');
  let payloadCid: CID;
  try {
    payloadCid = CID.decode(payloadBytes);
  } catch (cause) {
    throw new ValidationError('cid.invalid', `jws.payload: expected a binary CID, got ${payloadBytes.length} bytes that are not one`, { field: 'jws.payload' }, { cause });
  }
  if (payloadCid.version !== 1 || payloadCid.code !== 0x71 || payloadCid.multihash.code !== 0x12) {
    throw new ValidationError('cid.invalid', `jws.payload: expected a CIDv1 of a DAG-CBOR block with a sha2-256 hash, got ${payloadCid.toString()}`, { field: 'jws.payload' });
  }
  const linkedBytes = canonicalBytes(wire.linkedBlock, 'linkedBlock');
  if (!Buffer.from(sha256Bytes(linkedBytes)).equals(payloadCid.multihash.digest)) {
    throw new ValidationError('cid.invalid', `linkedBlock: expected the block whose CID the JWS payload names (${payloadCid.toString()}), got one with another hash`, { field: 'linkedBlock' });
  }
  const link = wire.jws.link === undefined ? undefined : typeof wire.jws.link === 'string' ? wire.jws.link : wire.jws.link['/'];
  if (link !== undefined && link !== payloadCid.toString()) {
    throw new ValidationError('cid.invalid', `jws.link: expected the payload CID ${payloadCid.toString()}, got ${link.slice(0, 80)}`, { field: 'jws.link' });
  }
  const fields = canonicalBlock(linkedBytes, 'linkedBlock');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ValidationError('event.schema', 'linkedBlock: expected a DAG-CBOR map of the event fields, got another value', { field: 'linkedBlock' });
  }
  const unknown = Object.keys(fields).find((k) => !BLOCK_FIELDS.has(k));
  if (unknown !== undefined) {
    throw new ValidationError('event.unknownField', `linkedBlock: expected only the fields ${[...BLOCK_FIELDS].join(', ')}, got ${JSON.stringify(unknown.slice(0, 40))}`, { field: `linkedBlock.${unknown.slice(0, 40)}` });
  }
  const { prev, ...rest } = fields as Record<string, unknown>;
  const prevCid = prev === null ? null : CID.asCID(prev);
  if (prevCid === undefined || (prev !== null && prevCid === null)) {
    throw new ValidationError('event.schema', 'linkedBlock.prev: expected a CID link (DAG-CBOR tag 42) to the author\'s previous event, or null', { field: 'linkedBlock.prev' });
  }

  const headerBytes = canonicalBytes(sigEntry.protected, 'jws.signatures.0.protected');
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(Buffer.from(headerBytes).toString('utf8'));
  } catch (cause) {
    throw new ValidationError('event.schema', 'jws.signatures.0.protected: expected a JSON object, got text that is not JSON', { field: 'jws.signatures.0.protected' }, { cause });
  }
  const header = HeaderSchema.safeParse(headerJson);
  if (!header.success) {
    const issue = header.error.issues[0]!;
    const field = ['jws.protected', ...issue.path.map(String)].join('.');
    throw new ValidationError(issue.code === 'unrecognized_keys' ? 'event.unknownField' : 'event.schema', `${field}: ${issue.message}`, { field, expected: issue.message });
  }
  const [kidDid, fragment] = header.data.kid.split('#', 2) as [string, string | undefined];
  const signer = parseDid(kidDid, 'jws.protected.kid');
  if (signer.method !== 'key' || (fragment !== undefined && fragment !== kidDid.slice('did:key:'.length))) {
    throw new AuthError('sig.signerNotKey', `jws.protected.kid: expected an Ed25519 did:key (optionally #its key id), got ${header.data.kid.slice(0, 120)}`, { field: 'jws.protected.kid' });
  }
  const signature = decodeBase64UrlCanonical(sigEntry.signature);
  if (signature === undefined || signature.length !== 64) {
    const code = signature === undefined && /^[A-Za-z0-9_-]{86}$/.test(sigEntry.signature) ? 'sig.nonCanonical' : 'sig.malformed';
    throw new AuthError(code, `jws.signatures.0.signature: expected a 64-byte Ed25519 signature in canonical base64url (86 characters, unused bits zero), got ${JSON.stringify(sigEntry.signature.slice(0, 100))}`, { field: 'jws.signatures.0.signature' });
  }

  const event: Record<string, unknown> = { ...rest, prev: prevCid === null ? null : prevCid.toString(), sig: sigEntry.signature };
  if (header.data.cap !== undefined || wire.cacaoBlock !== undefined) {
    const cap = /^ipfs:\/\/(.+)$/.exec(header.data.cap ?? '')?.[1];
    if (cap === undefined || wire.cacaoBlock === undefined) {
      throw new AuthError('sig.incompleteDelegation', 'jws.protected.cap and cacaoBlock: expected both (cap = ipfs://<CID of cacaoBlock>) for a delegated event, got only one', { field: 'jws.protected.cap' });
    }
    if (!isCanonicalBase32Multibase(cap)) throw new ValidationError('cid.nonCanonical', `jws.protected.cap: expected ipfs:// and a base32 CIDv1 in its one spelling, got ${header.data.cap!.slice(0, 120)}`, { field: 'jws.protected.cap' });
    const cacaoBytes = canonicalBytes(wire.cacaoBlock, 'cacaoBlock');
    const actual = dagCborCidString(cacaoBytes);
    if (actual !== cap) throw new AuthError('cacao.capMismatch', `jws.protected.cap: expected the CID of the cacaoBlock given, ${actual}, got ${cap}`, { field: 'jws.protected.cap' });
    Object.assign(event, { signer: kidDid, cap, cacao: canonicalBlock(cacaoBytes, 'cacaoBlock') });
  }
  const stored: DagJwsEvent = {
    jws: { payload: wire.jws.payload, signatures: [{ protected: sigEntry.protected, signature: sigEntry.signature }] },
    linkedBlock: wire.linkedBlock,
    ...(wire.cacaoBlock !== undefined ? { cacaoBlock: wire.cacaoBlock } : {}),
  };
  return {
    event: event as SignedEvent,
    signingInput: new Uint8Array(Buffer.from(`${sigEntry.protected}.${wire.jws.payload}`, 'ascii')),
    signature,
    kid: kidDid,
    stored,
  };
}

/** The log's bytes of a DAG-JWS event; its event id is their CID. */
export function dagJwsStoredBytes(stored: DagJwsEvent): Uint8Array {
  return encode(stored);
}

/** The event id a DAG-JWS event gets (the CID of the bytes the log stores), for an author's next `prev`. */
export function dagJwsEventCid(wire: unknown): string {
  const parsed = DagJwsEventSchema.safeParse(wire);
  if (!parsed.success) throw new ValidationError('event.schema', `DAG-JWS event: expected {jws, linkedBlock, cacaoBlock?}, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return dagCborCidString(dagJwsStoredBytes(decodeDagJws(parsed.data).stored));
}

function canonicalBytes(text: string, field: string): Uint8Array {
  const bytes = decodeBase64UrlCanonical(text);
  if (!bytes) throw new ValidationError('encoding.nonCanonical', `${field}: expected base64url in its one spelling (no padding, unused bits zero), got ${text.length} characters that are not`, { field });
  return bytes;
}

/** A DAG-CBOR block that is the one encoding of its value (the decoder alone would accept some others). */
function canonicalBlock(bytes: Uint8Array, field: string): unknown {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (cause) {
    throw new ValidationError('encoding.invalid', `${field}: expected DAG-CBOR, got bytes that do not decode`, { field }, { cause });
  }
  if (!Buffer.from(encode(value)).equals(bytes)) {
    throw new ValidationError('encoding.nonCanonical', `${field}: expected canonical DAG-CBOR (shortest integers, sorted keys), got another encoding of the same value`, { field });
  }
  return value;
}

/**
 * The event the game reads from a value the log stores (or GET /v1/events shows): a native
 * envelope as it is, a DAG-JWS event mapped to the same shape. Nothing is verified here.
 */
export function eventOfLogged(value: unknown): SignedEvent {
  if (!isDagJwsShape(value)) return value as SignedEvent;
  const wire = DagJwsEventSchema.safeParse(value);
  if (!wire.success) throw new ValidationError('event.unreadable', `logged DAG-JWS event: expected the stored form, got ${wire.error.issues[0]?.message}`);
  return decodeDagJws(wire.data).event;
}

/** The author an event claims, read without verifying anything (enough to key a rate limit); undefined if none. */
export function claimedAuthorOf(raw: unknown): string | undefined {
  let author: unknown;
  if (isDagJwsShape(raw)) {
    const block = (raw as { linkedBlock?: unknown }).linkedBlock;
    const bytes = typeof block === 'string' ? decodeBase64UrlCanonical(block) : undefined;
    if (!bytes) return undefined;
    try {
      author = (decode(bytes) as { author?: unknown } | null)?.author;
    } catch {
      return undefined;
    }
  } else {
    author = (raw as { author?: unknown } | null)?.author;
  }
  return typeof author === 'string' && author.length <= 200 ? author : undefined;
}

/** Either encoding of a signed event: what POST /v1/events takes and GET /v1/events shows. */
export const SignedEventSchema = z.union([EnvelopeSchema, DagJwsEventSchema]).describe('a signed event: the native envelope, or a Ceramic-style DAG-JWS');
