import { createHash } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { z } from 'zod';
import { decode, encode } from '../core/encoding.js';
import { canonicalDid } from '../events/did.js';
import type { Submission } from './committee-state.js';
import { credit, debit, ensureFunds } from './ledger.js';
import { requireMember } from './membership.js';
import { getRound, type OpenParticipant } from './rounds.js';
import type { GameState, ItemState, RoundState } from './state.js';
import { ensure, type Handler } from './rules.js';

/**
 * Member-submitted items: during round n−1 a member submits an item for round n as
 * XChaCha20-Poly1305 ciphertext of DAG-CBOR {input, salt} plus sha256 of that plaintext; at
 * round.open the item gets a market; the submitter then publishes the key. A key that fails to
 * decrypt, or decrypts to anything but the committed plaintext (Poly1305 does not commit to its
 * key, so the hash is what binds the content), voids the item and forfeits its bond. Decryption
 * here is deterministic pure computation.
 */

export const TAG_BYTES = 16;

/** The id the game gives a submitted item: "s-" + the last 20 characters of the submission's CID. */
export function submittedItemId(cid: string): string {
  return `s-${cid.slice(-20)}`;
}

const Plaintext = z.strictObject({
  input: z.union([z.strictObject({ text: z.string().max(16_384) }), z.strictObject({ features: z.array(z.number().int().min(-(2 ** 52)).max(2 ** 52)).max(65_536) })]),
  salt: z.string().regex(/^[0-9a-f]{32,64}$/),
});

export function plaintextCommitment(plaintext: Uint8Array): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

/**
 * The submitter's side, deterministic given its secrets (the SDK draws `key`, `nonce` and `salt`
 * at random): plaintext = DAG-CBOR {input, salt}; returns the item.submit fields.
 */
export function sealItem(args: { input: ItemState['input']; key: string; nonce: string; salt: string }): { ciphertext: string; nonce: string; commitment: string } {
  const plaintext = encode({ input: args.input, salt: args.salt });
  const ciphertext = xchacha20poly1305(Buffer.from(args.key, 'hex'), Buffer.from(args.nonce, 'hex')).encrypt(plaintext);
  return { ciphertext: Buffer.from(ciphertext).toString('base64url'), nonce: args.nonce, commitment: plaintextCommitment(plaintext) };
}

/** The decrypted input if `key` opens the submission to its committed plaintext in an allowed format, else why not. */
export function openSubmission(s: Pick<Submission, 'ciphertext' | 'nonce' | 'commitment'>, key: string, formats: readonly string[]): { ok: true; input: ItemState['input'] } | { ok: false; reason: 'badKey' | 'badFormat' } {
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(Buffer.from(key, 'hex'), Buffer.from(s.nonce, 'hex')).decrypt(Buffer.from(s.ciphertext, 'base64url'));
  } catch {
    return { ok: false, reason: 'badKey' };
  }
  if (plaintextCommitment(plaintext) !== s.commitment) return { ok: false, reason: 'badKey' };
  let parsed: z.infer<typeof Plaintext>;
  try {
    parsed = Plaintext.parse(decode(plaintext));
  } catch {
    return { ok: false, reason: 'badFormat' };
  }
  const format = 'text' in parsed.input ? 'text' : 'features';
  if (!formats.includes(format)) return { ok: false, reason: 'badFormat' };
  return { ok: true, input: parsed.input };
}

export const itemSubmitHandler: Handler<'item.submit'> = (state, ev) => {
  const p = ev.payload;
  const config = state.community?.config.items;
  ensure(config !== undefined, 'items.disabled', 'type', 'a community whose config accepts member items (config.items)', 'none');
  const m = requireMember(state, ev.event.author);
  ensure(m.bond > 0n, 'member.notBonded', 'author', 'a member with an active bond (member.bond first)', '0 bonded');
  const r = getRound(state, p.round);
  ensure(r.phase === 'scheduled', 'round.wrongPhase', 'round', 'a scheduled round not yet open (items are submitted during the round before)', r.phase);
  if (p.buckets) {
    ensure(p.buckets.length === p.outcomes - 1, 'item.badBuckets', 'buckets', `${p.outcomes - 1} boundaries for ${p.outcomes} outcomes`, p.buckets.length);
    ensure(p.buckets.every((b, i) => i === 0 || b > p.buckets![i - 1]!), 'item.badBuckets', 'buckets', 'strictly ascending boundaries', p.buckets);
  }
  const bytes = Buffer.from(p.ciphertext, 'base64url');
  ensure(bytes.toString('base64url') === p.ciphertext && bytes.length > TAG_BYTES, 'item.malformedCiphertext', 'ciphertext', `canonical base64url of more than ${TAG_BYTES} bytes (ciphertext ‖ Poly1305 tag)`, `${p.ciphertext.length} characters`);
  ensure(bytes.length - TAG_BYTES <= config.maxBytes, 'item.tooLarge', 'ciphertext', `a plaintext of at most ${config.maxBytes} bytes`, `${bytes.length - TAG_BYTES} bytes`);
  const mine = [...r.submissions.values()].filter((s) => s.submitter === m.did).length;
  ensure(mine < config.perMemberQuota, 'item.quota', 'round', `at most ${config.perMemberQuota} items per member per round`, mine + 1);
  ensure(r.submissions.size < config.maxPerRound, 'item.roundFull', 'round', `at most ${config.maxPerRound} submitted items per round`, r.submissions.size + 1);
  const id = submittedItemId(ev.cid);
  ensure(!r.items.has(id) && !r.submissions.has(id), 'item.duplicate', 'item', 'a new item id', id);
  const bond = BigInt(config.bond);
  ensureFunds(state.ledger, m.did, bond, 'bond');
  debit(state.ledger, m.did, bond);
  state.ledger.bonded += bond;
  r.submissions.set(id, {
    id,
    round: p.round,
    submitter: m.did,
    outcomes: p.outcomes,
    buckets: p.buckets ?? null,
    ciphertext: p.ciphertext,
    nonce: p.nonce,
    commitment: p.commitment,
    bond,
    status: 'pending',
    voidReason: null,
    key: null,
  });
};

