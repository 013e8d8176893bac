import { encode } from '../core/encoding.js';
import { formatUnits } from '../core/money.js';
import { canonicalDid } from '../events/did.js';
import { verifyEd25519 } from '../events/keys.js';
import type { Attestation } from '../events/types/committee.js';
import type { MembershipConfig } from '../events/types/committee-config.js';
import type { Member } from './committee-state.js';
import { chainBalanceGate } from './chain.js';
import { credit, debit, ensureFunds } from './ledger.js';
import type { GameState } from './state.js';
import { ensure, type Handler } from './rules.js';

/**
 * Membership: who may join (open / allow-list / token-gated), bonds that make a member
 * drawable for committees, unbonding after a delay in event time, leaving.
 */

export type GateInput = { state: GameState; member: string; attestation: Attestation | undefined; time: number; config: MembershipConfig };
/** A membership check: throws GameRejection to refuse a join. Must be pure (it runs inside apply). */
export type MembershipGate = (input: GateInput) => void;

/** The bytes a token-gate attestor signs for a member. */
export function attestationBytes(community: string, member: string, balance: string, expires: number, config: MembershipConfig): Uint8Array {
  const token = config.token;
  return encode({ community, member: canonicalDid(member), balance, expires, token: token ? { standard: token.standard, chainId: token.chainId, address: token.address.toLowerCase() } : null });
}

const openGate: MembershipGate = () => {};

const allowListGate: MembershipGate = ({ member, config }) => {
  const allowed = config.allowList.some((d) => canonicalDid(d) === member);
  ensure(allowed, 'member.notAllowed', 'author', 'a DID on the community allow-list', member);
};

const tokenGate: MembershipGate = ({ state, member, attestation, time, config }) => {
  const token = config.token;
  ensure(token !== undefined, 'member.gateMisconfigured', 'config.membership.token', 'a token gate config', 'none');
  if (token.check === 'balanceOf') return chainBalanceGate(state, member, BigInt(token.minBalance));
  ensure(token.attestor !== undefined, 'member.gateMisconfigured', 'config.membership.token.attestor', "an attestor DID (check: 'attestation')", 'none');
  ensure(attestation !== undefined, 'member.attestationMissing', 'attestation', `an attestation by ${token.attestor} of a ${token.standard} balance`, 'none');
  ensure(attestation.expires > time, 'member.attestationExpired', 'attestation.expires', `a time after this event (${time})`, attestation.expires);
  ensure(BigInt(attestation.balance) >= BigInt(token.minBalance), 'member.balanceTooLow', 'attestation.balance', `at least ${token.minBalance}`, attestation.balance);
  const bytes = attestationBytes(state.community!.id, member, attestation.balance, attestation.expires, config);
  let ok = false;
  try {
    ok = verifyEd25519(token.attestor, bytes, new Uint8Array(Buffer.from(attestation.sig, 'base64url')));
  } catch {
    ok = false;
  }
  ensure(ok, 'member.badAttestation', 'attestation.sig', `a signature by the attestor ${token.attestor}`, 'one that does not verify');
};

/** The check of each membership mode; a mode without one fails to compile. */
const GATES: { readonly [M in MembershipConfig['mode']]: MembershipGate } = { open: openGate, allowList: allowListGate, token: tokenGate };

export function membershipConfig(state: GameState): MembershipConfig {
  return state.community?.config.membership ?? { mode: 'open', allowList: [], unbondDelay: 7 * 24 * 3600 * 1000 };
}

export function getMember(state: GameState, did: string): Member | undefined {
  return state.members.get(canonicalDid(did));
}

/** Rejects unless `did` is a current (joined, not left) member. */
export function requireMember(state: GameState, did: string, field = 'author'): Member {
  const m = getMember(state, did);
  ensure(m !== undefined && !m.left, 'member.notMember', field, 'a member of the community (member.join first)', did);
  return m;
}

/** Takes up to `amount` from a member's bond (active first, then unbonding) into the treasury; returns what was taken. */
export function slash(state: GameState, m: Member, amount: bigint): bigint {
  let left = amount;
  const fromBond = left < m.bond ? left : m.bond;
  m.bond -= fromBond;
  left -= fromBond;
  if (left > 0n && m.unbonding) {
    const fromUnbonding = left < m.unbonding.amount ? left : m.unbonding.amount;
    m.unbonding.amount -= fromUnbonding;
    left -= fromUnbonding;
    if (m.unbonding.amount === 0n) m.unbonding = null;
  }
  const taken = amount - left;
  state.ledger.bonded -= taken;
  state.ledger.treasury += taken;
  m.slashed += taken;
  return taken;
}

