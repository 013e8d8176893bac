import type { LocalAccount } from 'viem';
import { cidOfBytes, encode } from '../core/encoding.js';
import type { Cacao } from './cacao.js';
import { cidString } from '../core/encoding.js';
import { EVENT_VERSION, eventBytes, signingBytes, spliceSig, stripUndefined, type SignedEvent, type UnsignedEvent } from './envelope.js';
import type { Signer } from './keys.js';

export type EventDraft = {
  type: string;
  community: string;
  payload: Record<string, unknown>;
  prev: string | null;
  nonce: number;
  time: number;
};

/** The text an Ethereum wallet signs (EIP-191 personal_sign) for an event: names the unsigned event's CID. */
export function eip191Message(unsignedBytes: Uint8Array): string {
  return `Hindsight event ${cidOfBytes(unsignedBytes).toString()}`;
}

/** Signs a draft as `signer.did`: an Ed25519 did:key, an Ethereum key (EIP-191), or a delegated session key (with its CACAO). */
export function signEvent(signer: Signer, draft: EventDraft): SignedEvent {
  return signed(signer, draft).event;
}

/**
 * Signs a draft and names the result by its CID, encoding the envelope once: the full bytes are the
 * signing bytes with the `sig` entry spliced in (encodeSigned). An event chain needs each event's
 * CID for the next one's `prev`, and a second encoding cost as much as the first.
 */
export function signEventWithCid(signer: Signer, draft: EventDraft): { event: SignedEvent; cid: string } {
  const { event, clean, bytes } = signed(signer, draft);
  const full = spliceSig(bytes, clean, event.sig) ?? eventBytes(event);
  return { event, cid: cidOfBytes(full).toString() };
}

function signed(signer: Signer, draft: EventDraft): { event: SignedEvent; clean: UnsignedEvent; bytes: Uint8Array } {
  const unsigned: UnsignedEvent = signer.delegation ? stripUndefined({ v: EVENT_VERSION, ...draft, author: signer.did, ...signer.delegation }) : { v: EVENT_VERSION, ...draft, author: signer.did };
  const clean = stripUndefined(unsigned);
  const bytes = encode(clean);
  const sig = signer.sigText ? signer.sigText(bytes) : Buffer.from(signer.sign(bytes)).toString('base64url');
  return { event: { ...unsigned, sig }, clean, bytes };
}

/** An event by an Ethereum account, signed by a session key the account delegated to with a CACAO. */
export function signDelegatedEvent(session: Signer, author: string, cacao: Cacao, draft: EventDraft): SignedEvent {
  const unsigned = stripUndefined({ v: EVENT_VERSION, ...draft, author, signer: session.did, cap: cidString(cacao), cacao } as UnsignedEvent);
  const sig = Buffer.from(session.sign(signingBytes(unsigned))).toString('base64url');
  return { ...unsigned, sig };
}

/** An event signed directly by an Ethereum account with personal_sign. */
export async function signEthereumEvent(account: LocalAccount, chainId: number, draft: EventDraft): Promise<SignedEvent> {
  const unsigned: UnsignedEvent = { v: EVENT_VERSION, ...draft, author: `did:pkh:eip155:${chainId}:${account.address}` };
  const sig = await account.signMessage({ message: eip191Message(signingBytes(unsigned)) });
  return { ...unsigned, sig };
}
