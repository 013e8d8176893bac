import { canonicalDid } from '../events/did.js';
import { InternalError } from '../core/errors.js';
import { formatUnits } from '../core/money.js';
import type { LedgerState } from './state.js';
import { ensure, type Handler } from './rules.js';

export function balanceOf(ledger: LedgerState, did: string): bigint {
  return ledger.balances.get(canonicalDid(did)) ?? 0n;
}

/** Check half of a debit: call before mutating anything. */
export function ensureFunds(ledger: LedgerState, did: string, amount: bigint, field = 'balance'): void {
  const have = balanceOf(ledger, did);
  ensure(have >= amount, 'ledger.insufficientFunds', field, `at least ${formatUnits(amount)} units available`, `${formatUnits(have)} units`);
}

export function credit(ledger: LedgerState, did: string, amount: bigint): void {
  const key = canonicalDid(did);
  ledger.balances.set(key, (ledger.balances.get(key) ?? 0n) + amount);
}

/** Mutating half of a debit; callers have run ensureFunds. */
export function debit(ledger: LedgerState, did: string, amount: bigint): void {
  const key = canonicalDid(did);
  const next = (ledger.balances.get(key) ?? 0n) - amount;
  if (next < 0n) throw new InternalError('internal.invariant', `debit: expected a balance of at least ${amount} (callers run ensureFunds), got ${next + amount} for ${did}`, { did });
  ledger.balances.set(key, next);
}

/** Σ balances + treasury + locked + escrow + bonded, which must equal everything minted. */
export function totalMoney(ledger: LedgerState): bigint {
  let sum = ledger.treasury + ledger.locked + ledger.escrow + ledger.bonded;
  for (const v of ledger.balances.values()) sum += v;
  return sum;
}

export type ConservationReport = { minted: string; held: string; ok: boolean };

export function conservation(ledger: LedgerState): ConservationReport {
  const held = totalMoney(ledger);
  return { minted: ledger.minted.toString(), held: held.toString(), ok: held === ledger.minted };
}

export const ledgerMintHandler: Handler<'ledger.mint'> = (state, ev) => {
  const p = ev.payload;
  ensure(state.community?.config.admins.includes(ev.event.author) ?? false, 'auth.notAdmin', 'author', 'a community admin (only admins mint)', ev.event.author);
  const amount = BigInt(p.amount);
  credit(state.ledger, p.to, amount);
  state.ledger.minted += amount;
};

export const ledgerTransferHandler: Handler<'ledger.transfer'> = (state, ev) => {
  const p = ev.payload;
  const amount = BigInt(p.amount);
  ensure(amount > 0n, 'ledger.invalidAmount', 'amount', 'a positive amount', p.amount);
  ensureFunds(state.ledger, ev.event.author, amount, 'amount');
  debit(state.ledger, ev.event.author, amount);
  credit(state.ledger, p.to, amount);
};

export const treasuryFundHandler: Handler<'treasury.fund'> = (state, ev) => {
  const amount = BigInt(ev.payload.amount);
  ensure(amount > 0n, 'ledger.invalidAmount', 'amount', 'a positive amount', amount);
  ensureFunds(state.ledger, ev.event.author, amount, 'amount');
  debit(state.ledger, ev.event.author, amount);
  state.ledger.treasury += amount;
};
