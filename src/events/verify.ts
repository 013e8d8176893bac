import type { Hex } from 'viem';
import { AuthError, ValidationError } from '../core/errors.js';
import { encode } from '../core/encoding.js';
import { dagCborCidString } from '../core/cid-string.js';
import { parseDid, type Did } from './did.js';
import { verifyEd25519 } from './keys.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, EnvelopeSchema, encodeSigned, type SignedEvent } from './envelope.js';
import { eventTypeSpec } from './registry.js';
import { eip191Message } from './sign.js';
import { decodeBase64UrlCanonical, isCanonicalBase32Multibase } from './canonical-text.js';
import { DagJwsEventSchema, dagJwsStoredBytes, decodeDagJws, isDagJwsShape, type DecodedDagJws } from './dag-jws.js';
import { MAX_EVENT_NESTING, nestingExceeds } from './nesting.js';

export type VerifiedEvent = {
  event: SignedEvent;
  /** The payload after its schema parsed it (defaults filled in); what apply reads. */
  payload: Record<string, unknown>;
  cid: string;
  bytes: Uint8Array;
  round: number | null;
};

export type VerifyOptions = {
  maxPayloadBytes?: number;
  community?: string;
  /** Replaying our own store skips signatures, which were checked when the event was appended. */
  skipSignature?: boolean;
  /**
   * The node's clock at intake (ms since the epoch) and the largest difference allowed between it
   * and an event's `time`; a delegation must also not have expired by it. Absent (an embedded engine
   * on simulated time, replay, a follower), events are judged by their own time only.
   */
  clock?: IntakeTime;
  /** Where Ed25519 signatures are checked (a VerifyPool's worker threads); default: here, synchronously. */
  ed25519?: Ed25519Check;
};

export type Ed25519Check = (did: Did, message: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;

export type IntakeTime = { now: number; maxSkewMs: number };

function zodIssue(prefix: string, error: { issues: { path: PropertyKey[]; message: string; code: string }[] }): ValidationError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const field = path ? `${prefix}.${path}` : prefix;
  const code = issue.code === 'unrecognized_keys' ? 'event.unknownField' : 'event.schema';
  return new ValidationError(code, `${field}: ${issue.message}`, { field, expected: issue.message });
}

/**
 * Stateless checks, in the order that fails cheapest first: envelope schema, known type, payload
 * size, payload schema, then the signature (Ed25519 did:key, EIP-191 did:pkh, or a did:key session
 * key delegated by a CACAO). Stateful checks (balances, phases, prev/nonce) happen in apply.
 */
export async function verifyEvent(raw: unknown, options: VerifyOptions = {}): Promise<VerifiedEvent> {
  if (nestingExceeds(raw, MAX_EVENT_NESTING)) {
    throw new ValidationError('event.tooDeep', `event: expected arrays and objects nested at most ${MAX_EVENT_NESTING} levels, got more`, { field: 'event', expected: `≤ ${MAX_EVENT_NESTING} levels` });
  }
  let jws: DecodedDagJws | undefined;
  let candidate = raw;
  if (isDagJwsShape(raw)) {
    const wire = DagJwsEventSchema.safeParse(raw);
    if (!wire.success) throw zodIssue('event', wire.error);
    jws = decodeDagJws(wire.data);
    candidate = jws.event;
  }
  const parsed = EnvelopeSchema.safeParse(candidate);
  if (!parsed.success) throw zodIssue(jws ? 'linkedBlock' : 'event', parsed.error);
  const event = parsed.data;
  if (options.community && event.community !== options.community) {
    throw new ValidationError('event.wrongCommunity', `community: expected ${options.community}, got ${event.community}`, { field: 'community' });
  }
  const spec = eventTypeSpec(event.type);
  if (!spec) throw new ValidationError('event.unknownType', `type: expected a known event type, got ${JSON.stringify(event.type)}`, { field: 'type' });
  checkCanonicalCids(event);
  if (options.clock) checkSkew(event.time, options.clock);

  const { signing, full: bytes } = jws ? { signing: jws.signingInput, full: dagJwsStoredBytes(jws.stored) } : encodeSigned(event);
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  // The payload is never larger than the whole event, so only a large event pays for a second encoding.
  const payloadSize = bytes.length > maxPayload ? encode(event.payload).length : 0;
  if (payloadSize > maxPayload) {
    throw new ValidationError('event.tooLarge', `payload: expected at most ${maxPayload} bytes, got an event of ${payloadSize} bytes`, { field: 'payload', expected: `≤ ${maxPayload} bytes`, got: `${payloadSize} bytes` });
  }
  const payload = spec.payload.safeParse(event.payload);
  if (!payload.success) throw zodIssue('payload', payload.error);

  if (!options.skipSignature) {
    const ed25519 = options.ed25519 ?? verifyEd25519;
    if (jws) await verifyDagJwsSignature(event, jws, options.clock?.now, ed25519);
    else await verifySignature(event, signing, options.clock?.now, ed25519);
  }
  // Every schema in the event table is an object schema; eventTypeSpec erases that to z.ZodType.
  const data = payload.data as Record<string, unknown>;
  return { event, payload: data, cid: dagCborCidString(bytes), bytes, round: spec.roundOf ? spec.roundOf(data) : null };
}

