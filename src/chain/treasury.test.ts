import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address, Hex } from 'viem';
import { ChainGame } from '../../test/support/chain-game.js';
import { hex32 } from '../../test/support/harness.js';
import { expectedTreasuryBalance } from '../game/chain-state.js';
import { payoutEntries } from '../game/chain.js';
import { balanceOf, conservation } from '../game/ledger.js';
import { payoutProof, payoutTree } from '../game/payout-tree.js';
import { startAnvil, type AnvilNode } from './anvil.js';
import { chainClients, type ChainClients } from './clients.js';
import { anchor, claim, claimedOf, deployTreasury, deposit, mintTestToken, publishRoot, setPaused, treasuryStatus, type TreasuryAddresses } from './treasury.js';
import { logPayload, TreasuryWatcher } from './watcher.js';

const WINDOW = 3600n;
let node: AnvilNode;
let admin: ChainClients;
let users: ChainClients[];
let addr: TreasuryAddresses;
const g = new ChainGame();

beforeAll(async () => {
  node = await startAnvil();
  admin = chainClients(node.rpcUrl);
  users = [1, 2, 3].map((i) => chainClients(node.rpcUrl, { accountIndex: i }));
  const d = await deployTreasury(admin, { claimWindow: WINDOW });
  addr = { treasury: d.treasury, token: d.token };
  for (const u of users) await mintTestToken(admin, addr.token, u.account.address, 10_000n);
  await g.setup();
  await g.run('admin', 'chain.configure', { chainId: 31337, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() });
}, 60_000);
afterAll(async () => node?.stop());

const rpc = (method: string, params: unknown[] = []) => admin.publicClient.request({ method, params } as never);
const mine = (n: number) => rpc('anvil_mine', [`0x${n.toString(16)}`]);

/** Records every newly confirmed log in the game; returns how many the game accepted. */
async function sync(w: TreasuryWatcher): Promise<number> {
  let accepted = 0;
  for (const log of await w.poll()) {
    const { type, payload } = logPayload(log);
    try {
      await g.run('admin', type, payload);
      accepted++;
    } catch (error) {
      expect((error as { code?: string }).code).toBe('chain.duplicateLog');
    }
  }
  return accepted;
}

/** Conservation between chain and ledger: the treasury holds deposits − claims paid, and the ledger balances. */
async function books(): Promise<void> {
  const status = await treasuryStatus(admin, addr.treasury);
  expect(status.balance).toBe(expectedTreasuryBalance(g.state.chain!));
  expect(conservation(g.state.ledger).ok).toBe(true);
}

function proofOf(i: number): { cumulative: bigint; proof: Hex[] } {
  const p = payoutProof(payoutTree(payoutEntries(g.state.chain!)), users[i]!.account.address)!;
  return { cumulative: p.cumulative, proof: p.proof as Hex[] };
}

