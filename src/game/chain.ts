import { createHash } from 'node:crypto';
import { canonicalDid, didPkh, parseDid } from '../events/did.js';
import { stateHash } from './canonical.js';
import { formatUnits } from '../core/money.js';
import { emptyChainState, type ChainAccount, type ChainState } from './chain-state.js';
import { credit, debit, ensureFunds } from './ledger.js';
import { payoutTree, type PayoutEntry } from './payout-tree.js';
import type { GameState } from './state.js';
import { ensure, requireAdmin, type Handler } from './rules.js';

/**
 * The on-chain treasury in the log. Money enters with chain.deposit (minted into the depositor's
 * did:pkh), leaves with chain.withdraw (burnt from the ledger into the account's cumulative
 * claimable, which the next chain.root commits to), and comes back with chain.expire when a claim
 * window closed unclaimed. The node reads the chain; these handlers only check what it recorded.
 */

export function chainState(state: GameState): ChainState {
  state.chain ??= emptyChainState();
  return state.chain;
}

function configured(state: GameState): ChainState & { config: NonNullable<ChainState['config']> } {
  const c = state.chain;
  ensure(c?.config != null, 'chain.notConfigured', 'type', 'a community with a treasury (chain.configure first)', 'none configured');
  return c as ChainState & { config: NonNullable<ChainState['config']> };
}

function logKey(txHash: string, logIndex: number): string {
  return `${txHash}:${logIndex}`;
}

/** Accounts with something claimable, as the payout tree lists them. */
export function payoutEntries(c: ChainState): PayoutEntry[] {
  const out: PayoutEntry[] = [];
  for (const [account, a] of c.accounts) if (a.allocated > 0n) out.push({ account, cumulative: a.allocated });
  return out;
}

export const chainConfigureHandler: Handler<'chain.configure'> = (state, ev) => {
  requireAdmin(state, ev);
  ensure(state.chain?.config == null, 'chain.alreadyConfigured', 'type', 'a community without a treasury yet (the treasury is fixed once set)', state.chain?.config?.treasury);
  const p = ev.payload;
  chainState(state).config = { chainId: p.chainId, treasury: p.treasury, token: p.token };
};

export const chainDepositHandler: Handler<'chain.deposit'> = (state, ev) => {
  requireAdmin(state, ev);
  const c = configured(state);
  const p = ev.payload;
  const key = logKey(p.txHash, p.logIndex);
  ensure(!c.seen.has(key), 'chain.duplicateLog', 'txHash', 'a log not recorded before', key);
  const amount = BigInt(p.amount);
  ensure(amount > 0n, 'ledger.invalidAmount', 'amount', 'a positive amount', p.amount);
  c.seen.add(key);
  credit(state.ledger, didPkh(c.config.chainId, p.from), amount);
  state.ledger.minted += amount;
  c.deposited += amount;
};

export const chainWithdrawHandler: Handler<'chain.withdraw'> = (state, ev) => {
  const c = configured(state);
  const author = parseDid(ev.event.author);
  ensure(author.method === 'pkh' && author.chainId === c.config.chainId, 'chain.notPkh', 'author', `a did:pkh:eip155:${c.config.chainId} account (claims pay an address)`, ev.event.author);
  const amount = BigInt(ev.payload.amount);
  ensure(amount > 0n, 'ledger.invalidAmount', 'amount', 'a positive amount', ev.payload.amount);
  ensureFunds(state.ledger, ev.event.author, amount, 'amount');
  debit(state.ledger, ev.event.author, amount);
  state.ledger.minted -= amount;
  const address = author.address.toLowerCase();
  const account: ChainAccount = c.accounts.get(address) ?? { allocated: 0n, paid: 0n };
  account.allocated += amount;
  c.accounts.set(address, account);
  c.withdrawn += amount;
};

export const chainRootHandler: Handler<'chain.root'> = (state, ev) => {
  requireAdmin(state, ev);
  const c = configured(state);
  const p = ev.payload;
  ensure(p.epoch === (c.root?.epoch ?? 0) + 1, 'chain.staleEpoch', 'epoch', `the next epoch ${(c.root?.epoch ?? 0) + 1}`, p.epoch);
  const entries = payoutEntries(c);
  ensure(entries.length > 0, 'chain.nothingToPublish', 'type', 'an account with something claimable (chain.withdraw first)', 'none');
  const root = payoutTree(entries).root;
  ensure(root === p.root, 'chain.rootMismatch', 'root', `the root of the ledger's payout tree ${root}`, p.root);
  c.root = { epoch: p.epoch, root: p.root, seq: ev.seq, expired: false, withdrawn: c.withdrawn };
  c.roots += 1;
};