/** `prev` and `cap` name events and CACAOs by CID text: only its one spelling is accepted. */
function checkCanonicalCids(event: SignedEvent): void {
  for (const field of ['prev', 'cap'] as const) {
    const text = event[field];
    if (typeof text === 'string' && !isCanonicalBase32Multibase(text)) {
      throw new ValidationError('cid.nonCanonical', `${field}: expected a base32 CID in its one spelling (the bits its last character leaves over zero), got ${text}`, { field });
    }
  }
}

function checkSkew(time: number, clock: IntakeTime): void {
  const skew = time - clock.now;
  if (Math.abs(skew) <= clock.maxSkewMs) return;
  throw new ValidationError(
    'event.timeSkew',
    `time: expected within ${clock.maxSkewMs} ms of this node's clock (${new Date(clock.now).toISOString()}), got ${Number.isFinite(new Date(time).getTime()) ? new Date(time).toISOString() : time}, ${Math.abs(skew)} ms ${skew < 0 ? 'behind' : 'ahead'}`,
    { field: 'time', expected: `|time - now| ≤ ${clock.maxSkewMs} ms`, got: `${skew} ms` },
  );
}

/** A DAG-JWS event: the session key (kid) signed `protected.payload`; a did:pkh author needs the CACAO `cap` names. */
async function verifyDagJwsSignature(event: SignedEvent, jws: DecodedDagJws, now: number | undefined, ed25519: Ed25519Check): Promise<void> {
  const author = parseDid(event.author);
  if (author.method === 'key') {
    if (event.cap !== undefined) throw new AuthError('sig.unexpectedDelegation', 'jws.protected.cap: expected none for a did:key author, got a delegation', { field: 'jws.protected.cap' });
    if (jws.kid !== event.author) throw new AuthError('sig.invalid', `jws.protected.kid: expected the author ${event.author}, got ${jws.kid}`, { field: 'jws.protected.kid' });
  } else {
    if (event.cap === undefined || event.signer === undefined) {
      throw new AuthError('sig.incompleteDelegation', 'jws.protected.cap and cacaoBlock: expected a CACAO delegation for a did:pkh author, got none', { field: 'jws.protected.cap' });
    }
    const { verifyDelegation } = await import('./cacao.js');
    await verifyDelegation({ cacao: event.cacao, cap: event.cap, author: event.author, signer: event.signer, community: event.community, time: event.time, now });
  }
  if (!(await ed25519(jws.kid, jws.signingInput, jws.signature))) {
    throw new AuthError('sig.invalid', `jws.signatures.0.signature: expected an Ed25519 signature by ${jws.kid} over the protected header and payload, got one that does not verify`, { field: 'jws.signatures.0.signature' });
  }
}

