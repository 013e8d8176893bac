import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hex } from 'viem';
import { tempDirs } from '../../../test/support/temp-dirs.js';
import { startAnvil, type AnvilNode } from '../../chain/anvil.js';
import { anvilPrivateKey, chainClients, type ChainClients } from '../../chain/clients.js';
import { deployTreasury, deposit, mintTestToken, publishRoot, treasuryStatus, type TreasuryAddresses } from '../../chain/treasury.js';
import { canonicalDid } from '../../events/did.js';
import { EthereumSigner } from '../../events/eth-keys.js';
import { Ed25519Signer, type Signer } from '../../events/keys.js';
import { signEvent } from '../../events/sign.js';
import { payoutEntries } from '../../game/chain.js';
import { expectedTreasuryBalance } from '../../game/chain-state.js';
import { balanceOf } from '../../game/ledger.js';
import { payoutTree } from '../../game/payout-tree.js';
import { startNode, type RunningNode } from '../../node/run-node.js';
import { register } from './chain.js';

/** The node's chain glue on a real anvil: the watcher loop logs deposits and claims, the proof route feeds `chain claim --node`. */
const tmp = tempDirs('hs-chain-node-');
let anvil: AnvilNode;
let admin: ChainClients;
let user: ChainClients;
let addr: TreasuryAddresses;
const adminKey = Ed25519Signer.generate();
const userKey = EthereumSigner.fromPrivateKey(anvilPrivateKey(1), 31337);

beforeAll(async () => {
  anvil = await startAnvil();
  admin = chainClients(anvil.rpcUrl);
  user = chainClients(anvil.rpcUrl, { accountIndex: 1 });
  const d = await deployTreasury(admin, { claimWindow: 3600n });
  addr = { treasury: d.treasury, token: d.token };
  await mintTestToken(admin, addr.token, user.account.address, 10_000n);
}, 60_000);
afterAll(async () => anvil?.stop());

