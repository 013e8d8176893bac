import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainGame, CHAIN_ID, TOKEN, TREASURY } from '../../test/support/chain-game.js';
import { hex32 } from '../../test/support/harness.js';
import { expectedTreasuryBalance, rootDue } from './chain-state.js';
import { balanceOf, conservation } from './ledger.js';
import { getMember } from './membership.js';
import { payoutProof, payoutTree } from './payout-tree.js';
import { payoutEntries } from './chain.js';
import { stateHash } from './canonical.js';

const tx = (label: string) => `0x${hex32(label)}`;

async function configured(): Promise<ChainGame> {
  const g = new ChainGame();
  await g.setup();
  await g.run('admin', 'chain.configure', { chainId: CHAIN_ID, treasury: TREASURY, token: TOKEN });
  return g;
}

function outstanding(g: ChainGame): bigint {
  let sum = 0n;
  for (const a of g.state.chain!.accounts.values()) sum += a.allocated - a.paid;
  return sum;
}

/** The invariants every chain step keeps: the ledger conserves money and the chain books balance. */
function checkBooks(g: ChainGame): void {
  const c = g.state.chain!;
  expect(conservation(g.state.ledger).ok).toBe(true);
  expect(outstanding(g)).toBe(c.withdrawn - c.paid - c.returned);
  expect(expectedTreasuryBalance(c)).toBeGreaterThanOrEqual(outstanding(g));
}