async function verifySignature(event: SignedEvent, message: Uint8Array, now: number | undefined, ed25519: Ed25519Check): Promise<void> {
  const author = parseDid(event.author);
  if (author.method === 'key') {
    if (event.signer !== undefined || event.cap !== undefined || event.cacao !== undefined) {
      throw new AuthError('sig.unexpectedDelegation', 'signer/cap/cacao: expected none for a did:key author, got a delegation', { field: 'cap' });
    }
    const sig = decodeEd25519Sig(event.sig);
    if (!(await ed25519(event.author, message, sig))) throw new AuthError('sig.invalid', `sig: expected an Ed25519 signature by ${event.author}, got one that does not verify`, { field: 'sig' });
    return;
  }
  if (event.cap !== undefined || event.signer !== undefined || event.cacao !== undefined) {
    if (!event.cap || !event.signer || !event.cacao) {
      throw new AuthError('sig.incompleteDelegation', 'signer, cap and cacao: expected all three for a delegated event, got only some', { field: 'cap' });
    }
    if (parseDid(event.signer, 'signer').method !== 'key') throw new AuthError('sig.signerNotKey', `signer: expected a did:key session key, got ${event.signer}`, { field: 'signer' });
    // viem is heavy to import; only Ethereum-signed events need it.
    const { verifyDelegation } = await import('./cacao.js');
    await verifyDelegation({ cacao: event.cacao, cap: event.cap, author: event.author, signer: event.signer, community: event.community, time: event.time, now });
    if (!(await ed25519(event.signer, message, decodeEd25519Sig(event.sig)))) {
      throw new AuthError('sig.invalid', `sig: expected an Ed25519 signature by session key ${event.signer}, got one that does not verify`, { field: 'sig' });
    }
    return;
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(event.sig)) throw new AuthError('sig.malformed', `sig: expected a 65-byte 0x-hex EIP-191 signature, got ${event.sig.length} characters`, { field: 'sig' });
  checkCanonicalEip191(event.sig);
  const { recoverMessageAddress } = await import('viem');
  const recovered = await recoverMessageAddress({ message: eip191Message(message), signature: event.sig as Hex }).catch(() => undefined);
  if (!recovered || recovered.toLowerCase() !== author.address.toLowerCase()) {
    throw new AuthError('sig.invalid', `sig: expected an EIP-191 signature by ${author.address}, got one by ${recovered ?? 'nobody'}`, { field: 'sig' });
  }
}

function decodeEd25519Sig(sig: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) throw new AuthError('sig.malformed', `sig: expected a 64-byte base64url Ed25519 signature, got ${sig.length} characters`, { field: 'sig' });
  // 86 characters carry 516 bits: the last one's 4 unused bits must be zero, or 16 texts (16 event ids) would name one signature.
  const bytes = decodeBase64UrlCanonical(sig);
  if (!bytes) throw new AuthError('sig.nonCanonical', `sig: expected the canonical base64url of a 64-byte signature (unused bits of the last character zero), got ${sig.slice(-4)} at its end`, { field: 'sig' });
  return bytes;
}

/** Half the order of secp256k1: an ECDSA signature with s above it has a twin (n - s, other v) that verifies too. */
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * The one spelling of an EIP-191 signature: lowercase hex, s in the lower half (EIP-2) and v 27 or
 * 28. Otherwise anyone could turn a signature into another that recovers the same address (upper
 * case, n - s, v 0/1), each a different event id.
 */
function checkCanonicalEip191(sig: string): void {
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const v = sig.slice(130, 132);
  if (sig !== sig.toLowerCase() || s > SECP256K1_HALF_N || (v !== '1b' && v !== '1c')) {
    throw new AuthError('sig.nonCanonical', 'sig: expected a canonical EIP-191 signature (lowercase hex, s in the lower half of the curve order, v 1b or 1c), got another spelling', { field: 'sig' });
  }
}