function getSubmission(r: RoundState, item: string): Submission {
  const s = r.submissions.get(item);
  ensure(s !== undefined, 'item.unknown', 'item', `an item submitted for round ${r.round}`, item);
  return s;
}

/** Voids a submission, forfeiting its bond to the treasury, and voids its market if open. */
export function forfeitSubmission(state: GameState, r: RoundState, s: Submission, reason: string): void {
  state.ledger.bonded -= s.bond;
  state.ledger.treasury += s.bond;
  s.status = 'void';
  s.voidReason = reason;
  s.ciphertext = '';
  const market = r.markets.get(s.id);
  if (market) market.voided = true;
}

export const itemKeyHandler: Handler<'item.key'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const s = getSubmission(r, p.item);
  ensure(s.submitter === canonicalDid(ev.event.author), 'item.notSubmitter', 'author', `the submitter ${s.submitter}`, ev.event.author);
  ensure(r.phase !== 'scheduled', 'item.keyEarly', 'round', 'an open round (keys are published at round open, not before)', r.phase);
  ensure(r.phase === 'trading' && ev.event.time < r.tradingDeadline, 'item.keyLate', 'time', `an open round before its trading deadline ${r.tradingDeadline}`, `${r.phase} at ${ev.event.time}`);
  ensure(s.status === 'pending', 'item.keyDuplicate', 'item', 'an item whose key is not published yet', s.status);
  const formats = state.community!.config.items?.formats ?? ['text', 'features'];
  const opened = openSubmission(s, p.key, formats);
  s.key = p.key;
  if (!opened.ok) {
    forfeitSubmission(state, r, s, opened.reason);
    return;
  }
  s.status = 'valid';
  s.ciphertext = '';
  r.items.set(s.id, { id: s.id, outcomes: s.outcomes, input: opened.input });
  state.ledger.bonded -= s.bond;
  credit(state.ledger, s.submitter, s.bond);
};

/** Settles a submission whose key never came: after the trading deadline it is voided and its bond forfeited; in a voided round it is refunded. */
export const itemExpireHandler: Handler<'item.expire'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const s = getSubmission(r, p.item);
  ensure(s.status === 'pending', 'item.notPending', 'item', 'an item whose key was never published', s.status);
  if (r.phase === 'void') {
    state.ledger.bonded -= s.bond;
    credit(state.ledger, s.submitter, s.bond);
    s.status = 'void';
    s.voidReason = 'roundVoid';
    s.ciphertext = '';
    return;
  }
  ensure(r.phase !== 'scheduled' && ev.event.time >= r.tradingDeadline, 'item.keyWindowOpen', 'time', `at or after the trading deadline ${r.tradingDeadline} of an opened round`, `${r.phase} at ${ev.event.time}`);
  forfeitSubmission(state, r, s, 'noKey');
};

/** Whether committee members can label an item: an admin item, or a submitted one whose key opened it. */
export function isLabelable(r: RoundState, item: string): boolean {
  return r.items.has(item) && r.markets.has(item);
}

/** Scalar boundaries of an item (submitted scalar items), or null for categorical. */
export function itemBuckets(r: RoundState, item: string): number[] | null {
  return r.submissions.get(item)?.buckets ?? null;
}

/** Forfeits every submission of the round still waiting for its key (called when labels resolve). */
export function expirePending(state: GameState, r: RoundState): void {
  for (const s of r.submissions.values()) if (s.status === 'pending') forfeitSubmission(state, r, s, 'noKey');
}

/** Submitted items' part in round.open: every submission still waiting for its key gets a market. */
export const submissionOpening: OpenParticipant = {
  plan(_state, r) {
    const pending = [...r.submissions.values()].filter((s) => s.status === 'pending');
    for (const s of pending) ensure(!r.items.has(s.id), 'item.duplicate', 'items.id', 'item ids unique within the round', s.id);
    return pending.map((s) => ({ id: s.id, outcomes: s.outcomes }));
  },
  commit() {},
};
