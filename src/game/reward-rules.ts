/**
 * Reward rules: which resolution function decides a round's outcomes and which scoring rule its
 * markets use. Rules are pinned to a round when it is scheduled and change only from a named
 * future round (never mid-round): by an admin (rules.change) or by a member vote
 * (rules.propose → rules.vote → rules.enact after the voting delay, with quorum).
 */
import { createHash } from 'node:crypto';
import { encode } from '../core/encoding.js';
import type { RulesConfig } from '../events/types/rules.js';
import { requireMember } from './membership.js';
import type { CommunityRulesState, RoundRulesState } from './reward-rules-state.js';
import type { GameState } from './state.js';
import { ensure, isAdmin, requireAdmin, type Handler } from './rules.js';

const PPM = 1_000_000n;

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function rulesHash(rules: RulesConfig): string {
  return createHash('sha256').update(encode(rules)).digest('hex');
}

function rulesState(state: GameState): CommunityRulesState {
  return (state.rules ??= { functions: new Map(), schedule: [], proposals: new Map() });
}

/** The rules in force for round `round`: the last scheduled change from a round ≤ it, else the genesis config. */
export function rulesFor(state: GameState, round: number): { rules: RulesConfig; hash: string } | null {
  let chosen: { rules: RulesConfig; hash: string } | null = null;
  for (const e of state.rules?.schedule ?? []) if (e.fromRound <= round) chosen = e;
  if (chosen) return chosen;
  const base = state.community?.config.rules;
  return base ? { rules: base, hash: rulesHash(base) } : null;
}

/** Checks a rules object names only published functions. */
function checkRules(state: GameState, rules: RulesConfig): void {
  const specs = [rules.resolution, ...Object.values(rules.byRoundType ?? {})];
  for (const spec of specs) {
    if (spec.fn === 'sandbox') ensure(state.rules?.functions.has(spec.hash) === true, 'rules.unknownFunction', 'rules.resolution.hash', 'the sha256 of a function published with rules.function', spec.hash);
  }
}

/** A change must name a round not scheduled yet, and not go back before an already scheduled change. */
function checkFuture(state: GameState, fromRound: number): void {
  let last = 0;
  for (const n of state.rounds.keys()) if (n > last) last = n;
  ensure(fromRound > last, 'rules.pastRound', 'fromRound', `a round after the last scheduled round ${last}`, fromRound);
  const schedule = state.rules?.schedule ?? [];
  const prev = schedule[schedule.length - 1]?.fromRound ?? 0;
  ensure(fromRound >= prev, 'rules.pastRound', 'fromRound', `a round at or after the last scheduled change (round ${prev})`, fromRound);
}

/** The rules a round is scheduled under (round.schedule calls it before mutating anything). */
export function pinRules(state: GameState, round: number, roundType: string | undefined, subsidy: bigint): RoundRulesState | undefined {
  const found = rulesFor(state, round);
  if (!found) return undefined;
  const { rules, hash } = found;
  if (rules.subsidyPerItem !== undefined) ensure(BigInt(rules.subsidyPerItem) === subsidy, 'round.badSubsidy', 'subsidyPerItem', `the rules' subsidy ${rules.subsidyPerItem}`, subsidy.toString());
  const resolution = (roundType !== undefined ? rules.byRoundType?.[roundType] : undefined) ?? rules.resolution;
  if (resolution.fn === 'sandbox') ensure(state.rules?.functions.has(resolution.hash) === true, 'rules.unknownFunction', 'rules.resolution.hash', 'a published function', resolution.hash);
  return { hash, scoring: rules.scoring, roundType: roundType ?? null, resolution, reports: new Map(), computed: null };
}

export const rulesFunctionHandler: Handler<'rules.function'> = (state, ev) => {
  const author = ev.event.author;
  if (!isAdmin(state, author)) requireMember(state, author);
  const hash = sha256Text(ev.payload.source);
  ensure(!state.rules?.functions.has(hash), 'rules.functionExists', 'source', 'a function not published before', hash);
  rulesState(state).functions.set(hash, { name: ev.payload.name, source: ev.payload.source, by: author });
};

export const rulesChangeHandler: Handler<'rules.change'> = (state, ev) => {
  requireAdmin(state, ev);
  checkFuture(state, ev.payload.fromRound);
  checkRules(state, ev.payload.rules);
  rulesState(state).schedule.push({ fromRound: ev.payload.fromRound, rules: ev.payload.rules, hash: rulesHash(ev.payload.rules), by: ev.event.author });
};

export const rulesProposeHandler: Handler<'rules.propose'> = (state, ev) => {
  ensure(state.community?.config.governance !== undefined, 'rules.votingDisabled', 'type', 'rules.change by an admin (this community has no member votes)', 'rules.propose');
  requireMember(state, ev.event.author);
  checkFuture(state, ev.payload.fromRound);
  checkRules(state, ev.payload.rules);
  rulesState(state).proposals.set(ev.cid, { id: ev.cid, author: ev.event.author, fromRound: ev.payload.fromRound, rules: ev.payload.rules, proposedAt: ev.event.time, votes: new Map(), enacted: false });
};

export const rulesVoteHandler: Handler<'rules.vote'> = (state, ev) => {
  const p = state.rules?.proposals.get(ev.payload.proposal);
  ensure(p !== undefined, 'rules.unknownProposal', 'proposal', 'the CID of a rules.propose', ev.payload.proposal);
  const member = requireMember(state, ev.event.author);
  const delay = state.community!.config.governance!.delay;
  ensure(ev.event.time < p.proposedAt + delay, 'rules.votingClosed', 'time', `before the end of voting ${p.proposedAt + delay}`, ev.event.time);
  ensure(!p.votes.has(member.did), 'rules.duplicateVote', 'author', 'one vote per member', 'a second vote');
  p.votes.set(member.did, ev.payload.approve);
};

export const rulesEnactHandler: Handler<'rules.enact'> = (state, ev) => {
  const p = state.rules?.proposals.get(ev.payload.proposal);
  ensure(p !== undefined, 'rules.unknownProposal', 'proposal', 'the CID of a rules.propose', ev.payload.proposal);
  ensure(!p.enacted, 'rules.enacted', 'proposal', 'a proposal not enacted yet', 'already enacted');
  const g = state.community!.config.governance!;
  ensure(ev.event.time >= p.proposedAt + g.delay, 'rules.votingOpen', 'time', `at or after the end of voting ${p.proposedAt + g.delay}`, ev.event.time);
  let members = 0n;
  for (const m of state.members.values()) if (!m.left) members += 1n;
  let yes = 0n;
  let cast = 0n;
  for (const [did, approve] of p.votes) {
    if (state.members.get(did)?.left !== false) continue; // members who left no longer count
    cast += 1n;
    if (approve) yes += 1n;
  }
  ensure(cast * PPM >= BigInt(g.quorumPpm) * members && cast > 0n, 'rules.noQuorum', 'votes', `at least ${g.quorumPpm} ppm of ${members} members voting`, `${cast} votes`);
  ensure(yes * PPM >= BigInt(g.passPpm) * cast, 'rules.rejected', 'votes', `at least ${g.passPpm} ppm of ${cast} votes approving`, `${yes} approving`);
  checkFuture(state, p.fromRound);
  checkRules(state, p.rules);
  p.enacted = true;
  rulesState(state).schedule.push({ fromRound: p.fromRound, rules: p.rules, hash: rulesHash(p.rules), by: `proposal:${p.id}` });
};
