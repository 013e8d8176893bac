import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Address, Hex } from 'viem';
import { belief } from '../../../test/support/harness.js';
import { tempDirs } from '../../../test/support/temp-dirs.js';
import { startAnvil, type AnvilNode } from '../../chain/anvil.js';
import { anvilPrivateKey, chainClients, deployContract, type ChainClients } from '../../chain/clients.js';
import { projectContracts } from '../../chain/contracts.js';
import { anchorOf, claim, deployTreasury, deposit, mintTestToken, send, treasuryStatus, type TreasuryAddresses } from '../../chain/treasury.js';
import { canonicalDid } from '../../events/did.js';
import { EthereumSigner } from '../../events/eth-keys.js';
import { Ed25519Signer, type Signer } from '../../events/keys.js';
import { signEvent } from '../../events/sign.js';
import { anchorDigest } from '../../game/chain.js';
import { expectedTreasuryBalance } from '../../game/chain-state.js';
import { balanceOf, conservation } from '../../game/ledger.js';
import { getMember } from '../../game/membership.js';
import { pseudoModelHash } from '../../statement/pseudo-model-hash.js';
import { startNode, type RunningNode } from '../../node/run-node.js';
import { register } from './chain.js';

/**
 * The node's chain glue on a real anvil: the watcher loop logs deposits, claims and anchors, logs
 * and publishes payout roots, expires them, records token-gate balances; `chain claim --node` claims.
 */
const tmp = tempDirs('hs-chain-node-');
const WINDOW = 3600n;
let anvil: AnvilNode;
let admin: ChainClients;
let trader: ChainClients;
let funder: ChainClients;
let addr: TreasuryAddresses;
const adminKey = Ed25519Signer.generate();
/** The node's own admin key: the loop signs with it, the test with adminKey, so their event chains never race. */
const loopKey = Ed25519Signer.generate();
const traderKey = EthereumSigner.fromPrivateKey(anvilPrivateKey(1), 31337);
const funderKey = EthereumSigner.fromPrivateKey(anvilPrivateKey(2), 31337);

beforeAll(async () => {
  anvil = await startAnvil({ accounts: 5 });
  admin = chainClients(anvil.rpcUrl);
  trader = chainClients(anvil.rpcUrl, { accountIndex: 1 });
  funder = chainClients(anvil.rpcUrl, { accountIndex: 2 });
  const d = await deployTreasury(admin, { claimWindow: WINDOW });
  addr = { treasury: d.treasury, token: d.token };
  for (const u of [trader, funder]) await mintTestToken(admin, addr.token, u.account.address, 100_000_000n);
}, 60_000);
afterAll(async () => anvil?.stop());

async function submit(node: RunningNode, signer: Signer, type: string, payload: Record<string, unknown>, time = Date.now()): Promise<void> {
  const e = node.engine;
  const author = e.state.authors.get(canonicalDid(signer.did));
  await e.submit(signEvent(signer, { type, community: e.community ?? 'chain-node-test', payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time }));
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'hindsight', 'chain', ...args]);
  } finally {
    spy.mockRestore();
  }
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

const rpc = (method: string, params: unknown[] = []) => admin.publicClient.request({ method, params } as never);
/** Buries the newest logs under one block so the loop (1 confirmation) takes them. */
const mine = () => rpc('anvil_mine', ['0x1']);

const start = (dir: string, options: { treasury?: Address; intervalMs?: number } = {}) =>
  startNode({
    dir,
    admin: adminKey.did,
    logger: false,
    rateLimit: false,
    // The SQLite writer thread costs ≈ 2 s to start under tsx; these tests write little.
    writerThread: false,
    chain: { rpc: anvil.rpcUrl, treasury: options.treasury ?? addr.treasury, confirmations: 1, signer: loopKey, intervalMs: options.intervalMs ?? 25, publisherKey: anvilPrivateKey(0) },
  });

/**
 * Chain and ledger agree: the treasury holds deposits − claims paid, the ledger conserves money,
 * and (the community minted nothing) every unit in the ledger or claimable is one the treasury holds.
 */
async function books(node: RunningNode): Promise<void> {
  const { chain, ledger } = node.engine.state;
  const held = (await treasuryStatus(admin, addr.treasury)).balance;
  expect(held).toBe(expectedTreasuryBalance(chain!));
  expect(conservation(ledger).ok).toBe(true);
  expect(ledger.minted + chain!.withdrawn - chain!.returned - chain!.paid).toBe(held);
}