async function submit(node: RunningNode, signer: Signer, type: string, payload: Record<string, unknown>): Promise<void> {
  const e = node.engine;
  const author = e.state.authors.get(canonicalDid(signer.did));
  await e.submit(signEvent(signer, { type, community: e.community ?? 'chain-node-test', payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time: Date.now() }));
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
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

const start = (dir: string, publish = false) =>
  startNode({ dir, admin: adminKey.did, logger: false, rateLimit: false, chain: { rpc: anvil.rpcUrl, treasury: addr.treasury as Hex, confirmations: 1, signer: adminKey, intervalMs: 50, ...(publish ? { publisherKey: anvilPrivateKey(0) } : {}) } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node start --chain: deposits into the log, payout proofs over HTTP, chain claim --node', () => {
  it('credits a confirmed deposit once across a restart, serves the proof, and the claim it feeds is logged', async () => {
    const dir = tmp();
    let node = await start(dir);
    try {
      await submit(node, adminKey, 'community.create', { name: 'Chain node', config: { admins: [adminKey.did], resolver: adminKey.did }, treasury: '0', mint: [] });
      await submit(node, adminKey, 'chain.configure', { chainId: 31337, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() });
      await deposit(user, addr, 1000n);
      await admin.publicClient.request({ method: 'anvil_mine', params: ['0x1'] } as never);
      await until('the deposit credit', () => balanceOf(node.engine.state.ledger, userKey.did) === 1000n);

      // Restarted, the watcher re-reads from block 0: the game refuses the recorded log, nothing is credited twice.
      await node.close();
      node = await start(dir);
      await node.chainWatch!.pollOnce();
      expect(node.chainWatch!.recorded).toBe(0);
      expect(balanceOf(node.engine.state.ledger, userKey.did)).toBe(1000n);

      const proofUrl = `${node.url}/v1/chain/proof/${user.account.address}`;
      expect((await fetch(proofUrl)).status).toBe(404);
      expect((await fetch(`${node.url}/v1/chain/proof/0x12`)).status).toBe(400);

      await submit(node, userKey, 'chain.withdraw', { amount: '400' });
      const root = payoutTree(payoutEntries(node.engine.state.chain!)).root as Hex;
      await submit(node, adminKey, 'chain.root', { round: 1, root });
      await publishRoot(admin, addr.treasury, 1, root);
      const served = (await (await fetch(proofUrl)).json()) as Record<string, unknown>;
      expect(served).toMatchObject({ round: 1, root, account: user.account.address.toLowerCase(), cumulative: '400', paid: '0' });

      const claimed = await cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--node', node.url, '--json']);
      expect(claimed.claimed).toBe('400');
      await admin.publicClient.request({ method: 'anvil_mine', params: ['0x1'] } as never);
      await until('the claim record', () => node.engine.state.chain!.paid === 400n);
      expect((await treasuryStatus(admin, addr.treasury)).balance).toBe(expectedTreasuryBalance(node.engine.state.chain!));
      expect(expectedTreasuryBalance(node.engine.state.chain!)).toBe(600n);

      // A later withdrawal changes the allocations: the node refuses to serve a proof the root no longer matches.
      await submit(node, userKey, 'chain.withdraw', { amount: '100' });
      const stale = await fetch(proofUrl);
      expect(stale.status).toBe(409);
      expect(((await stale.json()) as { code: string }).code).toBe('chain.rootStale');
      await expect(cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--node', node.url, '--json'])).rejects.toMatchObject({ code: 'chain.rootStale' });
      await expect(cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--json'])).rejects.toMatchObject({ code: 'cli.invalid' });
    } finally {
      await node.close();
    }
  }, 60_000);

  it('with a publisher key, a settled round with new withdrawals gets its root logged and published, and the claim goes through', async () => {
    // A treasury of its own: one treasury serves one community (claimed[] counts per address).
    const d = await deployTreasury(admin, { claimWindow: 3600n, token: addr.token });
    addr = { treasury: d.treasury, token: addr.token };
    const node = await start(tmp(), true);
    try {
      await submit(node, adminKey, 'community.create', { name: 'Chain node 2', config: { trading: 'sealed', admins: [adminKey.did], resolver: adminKey.did }, treasury: '100000000', mint: [] });
      await submit(node, adminKey, 'chain.configure', { chainId: 31337, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() });
      const before = (await treasuryStatus(admin, addr.treasury)).rootRound;
      await deposit(user, addr, 500n);
      await admin.publicClient.request({ method: 'anvil_mine', params: ['0x1'] } as never);
      await until('the deposit credit', () => balanceOf(node.engine.state.ledger, userKey.did) === 500n);
      await submit(node, userKey, 'chain.withdraw', { amount: '200' });
      // A withdrawal alone publishes nothing: roots follow settlements.
      await node.chainWatch!.pollOnce();
      expect(node.engine.state.chain!.root).toBeNull();

      const seed = 'ab'.repeat(32);
      const now = Date.now();
      await submit(node, adminKey, 'round.schedule', { round: before + 1, subsidyPerItem: '1000000', tradingDeadline: now + 300, revealDeadline: now + 400, seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') });
      await submit(node, adminKey, 'round.items', { round: before + 1, items: [{ id: 'a', outcomes: 2, input: { text: 'item a' } }] });
      await submit(node, adminKey, 'round.open', { round: before + 1 });
      await sleep(450);
      await submit(node, adminKey, 'round.close', { round: before + 1 });
      await submit(node, adminKey, 'round.resolve', { round: before + 1, seed, labels: [{ item: 'a', outcome: 0 }] });
      await submit(node, adminKey, 'round.settle', { round: before + 1 });
      await until('the logged root', () => node.engine.state.chain!.root?.round === before + 1);
      const logged = node.engine.state.chain!.root!.root;
      const published = async () => (await treasuryStatus(admin, addr.treasury)).root === logged;
      for (let i = 0; i < 100 && !(await published()); i++) await sleep(50);
      expect((await treasuryStatus(admin, addr.treasury)).rootRound).toBe(before + 1);

      const claimed = await cli(['claim', '--rpc', anvil.rpcUrl, '--treasury', addr.treasury, '--account', '1', '--node', node.url, '--json']);
      expect(claimed.claimed).toBe('200');
      await admin.publicClient.request({ method: 'anvil_mine', params: ['0x1'] } as never);
      await until('the claim record', () => node.engine.state.chain!.paid === 200n);
      expect((await treasuryStatus(admin, addr.treasury)).balance).toBe(expectedTreasuryBalance(node.engine.state.chain!));
    } finally {
      await node.close();
    }
  }, 60_000);
});