describe('chain events in the game', () => {
  it('credits a deposit to the sender did:pkh once; a second sighting of the same log is refused', async () => {
    const g = await configured();
    await g.run('admin', 'chain.deposit', { txHash: tx('d1'), logIndex: 0, blockNumber: 5, from: g.address(1), amount: '700' });
    expect(balanceOf(g.state.ledger, g.eth[1]!.did)).toBe(700n);
    const before = stateHash(g.state);
    await expect(g.run('admin', 'chain.deposit', { txHash: tx('d1'), logIndex: 0, blockNumber: 6, from: g.address(1), amount: '700' })).rejects.toMatchObject({ code: 'chain.duplicateLog' });
    expect(stateHash(g.state)).toBe(before);
    await expect(g.runAs(g.eth[1]!, 'chain.deposit', { txHash: tx('d2'), logIndex: 0, blockNumber: 6, from: g.address(1), amount: '1' })).rejects.toMatchObject({ code: 'auth.notAdmin' });
    checkBooks(g);
  });

  it('withdraw → root → claim → expire keeps the books; a wrong root or a claim beyond the allocation is refused', async () => {
    const g = await configured();
    await g.run('admin', 'chain.deposit', { txHash: tx('d1'), logIndex: 0, blockNumber: 5, from: g.address(1), amount: '1000' });
    await expect(g.run('admin', 'chain.root', { epoch: 1, root: tx('x') })).rejects.toMatchObject({ code: 'chain.nothingToPublish' });
    await expect(g.run('alice', 'chain.withdraw', { amount: '10' })).rejects.toMatchObject({ code: 'chain.notPkh' });
    await expect(g.runAs(g.eth[1]!, 'chain.withdraw', { amount: '1001' })).rejects.toMatchObject({ code: 'ledger.insufficientFunds' });
    await g.runAs(g.eth[1]!, 'chain.withdraw', { amount: '400' });
    checkBooks(g);
    const root = payoutTree(payoutEntries(g.state.chain!)).root;
    await expect(g.run('admin', 'chain.root', { epoch: 1, root: tx('wrong') })).rejects.toMatchObject({ code: 'chain.rootMismatch' });
    expect(rootDue(g.state.chain!)).toBe(true);
    await expect(g.run('admin', 'chain.root', { epoch: 2, root })).rejects.toMatchObject({ code: 'chain.staleEpoch' });
    await g.run('admin', 'chain.root', { epoch: 1, root });
    expect(rootDue(g.state.chain!)).toBe(false);
    await expect(g.run('admin', 'chain.root', { epoch: 1, root })).rejects.toMatchObject({ code: 'chain.staleEpoch' });
    expect(payoutProof(payoutTree(payoutEntries(g.state.chain!)), g.address(1))!.cumulative).toBe(400n);
    await expect(g.run('admin', 'chain.claim', { txHash: tx('c1'), logIndex: 1, blockNumber: 9, account: g.address(1), amount: '500', cumulative: '500' })).rejects.toMatchObject({ code: 'chain.claimMismatch' });
    await g.run('admin', 'chain.claim', { txHash: tx('c1'), logIndex: 1, blockNumber: 9, account: g.address(1), amount: '300', cumulative: '300' });
    checkBooks(g);
    expect(expectedTreasuryBalance(g.state.chain!)).toBe(700n);
    const treasury = g.state.ledger.treasury;
    await g.run('admin', 'chain.expire', { epoch: 1 });
    expect(g.state.ledger.treasury).toBe(treasury + 100n);
    expect(g.state.chain!.accounts.get(g.address(1))).toEqual({ allocated: 300n, paid: 300n });
    await expect(g.run('admin', 'chain.expire', { epoch: 1 })).rejects.toMatchObject({ code: 'chain.staleEpoch' });
    checkBooks(g);
    // Expiry lowers allocations but moves no new money out: no root is due for it.
    expect(rootDue(g.state.chain!)).toBe(false);
  });

  it('records anchors once per round, never of a future position', async () => {
    const g = await configured();
    await g.run('admin', 'chain.anchor', { round: 1, seq: 2, stateDigest: tx('s'), txHash: tx('a') });
    await expect(g.run('admin', 'chain.anchor', { round: 1, seq: 2, stateDigest: tx('s'), txHash: tx('a') })).rejects.toMatchObject({ code: 'chain.alreadyAnchored' });
    await expect(g.run('admin', 'chain.anchor', { round: 2, seq: 99, stateDigest: tx('s'), txHash: tx('a') })).rejects.toMatchObject({ code: 'chain.anchorFuture' });
    expect(g.state.chain!.anchors.size).toBe(1);
  });

  it('token gate by balanceOf: a join needs a recorded balance of at least minBalance', async () => {
    const g = new ChainGame();
    await g.setup({ membership: { mode: 'token', token: { standard: 'erc721', chainId: CHAIN_ID, address: TOKEN, minBalance: '1', check: 'balanceOf' } } });
    await expect(g.runAs(g.eth[2]!, 'member.join', {})).rejects.toMatchObject({ code: 'member.balanceUnknown' });
    await g.run('admin', 'chain.balance', { member: g.eth[2]!.did, blockNumber: 12, balance: '0' });
    await expect(g.runAs(g.eth[2]!, 'member.join', {})).rejects.toMatchObject({ code: 'member.balanceTooLow' });
    await g.run('admin', 'chain.balance', { member: g.eth[2]!.did, blockNumber: 13, balance: '1' });
    await g.runAs(g.eth[2]!, 'member.join', {});
    expect(getMember(g.state, g.eth[2]!.did)).toBeDefined();
    await expect(g.run('admin', 'chain.balance', { member: g.key('bob').did, blockNumber: 13, balance: '1' })).rejects.toMatchObject({ code: 'chain.notPkh' });
  });

  it('property: any sequence of deposits, withdrawals, roots, claims and expiries keeps the books', async () => {
    type Op = { kind: 'deposit' | 'withdraw' | 'root' | 'claim' | 'expire' | 'replay'; who: number; amount: number };
    const op = fc.record({ kind: fc.constantFrom<Op['kind']>('deposit', 'withdraw', 'root', 'claim', 'expire', 'replay'), who: fc.nat(2), amount: fc.integer({ min: 1, max: 500 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const g = await configured();
        let n = 0;
        let lastDeposit: Record<string, unknown> | undefined;
        for (const o of ops) {
          const account = g.address(o.who + 1);
          const c = g.state.chain!;
          try {
            if (o.kind === 'deposit') await g.run('admin', 'chain.deposit', (lastDeposit = { txHash: tx(`d${n++}`), logIndex: 0, blockNumber: n, from: account, amount: String(o.amount) }));
            if (o.kind === 'replay' && lastDeposit) await g.run('admin', 'chain.deposit', lastDeposit);
            if (o.kind === 'withdraw') await g.runAs(g.eth[o.who + 1]!, 'chain.withdraw', { amount: String(o.amount) });
            if (o.kind === 'root') await g.run('admin', 'chain.root', { epoch: (c.root?.epoch ?? 0) + 1, root: payoutEntries(c).length ? payoutTree(payoutEntries(c)).root : tx('empty') });
            if (o.kind === 'claim') {
              const a = c.accounts.get(account);
              const amount = a ? (a.allocated - a.paid < BigInt(o.amount) ? a.allocated - a.paid : BigInt(o.amount)) : BigInt(o.amount);
              await g.run('admin', 'chain.claim', { txHash: tx(`c${n++}`), logIndex: 0, blockNumber: n, account, amount: String(amount), cumulative: String((a?.paid ?? 0n) + amount) });
            }
            if (o.kind === 'expire') await g.run('admin', 'chain.expire', { epoch: c.root?.epoch ?? 1 });
          } catch (error) {
            expect((error as { code?: string }).code).toMatch(/^(chain|ledger)\./);
          }
          checkBooks(g);
        }
      }),
      { numRuns: 25 },
    );
  });
});