describe('treasury on anvil: deposits into the log, Merkle payouts, anchors', () => {
  it('deposit → ledger → withdraw → root → claim, refusals by the contract, conservation after every step', async () => {
    const watcher = new TreasuryWatcher(admin, { treasury: addr.treasury, confirmations: 2 });
    await deposit(users[0]!, addr, 1000n);
    await deposit(users[1]!, addr, 500n);
    // The first deposit is 2 blocks deep (under the second's approve and deposit); the second is not yet.
    expect(await sync(watcher)).toBe(1);
    await mine(2);
    expect(await sync(watcher)).toBe(1);
    await books();
    expect(balanceOf(g.state.ledger, g.eth[1]!.did)).toBe(1000n);
    expect(balanceOf(g.state.ledger, g.eth[2]!.did)).toBe(500n);

    // A restarted watcher re-reads everything from block 0: nothing is credited twice.
    expect(await sync(new TreasuryWatcher(admin, { treasury: addr.treasury, confirmations: 2 }))).toBe(0);
    await books();

    // A reorg shallower than the confirmations: the deposit vanishes before it is deep enough.
    const snap = await rpc('evm_snapshot');
    await deposit(users[2]!, addr, 777n);
    expect(await sync(watcher)).toBe(0);
    await rpc('evm_revert', [snap]);
    await mine(3);
    expect(await sync(watcher)).toBe(0);
    await books();

    // Money leaves the ledger to be claimed (trading in between: src/cli/commands/chain.test.ts).
    expect(await claimedOf(admin, addr.treasury, users[0]!.account.address)).toBe(0n);
    await g.runAs(g.eth[1]!, 'chain.withdraw', { amount: '300' });
    await g.runAs(g.eth[2]!, 'chain.withdraw', { amount: '450' });
    const root = payoutTree(payoutEntries(g.state.chain!)).root as Hex;
    await g.run('admin', 'chain.root', { epoch: 1, root });
    await publishRoot(admin, addr.treasury, 1, root);
    await books();

    const p0 = proofOf(0);
    const claimTx = await claim(users[0]!, addr.treasury, p0.cumulative, p0.proof);
    // The deposit already wrote the account's claim slot: a depositor's first claim stays under 70k.
    expect(claimTx.gasUsed).toBeLessThanOrEqual(70_000n);
    await mine(2);
    expect(await sync(watcher)).toBe(1);
    await books();
    expect(await claimedOf(admin, addr.treasury, users[0]!.account.address)).toBe(300n);

    await expect(claim(users[0]!, addr.treasury, p0.cumulative, p0.proof)).rejects.toMatchObject({ code: 'chain.reverted', details: { error: 'NothingToClaim' } });
    await expect(claim(users[0]!, addr.treasury, p0.cumulative + 1n, p0.proof)).rejects.toMatchObject({ details: { error: 'InvalidProof' } });
    await expect(claim(users[2]!, addr.treasury, p0.cumulative, p0.proof)).rejects.toMatchObject({ details: { error: 'InvalidProof' } });
    await expect(publishRoot(users[0]!, addr.treasury, 2, root)).rejects.toMatchObject({ details: { error: 'NotAdmin' } });

    // Pause stops deposits and claims, not the books.
    await setPaused(admin, addr.treasury, true);
    await expect(deposit(users[0]!, addr, 1n)).rejects.toMatchObject({ details: { error: 'IsPaused' } });
    await setPaused(admin, addr.treasury, false);

    // After the claim window the second account's claim is refused; its money returns to the ledger treasury.
    await rpc('evm_increaseTime', [Number(WINDOW) + 1]);
    await mine(1);
    const p1 = proofOf(1);
    await expect(claim(users[1]!, addr.treasury, p1.cumulative, p1.proof)).rejects.toMatchObject({ details: { error: 'ClaimWindowClosed' } });
    const treasuryBefore = g.state.ledger.treasury;
    await g.run('admin', 'chain.expire', { epoch: 1 });
    expect(g.state.ledger.treasury).toBe(treasuryBefore + 450n);
    await books();

    // A new root re-opens claims with what is newly withdrawn; the expired amount stays out.
    await g.runAs(g.eth[2]!, 'chain.withdraw', { amount: '50' });
    const root2 = payoutTree(payoutEntries(g.state.chain!)).root as Hex;
    await expect(publishRoot(admin, addr.treasury, 1, root2)).rejects.toMatchObject({ details: { error: 'StaleEpoch' } });
    await g.run('admin', 'chain.root', { epoch: 2, root: root2 });
    await publishRoot(admin, addr.treasury, 2, root2);
    const p1b = proofOf(1);
    expect(p1b.cumulative).toBe(50n);
    await claim(users[1]!, addr.treasury, p1b.cumulative, p1b.proof);
    await mine(2);
    expect(await sync(watcher)).toBe(1);
    await books();
    expect(g.state.chain!.deposited - g.state.chain!.paid).toBe(1150n);
    expect(await claimedOf(admin, addr.treasury, users[1]!.account.address)).toBe(50n);
  }, 60_000);

  it('anchors (round, state digest, seq) once per round, by the admin only', async () => {
    const digest = `0x${hex32('state')}` as Hex;
    await anchor(admin, addr.treasury, 7, digest, 42);
    await expect(anchor(admin, addr.treasury, 7, digest, 43)).rejects.toMatchObject({ details: { error: 'AlreadyAnchored' } });
    await expect(anchor(users[0]!, addr.treasury, 8, digest, 43)).rejects.toMatchObject({ details: { error: 'NotAdmin' } });
    expect((await treasuryStatus(admin, addr.treasury)).anchorCount).toBe(1);
    expect(addr.treasury as Address).toMatch(/^0x/);
  }, 30_000);
});
