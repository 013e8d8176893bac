import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import { signingBytes, type UnsignedEvent } from '../../src/events/envelope';
import { get, post } from './api';

/**
 * A did:key session kept in this browser (localStorage): an Ed25519 key the page signs events
 * with, in the node's envelope format (signingBytes from src/events/envelope.ts).
 */
const STORE = 'hindsight.session.seed';
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const b64url = (b: Uint8Array): string => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * `did` is the author of the session's events: the session's own did:key, or the did:pkh of the
 * Ethereum wallet that delegated to it (then `delegation` names the session key and its CACAO,
 * and travels in every event it signs, as `hindsight key delegate` sessions do).
 */
export type Session = { did: string; seed: Uint8Array; delegation?: { signer: string; cap: string; cacao: Record<string, unknown> } };
const WALLET = 'hindsight.session.wallet';
const unhex = (text: string): Uint8Array => new Uint8Array(text.match(/../g)!.map((h) => parseInt(h, 16)));

export function didOf(seed: Uint8Array): string {
  const pub = ed25519.getPublicKey(seed);
  return `did:key:${base58btc.encode(new Uint8Array([0xed, 0x01, ...pub]))}`;
}

export function loadSession(): Session | null {
  const wallet = localStorage.getItem(WALLET);
  if (wallet) {
    const w = JSON.parse(wallet) as { did: string; seed: string; delegation: NonNullable<Session['delegation']> };
    return { did: w.did, seed: unhex(w.seed), delegation: w.delegation };
  }
  const text = localStorage.getItem(STORE);
  if (!text) return null;
  const seed = unhex(text);
  return { did: didOf(seed), seed };
}

/** Keeps a wallet-delegated session (wallet.ts builds it) in place of any did:key session. */
export function saveWalletSession(s: Session): void {
  localStorage.removeItem(STORE);
  localStorage.setItem(WALLET, JSON.stringify({ did: s.did, seed: hex(s.seed), delegation: s.delegation }));
}

export function newSession(): Session {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  localStorage.removeItem(WALLET);
  localStorage.setItem(STORE, hex(seed));
  return { did: didOf(seed), seed };
}

export function endSession(): void {
  localStorage.removeItem(STORE);
  localStorage.removeItem(WALLET);
}

/** Signs and submits one event as the session's author, chained on its current head; the session key signs. */
export async function submit(s: Session, community: string, type: string, payload: Record<string, unknown>): Promise<{ cid: string; seq: number }> {
  const author = await get<{ head: string | null; nonce: number }>(`/v1/authors/${encodeURIComponent(s.did)}`);
  const unsigned = { v: 1, type, community, author: s.did, prev: author.head, nonce: author.nonce + 1, time: Date.now(), payload, ...s.delegation } as UnsignedEvent;
  const sig = b64url(ed25519.sign(signingBytes(unsigned), s.seed));
  return post('/v1/events', { ...unsigned, sig });
}