/** Bond that can still be slashed (active + unbonding). */
export function stake(m: Member): bigint {
  return m.bond + (m.unbonding?.amount ?? 0n);
}

/** True while the member holds a seat on a committee that has not resolved: its bond must stay. */
export function hasOpenSeat(state: GameState, did: string): boolean {
  for (const r of state.rounds.values()) {
    if (r.committee && !r.committee.resolved && (r.phase === 'trading' || r.phase === 'revealing') && r.committee.members.includes(did)) return true;
  }
  return false;
}

export const memberJoinHandler: Handler<'member.join'> = (state, ev) => {
  const p = ev.payload;
  const did = canonicalDid(ev.event.author);
  const existing = state.members.get(did);
  ensure(existing === undefined || existing.left, 'member.exists', 'author', 'a DID that is not already a member', did);
  const config = membershipConfig(state);
  const gate = Object.hasOwn(GATES, config.mode) ? GATES[config.mode] : undefined;
  ensure(gate !== undefined, 'member.gateMisconfigured', 'config.membership.mode', 'a mode with a check', config.mode);
  gate({ state, member: did, attestation: p.attestation, time: ev.event.time, config });
  if (existing) {
    existing.left = false;
    existing.joinedAt = ev.seq;
    return;
  }
  state.members.set(did, { did, joinedAt: ev.seq, left: false, bond: 0n, bondChangedAt: ev.seq, unbonding: null, slashed: 0n, rewarded: 0n });
};

export const memberBondHandler: Handler<'member.bond'> = (state, ev) => {
  const amount = BigInt(ev.payload.amount);
  const m = requireMember(state, ev.event.author);
  ensure(amount > 0n, 'member.badAmount', 'amount', 'a positive amount', amount);
  ensureFunds(state.ledger, ev.event.author, amount, 'amount');
  debit(state.ledger, ev.event.author, amount);
  state.ledger.bonded += amount;
  m.bond += amount;
  m.bondChangedAt = ev.seq;
};

export const memberUnbondHandler: Handler<'member.unbond'> = (state, ev) => {
  const amount = BigInt(ev.payload.amount);
  const m = getMember(state, ev.event.author);
  ensure(m !== undefined, 'member.notMember', 'author', 'a member of the community', ev.event.author);
  ensure(amount > 0n, 'member.badAmount', 'amount', 'a positive amount', amount);
  ensure(amount <= m.bond, 'member.bondTooSmall', 'amount', `at most the active bond ${formatUnits(m.bond)} units`, `${formatUnits(amount)} units`);
  const availableAt = ev.event.time + membershipConfig(state).unbondDelay;
  m.bond -= amount;
  m.bondChangedAt = ev.seq;
  m.unbonding = { amount: (m.unbonding?.amount ?? 0n) + amount, availableAt };
};

export const memberWithdrawHandler: Handler<'member.withdraw'> = (state, ev) => {
  const m = getMember(state, ev.event.author);
  ensure(m !== undefined, 'member.notMember', 'author', 'a member of the community', ev.event.author);
  ensure(m.unbonding !== null && m.unbonding.amount > 0n, 'member.nothingUnbonding', 'author', 'a member with bond unbonding (member.unbond first)', 'none');
  ensure(ev.event.time >= m.unbonding.availableAt, 'member.unbondPending', 'time', `at or after ${m.unbonding.availableAt} (the unbond delay)`, ev.event.time);
  ensure(!hasOpenSeat(state, m.did), 'member.seatOpen', 'author', 'a member with no seat on an unresolved committee', 'an open seat');
  const amount = m.unbonding.amount;
  state.ledger.bonded -= amount;
  credit(state.ledger, m.did, amount);
  m.unbonding = null;
};

export const memberLeaveHandler: Handler<'member.leave'> = (state, ev) => {
  const m = requireMember(state, ev.event.author);
  ensure(!hasOpenSeat(state, m.did), 'member.seatOpen', 'author', 'a member with no seat on an unresolved committee', 'an open seat');
  const availableAt = ev.event.time + membershipConfig(state).unbondDelay;
  if (m.bond > 0n) m.unbonding = { amount: (m.unbonding?.amount ?? 0n) + m.bond, availableAt };
  m.bond = 0n;
  m.bondChangedAt = ev.seq;
  m.left = true;
};
