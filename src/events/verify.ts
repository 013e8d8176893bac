import type { Hex } from 'viem';
import { AuthError, ValidationError } from '../core/errors.js';
import { encode } from '../core/encoding.js';
import { dagCborCidString } from '../core/cid-string.js';
import { parseDid } from './did.js';
import { verifyEd25519 } from './keys.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, EnvelopeSchema, encodeSigned, type SignedEvent } from './envelope.js';
import { eventTypeSpec } from './registry.js';
import { eip191Message } from './sign.js';

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
};

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
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) throw zodIssue('event', parsed.error);
  const event = parsed.data;
  if (options.community && event.community !== options.community) {
    throw new ValidationError('event.wrongCommunity', `community: expected ${options.community}, got ${event.community}`, { field: 'community' });
  }
  const spec = eventTypeSpec(event.type);
  if (!spec) throw new ValidationError('event.unknownType', `type: expected a known event type, got ${JSON.stringify(event.type)}`, { field: 'type' });

  const { signing, full: bytes } = encodeSigned(event);
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  // The payload is never larger than the whole event, so only a large event pays for a second encoding.
  const payloadSize = bytes.length > maxPayload ? encode(event.payload).length : 0;
  if (payloadSize > maxPayload) {
    throw new ValidationError('event.tooLarge', `payload: expected at most ${maxPayload} bytes, got an event of ${payloadSize} bytes`, { field: 'payload', expected: `≤ ${maxPayload} bytes`, got: `${payloadSize} bytes` });
  }
  const payload = spec.payload.safeParse(event.payload);
  if (!payload.success) throw zodIssue('payload', payload.error);

  if (!options.skipSignature) await verifySignature(event, signing);
  // Every schema in the event table is an object schema; eventTypeSpec erases that to z.ZodType.
  const data = payload.data as Record<string, unknown>;
  return { event, payload: data, cid: dagCborCidString(bytes), bytes, round: spec.roundOf ? spec.roundOf(data) : null };
}

async function verifySignature(event: SignedEvent, message: Uint8Array): Promise<void> {
  const author = parseDid(event.author);
  if (author.method === 'key') {
    if (event.signer !== undefined || event.cap !== undefined || event.cacao !== undefined) {
      throw new AuthError('sig.unexpectedDelegation', 'signer/cap/cacao: expected none for a did:key author, got a delegation', { field: 'cap' });
    }
    const sig = decodeEd25519Sig(event.sig);
    if (!verifyEd25519(event.author, message, sig)) throw new AuthError('sig.invalid', `sig: expected an Ed25519 signature by ${event.author}, got one that does not verify`, { field: 'sig' });
    return;
  }
  if (event.cap !== undefined || event.signer !== undefined || event.cacao !== undefined) {
    if (!event.cap || !event.signer || !event.cacao) {
      throw new AuthError('sig.incompleteDelegation', 'signer, cap and cacao: expected all three for a delegated event, got only some', { field: 'cap' });
    }
    if (parseDid(event.signer, 'signer').method !== 'key') throw new AuthError('sig.signerNotKey', `signer: expected a did:key session key, got ${event.signer}`, { field: 'signer' });
    // viem is heavy to import; only Ethereum-signed events need it.
    const { verifyDelegation } = await import('./cacao.js');
    await verifyDelegation({ cacao: event.cacao, cap: event.cap, author: event.author, signer: event.signer, community: event.community, time: event.time });
    if (!verifyEd25519(event.signer, message, decodeEd25519Sig(event.sig))) {
      throw new AuthError('sig.invalid', `sig: expected an Ed25519 signature by session key ${event.signer}, got one that does not verify`, { field: 'sig' });
    }
    return;
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(event.sig)) throw new AuthError('sig.malformed', `sig: expected a 65-byte 0x-hex EIP-191 signature, got ${event.sig.length} characters`, { field: 'sig' });
  const { recoverMessageAddress } = await import('viem');
  const recovered = await recoverMessageAddress({ message: eip191Message(message), signature: event.sig as Hex }).catch(() => undefined);
  if (!recovered || recovered.toLowerCase() !== author.address.toLowerCase()) {
    throw new AuthError('sig.invalid', `sig: expected an EIP-191 signature by ${author.address}, got one by ${recovered ?? 'nobody'}`, { field: 'sig' });
  }
}

function decodeEd25519Sig(sig: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) throw new AuthError('sig.malformed', `sig: expected a 64-byte base64url Ed25519 signature, got ${sig.length} characters`, { field: 'sig' });
  return new Uint8Array(Buffer.from(sig, 'base64url'));
}

