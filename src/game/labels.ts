import { createHash } from 'node:crypto';
import { encode } from '../core/encoding.js';
import { canonicalDid } from '../events/did.js';
import { PPM, type CommitteeConfig } from '../events/types/committee-config.js';
import { nextBeacon, currentBeacon } from './committee.js';
import type { CommitteeRound, LabelReveal } from './committee-state.js';
import { expirePending, isLabelable, itemBuckets } from './items.js';
import { credit } from './ledger.js';
import { getMember, slash, stake } from './membership.js';
import { outcomeOf, resolverFor } from './resolvers.js';
import { getRound } from './rounds.js';
import { resolveRound } from './settle.js';
import type { GameState, RoundState } from './state.js';
import { ensure, type Handler } from './rules.js';

/**
 * Committee labels. Seat holders commit H(round ‖ item ‖ member ‖ label ‖ salt) after the trading
 * deadline, reveal after the operators' trade reveals end; `label.resolve` applies the resolver
 * per item, orders the sealed trades by the revealed salts (resolveRound, the same path as
 * round.resolve), pays matching reveals and slashes missing and wrong ones, and feeds the salts
 * into the sortition beacon.
 */

/** sha256 over DAG-CBOR {round, item, member, label, salt}. The member is bound in so nobody can copy a seat-mate's commitment. */
export function labelCommitment(args: { round: number; item: string; member: string; label: number; salt: string }): string {
  return createHash('sha256').update(encode({ round: args.round, item: args.item, member: canonicalDid(args.member), label: args.label, salt: args.salt })).digest('hex');
}

function committeeOf(state: GameState, r: RoundState): { committee: CommitteeRound; config: CommitteeConfig } {
  const config = state.community?.config.committee;
  ensure(config !== undefined, 'committee.disabled', 'type', 'a community whose labels come from a committee (config.committee)', 'none');
  ensure(r.committee !== null, 'committee.none', 'round', `a round whose committee was drawn at round.open`, `round ${r.round} in phase ${r.phase}`);
  return { committee: r.committee, config };
}

function requireSeat(committee: CommitteeRound, did: string): void {
  ensure(committee.members.includes(did), 'committee.notSeated', 'author', 'a member drawn onto this round’s committee', did);
}

function requireLabelPhase(r: RoundState): void {
  ensure(r.phase === 'trading' || r.phase === 'revealing', 'round.wrongPhase', 'round', 'a round past its trading deadline and not yet resolved', r.phase);
}

export const labelCommitHandler: Handler<'label.commit'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const { committee } = committeeOf(state, r);
  const did = canonicalDid(ev.event.author);
  requireSeat(committee, did);
  requireLabelPhase(r);
  ensure(ev.event.time >= r.tradingDeadline, 'label.commitEarly', 'time', `at or after the trading deadline ${r.tradingDeadline} (nobody who knows a label may still trade)`, ev.event.time);
  ensure(ev.event.time < r.labelCommitDeadline, 'label.commitLate', 'time', `before the label commit deadline ${r.labelCommitDeadline}`, ev.event.time);
  // A seat may split its commits over several events (500 items each); each item is committed once.
  const mine = committee.commits.get(did);
  const seen = new Set<string>();
  for (const c of p.commits) {
    ensure(isLabelable(r, c.item), 'item.notLabelable', 'commits.item', `an item of round ${p.round} with a published input`, c.item);
    ensure(!mine?.has(c.item), 'label.duplicate', 'commits.item', 'an item this seat has not committed a label for yet', c.item);
    ensure(!seen.has(c.item), 'label.duplicateItem', 'commits.item', 'each item once', c.item);
    seen.add(c.item);
  }
  const commits = mine ?? new Map();
  for (const c of p.commits) commits.set(c.item, { commitment: c.commitment, exposed: false });
  committee.commits.set(did, commits);
};

