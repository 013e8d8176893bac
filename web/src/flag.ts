import { sha256 } from '@noble/hashes/sha2.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import * as dagCbor from '@ipld/dag-cbor';
import { get, units } from './api';
import { saveFlag, savedFlags } from './flag-store';
import { submit, type Session } from './session';

/**
 * Flagging a post as spam, as the game takes member items (src/game/items.ts): the post's text
 * becomes a candidate item of the next scheduled round, sealed (XChaCha20-Poly1305 of DAG-CBOR
 * {input, salt}, with sha256 of that plaintext) until the round opens, when its submitter
 * publishes the key. Loaded with the signing code, on the first flag.
 */

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const b64url = (b: Uint8Array): string => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A flag the page refuses before signing anything: nothing is logged. */
export class FlagNotSubmitted extends Error {}

type Community = { id: string; config: { committee?: { minBond: string }; items?: { bond: string; formats: string[] } } };

/**
 * Flags `text`: joins and bonds the session's author as a member if needed, then signs
 * item.submit for the lowest scheduled round. What the page can know beforehand (the community
 * takes no text items, no round is scheduled, the balance cannot cover the bonds) stops it before
 * the first event, so a flag never leaves a join or a bond behind for nothing; anything else the
 * node refuses comes back as the node's own error.
 */
export async function flagPost(s: Session, text: string): Promise<{ round: number; item: string; cid: string }> {
  const [community, state, members, author] = await Promise.all([
    get<Community>('/v1/community'),
    get<{ rounds: { round: number; phase: string }[] }>('/v1/state'),
    get<{ members: { did: string; bond: string; left: boolean }[] }>('/v1/members'),
    get<{ balance: string }>(`/v1/authors/${encodeURIComponent(s.did)}`),
  ]);
  const items = community.config.items;
  if (!items) throw new FlagNotSubmitted('this community takes no member items (its config has no "items" section), so a post cannot be submitted as a candidate item here.');
  if (!items.formats.includes('text')) throw new FlagNotSubmitted(`this community takes member items only as ${items.formats.join(', ')}, not text.`);
  const next = state.rounds.filter((r) => r.phase === 'scheduled').sort((a, b) => a.round - b.round)[0];
  if (!next) throw new FlagNotSubmitted('no round is scheduled yet. A flag becomes a candidate item of the next scheduled round, submitted before that round opens; flag it again once the community schedules one.');
  const me = members.members.find((m) => m.did === s.did && !m.left);
  const memberBond = !me || me.bond === '0' ? BigInt(community.config.committee?.minBond ?? '1000000') : 0n;
  const need = memberBond + BigInt(items.bond);
  if (BigInt(author.balance) < need) {
    const parts = memberBond > 0n ? ` (${units(memberBond.toString())} member bond + ${units(items.bond)} item bond)` : ' (the item bond)';
    throw new FlagNotSubmitted(`flagging needs ${units(need.toString())} units${parts}; this identity's balance is ${units(author.balance)} units. A member can send units to ${s.did} (hindsight ledger transfer --to it).`);
  }
  if (!me) await submit(s, community.id, 'member.join', {});
  if (memberBond > 0n) await submit(s, community.id, 'member.bond', { amount: memberBond.toString() });
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(24));
  const plaintext = dagCbor.encode({ input: { text }, salt: hex(crypto.getRandomValues(new Uint8Array(16))) });
  const ciphertext = xchacha20poly1305(key, nonce).encrypt(plaintext);
  const out = await submit(s, community.id, 'item.submit', { round: next.round, outcomes: 2, ciphertext: b64url(ciphertext), nonce: hex(nonce), commitment: hex(sha256(plaintext)) });
  // The game names a submitted item "s-" + the last 20 characters of its submission's CID.
  const item = `s-${out.cid.slice(-20)}`;
  saveFlag({ round: next.round, item, cid: out.cid, key: hex(key), submitter: s.did });
  return { round: next.round, item, cid: out.cid };
}

/** Publishes a flag's key once its round is open: the item's text becomes public and its bond comes back. */
export async function publishKey(s: Session, item: string): Promise<void> {
  const f = savedFlags().find((x) => x.item === item && x.submitter === s.did);
  if (!f) throw new FlagNotSubmitted(`this browser holds no key for item ${item}.`);
  const community = await get<{ id: string }>('/v1/community');
  await submit(s, community.id, 'item.key', { round: f.round, item: f.item, key: f.key });
}