export const chainClaimHandler: Handler<'chain.claim'> = (state, ev) => {
  requireAdmin(state, ev);
  const c = configured(state);
  const p = ev.payload;
  const key = logKey(p.txHash, p.logIndex);
  ensure(!c.seen.has(key), 'chain.duplicateLog', 'txHash', 'a log not recorded before', key);
  const account = c.accounts.get(p.account);
  ensure(account !== undefined, 'chain.unknownAccount', 'account', 'an account that withdrew', p.account);
  const amount = BigInt(p.amount);
  const cumulative = BigInt(p.cumulative);
  ensure(cumulative === account.paid + amount, 'chain.claimMismatch', 'cumulative', `${account.paid} already paid + ${amount}`, p.cumulative);
  ensure(cumulative <= account.allocated, 'chain.claimMismatch', 'cumulative', `at most the ${formatUnits(account.allocated)} units allocated`, formatUnits(cumulative));
  c.seen.add(key);
  account.paid = cumulative;
  c.paid += amount;
};

export const chainExpireHandler: Handler<'chain.expire'> = (state, ev) => {
  requireAdmin(state, ev);
  const c = configured(state);
  ensure(c.root !== null && c.root.epoch === ev.payload.epoch && !c.root.expired, 'chain.staleEpoch', 'epoch', `the latest unexpired root's epoch ${c.root && !c.root.expired ? c.root.epoch : '(none)'}`, ev.payload.epoch);
  let back = 0n;
  for (const a of c.accounts.values()) {
    back += a.allocated - a.paid;
    a.allocated = a.paid;
  }
  c.root.expired = true;
  c.returned += back;
  state.ledger.treasury += back;
  state.ledger.minted += back;
};

export const chainAnchorHandler: Handler<'chain.anchor'> = (state, ev) => {
  requireAdmin(state, ev);
  const c = configured(state);
  const p = ev.payload;
  ensure(!c.anchors.has(p.round), 'chain.alreadyAnchored', 'round', 'a round not anchored yet', p.round);
  ensure(p.seq < ev.seq, 'chain.anchorFuture', 'seq', `a log position before this event's ${ev.seq}`, p.seq);
  c.anchors.set(p.round, { seq: p.seq, stateDigest: p.stateDigest, txHash: p.txHash });
};

export const chainBalanceHandler: Handler<'chain.balance'> = (state, ev) => {
  requireAdmin(state, ev);
  const token = state.community?.config.membership?.token;
  ensure(token !== undefined && token.check === 'balanceOf', 'member.gateMisconfigured', 'config.membership.token.check', "'balanceOf'", token?.check ?? 'no token gate');
  const member = parseDid(ev.payload.member, 'member');
  ensure(member.method === 'pkh' && member.chainId === token.chainId, 'chain.notPkh', 'member', `a did:pkh:eip155:${token.chainId} account`, ev.payload.member);
  chainState(state).balances.set(canonicalDid(ev.payload.member), { blockNumber: ev.payload.blockNumber, balance: BigInt(ev.payload.balance) });
};

/** The token gate's on-chain check: a recorded balanceOf at least minBalance. Pure: reads only the log's record. */
export function chainBalanceGate(state: GameState, member: string, minBalance: bigint): void {
  const record = state.chain?.balances.get(canonicalDid(member));
  ensure(record !== undefined, 'member.balanceUnknown', 'author', 'a balanceOf recorded by the node (chain.balance) before joining', 'none');
  ensure(record.balance >= minBalance, 'member.balanceTooLow', 'balance', `at least ${minBalance} at block ${record.blockNumber}`, record.balance.toString());
}

/** The 32-byte digest an anchor records for a state: sha2-256 of its stateHash CID text (0x + 64 hex). */
export function anchorDigest(state: GameState): string {
  return `0x${createHash('sha256').update(stateHash(state)).digest('hex')}`;
}