export const labelRevealHandler: Handler<'label.reveal'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const { committee } = committeeOf(state, r);
  const did = canonicalDid(ev.event.author);
  requireSeat(committee, did);
  requireLabelPhase(r);
  ensure(ev.event.time >= r.revealDeadline, 'label.revealEarly', 'time', `at or after the trade reveal deadline ${r.revealDeadline}`, ev.event.time);
  ensure(ev.event.time < r.labelRevealDeadline, 'label.revealLate', 'time', `before the label reveal deadline ${r.labelRevealDeadline}`, ev.event.time);
  const commits = committee.commits.get(did);
  ensure(commits !== undefined, 'label.noCommit', 'author', 'a seat holder who committed labels this round', 'no label.commit');
  const revealed = committee.reveals.get(did);
  const seen = new Set<string>();
  for (const x of p.reveals) {
    ensure(commits.has(x.item), 'label.notCommitted', 'reveals.item', 'an item this member committed a label for', x.item);
    ensure(!revealed?.has(x.item), 'label.duplicate', 'reveals.item', 'an item not revealed yet (one reveal per item; a mismatch counts as no reveal)', x.item);
    ensure(!seen.has(x.item), 'label.duplicateItem', 'reveals.item', 'each item once', x.item);
    seen.add(x.item);
  }
  const reveals = revealed ?? new Map<string, LabelReveal>();
  for (const x of p.reveals) {
    const c = commits.get(x.item)!;
    const matches = !c.exposed && labelCommitment({ round: p.round, item: x.item, member: did, label: x.label, salt: x.salt }) === c.commitment;
    // A reveal that does not open its commitment counts as no reveal (and is slashed as missing).
    reveals.set(x.item, matches ? { label: x.label, salt: x.salt } : null);
  }
  committee.reveals.set(did, reveals);
};

/** Anyone who learns a seat holder's label before the reveal window proves it here: the holder loses bond, the exposer gets half. */
export const labelExposeHandler: Handler<'label.expose'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const { committee, config } = committeeOf(state, r);
  const member = canonicalDid(p.member);
  ensure(ev.event.time < r.revealDeadline, 'label.exposeLate', 'time', `before the label reveal window opens at ${r.revealDeadline}`, ev.event.time);
  const c = committee.commits.get(member)?.get(p.item);
  ensure(c !== undefined, 'label.notCommitted', 'item', `an item ${member} committed a label for`, p.item);
  ensure(!c.exposed, 'label.alreadyExposed', 'item', 'a commitment not exposed yet', 'exposed');
  const commitment = labelCommitment({ round: p.round, item: p.item, member, label: p.label, salt: p.salt });
  ensure(commitment === c.commitment, 'label.exposeMismatch', 'salt', `a label and salt opening ${c.commitment}`, commitment);
  const m = getMember(state, member)!;
  c.exposed = true;
  const taken = slash(state, m, (stake(m) * BigInt(config.exposeSlashPpm)) / BigInt(PPM));
  const exposer = canonicalDid(ev.event.author);
  if (exposer !== member && taken > 0n) {
    const bounty = taken / 2n;
    state.ledger.treasury -= bounty;
    credit(state.ledger, exposer, bounty);
  }
  committee.penalties.set(member, (committee.penalties.get(member) ?? 0n) + taken);
};

/** Per seat: valid revealed values per item. */
function validReveals(committee: CommitteeRound): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const did of committee.members) {
    const values = new Map<string, number>();
    const commits = committee.commits.get(did);
    for (const [item, reveal] of committee.reveals.get(did) ?? []) {
      if (reveal && !commits?.get(item)?.exposed) values.set(item, reveal.label);
    }
    out.set(did, values);
  }
  return out;
}

/**
 * Whether a seat holder contributes randomness: it committed and validly revealed every item it
 * committed. All or nothing, so a withholder has exactly two seeds to choose between (contribute
 * or not), not one per item (docs/mechanism.md prices that one bit against the missing-reveal slash).
 */
export function contributes(committee: CommitteeRound, did: string): boolean {
  const commits = committee.commits.get(did);
  const reveals = committee.reveals.get(did);
  if (!commits || !reveals) return false;
  for (const [item, c] of commits) if (c.exposed || !reveals.get(item)) return false;
  return true;
}

/** Every seat committed and revealed (validly or not) each item it committed: resolution need not wait for the deadline. */
export function allRevealed(committee: CommitteeRound): boolean {
  return committee.members.every((did) => {
    const commits = committee.commits.get(did);
    const reveals = committee.reveals.get(did);
    return commits !== undefined && reveals !== undefined && [...commits.keys()].every((item) => reveals.has(item));
  });
}

/** Ordering seed of the round's sealed trades and the beacon's input: sha256 over the salts of every contributing seat, sorted by (member, item). */
export function committeeOrderSeed(round: number, committee: CommitteeRound): string {
  const salts: [string, string, string][] = [];
  for (const did of [...committee.members].sort()) {
    if (!contributes(committee, did)) continue;
    for (const [item, reveal] of [...committee.reveals.get(did)!].sort((a, b) => (a[0] < b[0] ? -1 : 1))) salts.push([did, item, reveal!.salt]);
  }
  return createHash('sha256').update(encode({ round, drawSeed: committee.seed, salts })).digest('hex');
}