describe('node start --chain: deposit → trade → settle → root → claim, anchors and expiry by the node', () => {
  it('deposits fund a trade; the settled P&L is withdrawn, rooted, claimed; the round is anchored; an unclaimed root expires; all once across a restart', async () => {
    const dir = tmp();
    let node = await start(dir);
    try {
      await submit(node, adminKey, 'community.create', { name: 'Chain node', config: { trading: 'continuous', admins: [adminKey.did, loopKey.did], resolver: adminKey.did }, treasury: '0', mint: [] });
      await submit(node, adminKey, 'chain.configure', { chainId: 31337, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() });

      // Deposit: the funder backs the round's subsidy, the trader its bankroll.
      await deposit(funder, addr, 2_000_000n);
      await deposit(trader, addr, 5_000_000n);
      await mine();
      await until('the deposit credits', () => balanceOf(node.engine.state.ledger, traderKey.did) === 5_000_000n && balanceOf(node.engine.state.ledger, funderKey.did) === 2_000_000n);
      await books(node);
      await submit(node, funderKey, 'treasury.fund', { amount: '2000000' });
      await books(node);

      // Trade: a one-item round funded from the deposits; the trader's belief is right.
      const t0 = Date.now();
      const seed = 'ab'.repeat(32);
      const model = pseudoModelHash('chain-trader');
      await submit(node, traderKey, 'model.commit', { modelHash: model, architecture: 'lr', name: 'chain trader' }, t0);
      await submit(node, adminKey, 'round.schedule', { round: 1, subsidyPerItem: '1000000', tradingDeadline: t0 + 1000, revealDeadline: t0 + 2000, seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') }, t0);
      await submit(node, adminKey, 'round.items', { round: 1, items: [{ id: 'a', outcomes: 2, input: { text: 'item a' } }] }, t0);
      await submit(node, adminKey, 'round.open', { round: 1 }, t0);
      await submit(node, traderKey, 'trade.execute', { round: 1, item: 'a', model, trade: { kind: 'belief', belief: belief(0.9, 0.1), maxCost: '3000000' } }, t0 + 10);
      const afterTrade = balanceOf(node.engine.state.ledger, traderKey.did);
      expect(afterTrade).toBeLessThan(5_000_000n);
      await books(node);

      // Settle.
      await submit(node, adminKey, 'round.close', { round: 1 }, t0 + 1000);
      await submit(node, adminKey, 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }] }, t0 + 10_000);
      await submit(node, adminKey, 'round.settle', { round: 1 }, t0 + 10_000);
      const pnl = balanceOf(node.engine.state.ledger, traderKey.did);
      expect(pnl).toBeGreaterThan(5_000_000n);
      await books(node);

      // The node anchors the settled round by itself; its Anchored log comes back as chain.anchor.
      await until('the anchor on chain', async () => (await anchorOf(admin, addr.treasury, 1)) !== undefined);
      await mine();
      await until('the logged anchor', () => node.engine.state.chain!.anchors.has(1));
      const onChainAnchor = (await anchorOf(admin, addr.treasury, 1))!;
      expect(node.engine.state.chain!.anchors.get(1)).toMatchObject({ stateDigest: onChainAnchor.stateDigest, seq: onChainAnchor.seq });

      // Root: a withdrawal is rooted and published by the node within a poll, no later round needed.
      const proofUrl = `${node.url}/v1/chain/proof/${trader.account.address}`;
      expect((await fetch(proofUrl)).status).toBe(404);
      expect((await fetch(`${node.url}/v1/chain/proof/0x12`)).status).toBe(400);
      const first = pnl - 1_000_000n;
      await submit(node, traderKey, 'chain.withdraw', { amount: first.toString() });
      await until('root 1 on chain', async () => (await treasuryStatus(admin, addr.treasury)).rootEpoch === 1);
      await books(node);

      // Claim: `chain claim --node` pays the P&L; the watcher logs the Claimed log.
      const claimed = await cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--node', node.url, '--json']);
      expect(claimed.claimed).toBe(first.toString());
      await mine();
      await until('the claim record', () => node.engine.state.chain!.paid === first);
      await books(node);

      // A second withdrawal gets epoch 2 at once; the account leaves it unclaimed past the window.
      await submit(node, traderKey, 'chain.withdraw', { amount: '1000000' });
      await until('root 2 on chain', async () => (await treasuryStatus(admin, addr.treasury)).rootEpoch === 2);
      const served = (await (await fetch(proofUrl)).json()) as { epoch: number; cumulative: string; proof: Hex[] };
      expect(served).toMatchObject({ epoch: 2, cumulative: pnl.toString() });
      await rpc('evm_increaseTime', [Number(WINDOW) + 1]);
      await mine();
      await expect(claim(trader, addr.treasury, BigInt(served.cumulative), served.proof)).rejects.toMatchObject({ details: { error: 'ClaimWindowClosed' } });
      const treasuryBefore = node.engine.state.ledger.treasury;
      await mine();
      await until('the expiry', () => node.engine.state.chain!.root!.expired);
      expect(node.engine.state.ledger.treasury).toBe(treasuryBefore + 1_000_000n);
      expect(((await (await fetch(proofUrl)).json()) as { code: string }).code).toBe('chain.noRoot');
      await books(node);

      // Restarted, the node re-reads everything from block 0 and logs nothing twice.
      await node.chainWatch!.pollOnce();
      const seq = node.engine.state.seq;
      await node.close();
      node = await start(dir);
      await node.chainWatch!.pollOnce();
      await node.chainWatch!.pollOnce();
      expect(node.chainWatch!.recorded).toBe(0);
      expect(node.engine.state.seq).toBe(seq);
      expect((await treasuryStatus(admin, addr.treasury)).anchorCount).toBe(1);
      await books(node);
      await expect(cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--json'])).rejects.toMatchObject({ code: 'cli.invalid' });
    } finally {
      await node.close();
    }
  }, 60_000);

  it.each(['erc20', 'erc721'] as const)('token gate (%s): the node reads balanceOf at its snapshot block and logs it; member.join follows the record', async (standard) => {
    const holder = chainClients(anvil.rpcUrl, { accountIndex: 3 });
    const holderKey = EthereumSigner.fromPrivateKey(anvilPrivateKey(3), 31337);
    const emptyKey = EthereumSigner.fromPrivateKey(anvilPrivateKey(4), 31337);
    let token: Address = addr.token;
    if (standard === 'erc721') {
      token = (await deployContract(admin, projectContracts().TestNFT)).address;
      await send(admin, { address: token, abi: projectContracts().TestNFT.abi, functionName: 'mint', args: [holder.account.address, 7n] });
    } else {
      await mintTestToken(admin, token, holder.account.address, 1000n);
    }
    await mine();
    const node = await start(tmp(), { intervalMs: 60_000 });
    try {
      const minBalance = standard === 'erc20' ? '1000' : '1';
      await submit(node, adminKey, 'community.create', { name: `Gated ${standard}`, config: { admins: [adminKey.did, loopKey.did], resolver: adminKey.did, membership: { mode: 'token', token: { standard, chainId: 31337, address: token.toLowerCase(), minBalance, check: 'balanceOf' } } }, treasury: '0', mint: [] });
      const ask = (body: unknown) => fetch(`${node.url}/v1/chain/balance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await ask({ member: 'nobody' })).status).toBe(400);
      expect((await ask({ member: adminKey.did })).status).toBe(400);

      await expect(submit(node, holderKey, 'member.join', {})).rejects.toMatchObject({ code: 'member.balanceUnknown' });
      const yes = (await (await ask({ member: holderKey.did })).json()) as { eligible: boolean; balance: string; blockNumber: number };
      expect(yes).toMatchObject({ eligible: true, balance: standard === 'erc20' ? '1000' : '1', minBalance });
      await submit(node, holderKey, 'member.join', {});
      expect(getMember(node.engine.state, holderKey.did)).toBeDefined();

      const no = (await (await ask({ member: emptyKey.did })).json()) as { eligible: boolean; balance: string };
      expect(no).toMatchObject({ eligible: false, balance: '0' });
      await expect(submit(node, emptyKey, 'member.join', {})).rejects.toMatchObject({ code: 'member.balanceTooLow' });
      // The decision is in the log: the recorded block and balance, readable without the chain.
      expect(node.engine.state.chain!.balances.get(canonicalDid(holderKey.did))).toEqual({ blockNumber: yes.blockNumber, balance: BigInt(yes.balance) });
    } finally {
      await node.close();
    }
  }, 30_000);
});