export const labelResolveHandler: Handler<'label.resolve'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const { committee, config } = committeeOf(state, r);
  requireLabelPhase(r);
  ensure(r.rules === undefined || r.rules.resolution.fn === 'labels', 'resolve.computed', 'type', 'round.compute (this round\'s outcomes are computed from access reports)', 'label.resolve');
  ensure(!committee.resolved, 'label.resolved', 'round', 'a round whose labels are not resolved yet', 'resolved');
  const everyoneRevealed = allRevealed(committee);
  ensure(
    ev.event.time >= r.labelRevealDeadline || (everyoneRevealed && ev.event.time >= r.revealDeadline),
    'label.resolveEarly',
    'time',
    `at or after the label reveal deadline ${r.labelRevealDeadline} (or after ${r.revealDeadline} once every seat revealed)`,
    ev.event.time,
  );
  // Everything below only computes until the mutations at the end.
  const valid = validReveals(committee);
  const seats = committee.members.length;
  const labels = new Map<string, number | null>();
  const labelable = [...r.markets.keys()].filter((item) => isLabelable(r, item));
  const labelableSet = new Set(labelable);
  for (const item of r.markets.keys()) {
    if (!labelableSet.has(item)) {
      labels.set(item, null);
      continue;
    }
    const values: number[] = [];
    for (const did of committee.members) {
      const v = valid.get(did)!.get(item);
      if (v !== undefined) values.push(v);
    }
    const quorum = seats > 0 && BigInt(values.length) * BigInt(PPM) >= BigInt(config.quorumPpm) * BigInt(seats);
    const spec = { outcomes: r.markets.get(item)!.outcomes, buckets: itemBuckets(r, item) };
    labels.set(item, quorum ? resolverFor(spec)(values, spec) : null);
  }
  const orderSeed = committeeOrderSeed(r.round, committee);

  const outcomes = { matches: new Map<string, number>(), penalties: new Map<string, bigint>() };
  let totalMatches = 0;
  for (const did of committee.members) {
    const mine = valid.get(did)!;
    let missing = 0;
    let wrong = 0;
    let matches = 0;
    for (const item of labelable) {
      const v = mine.get(item);
      if (v === undefined) {
        missing++;
        continue;
      }
      const final = labels.get(item);
      if (final === null || final === undefined) continue;
      const o = outcomeOf(v, { outcomes: r.markets.get(item)!.outcomes, buckets: itemBuckets(r, item) });
      if (o === final) matches++;
      else wrong++;
    }
    const m = getMember(state, did)!;
    const s = stake(m);
    let penalty = missing > 0 ? (s * BigInt(config.missingSlashPpm)) / BigInt(PPM) : 0n;
    if (wrong > 0) penalty += (s * BigInt(config.wrongSlashPpm) * BigInt(wrong)) / (BigInt(PPM) * BigInt(labelable.length));
    outcomes.penalties.set(did, penalty > s ? s : penalty);
    outcomes.matches.set(did, matches);
    totalMatches += matches;
  }

  // Mutations.
  expirePending(state, r);
  resolveRound(state, r, orderSeed, labels);
  committee.labels = labels;
  committee.orderSeed = orderSeed;
  for (const [did, penalty] of outcomes.penalties) {
    if (penalty === 0n) continue;
    const taken = slash(state, getMember(state, did)!, penalty);
    committee.penalties.set(did, (committee.penalties.get(did) ?? 0n) + taken);
  }
  const budget = BigInt(config.rewardPerRound) < state.ledger.treasury ? BigInt(config.rewardPerRound) : state.ledger.treasury;
  if (totalMatches > 0 && budget > 0n) {
    for (const [did, matches] of outcomes.matches) {
      const share = (budget * BigInt(matches)) / BigInt(totalMatches);
      if (share === 0n) continue;
      state.ledger.treasury -= share;
      credit(state.ledger, did, share);
      getMember(state, did)!.rewarded += share;
      committee.rewards.set(did, share);
    }
  }
  committee.resolved = true;
  const beacon = currentBeacon(state);
  state.beacon = { seed: nextBeacon(beacon.seed, r.round, orderSeed), seq: ev.seq, round: r.round };
};
