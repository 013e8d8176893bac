/**
 * `demo --chain`: the demo's community keeps its money on a local anvil. Operators' wallets (anvil
 * dev accounts, did:pkh identities) deposit test tokens into the treasury; the watcher logs the
 * confirmed deposits; after each settled round every wallet withdraws a share of its credit, the
 * admin logs and publishes the payout root, anchors the round's state, and the wallets claim on
 * chain (the last wallet leaves its last round unclaimed, so `unclaimed` is exercised too). The
 * books are checked after every round: treasury token balance = deposits − claims paid, and the
 * ledger balances.
 */
import { createHash } from 'node:crypto';
import type { Hex } from 'viem';
import { startAnvil, type AnvilNode } from '../chain/anvil.js';
import { anvilPrivateKey, chainClients, type ChainClients } from '../chain/clients.js';
import { anchor, claim, deployTreasury, deposit, mintTestToken, publishRoot, treasuryStatus, type TreasuryAddresses } from '../chain/treasury.js';
import { logPayload, TreasuryWatcher } from '../chain/watcher.js';
import { InternalError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { EthereumSigner } from '../events/eth-keys.js';
import { EventChain } from '../sdk/operator-chain.js';
import { payoutEntries } from '../game/chain.js';
import { expectedTreasuryBalance } from '../game/chain-state.js';
import { stateHash } from '../game/canonical.js';
import { balanceOf, conservation } from '../game/ledger.js';
import { payoutProof, payoutTree } from '../game/payout-tree.js';
import { roundTimes, type DemoWorld } from './demo-world.js';

const CHAIN_ID = 31337;
/** Blocks a log must be buried under before the watcher logs it. */
const CONFIRMATIONS = 1;

export type ChainSummary = {
  /** Token units deposited into the treasury and credited in the ledger. */
  deposited: string;
  /** Token units the contract paid out to claimants. */
  claimed: string;
  /** Withdrawn from the ledger into payout roots but not claimed (yet). */
  unclaimed: string;
  /** Rounds anchored on chain (round, state digest, seq). */
  anchors: number;
  roots: number;
  /** Treasury balance on chain = deposits − claims paid after every round, and the ledger conserved. */
  conservation: boolean;
  treasury: string;
};

export class DemoChain {
  private conserved = true;

  private constructor(
    private readonly anvil: AnvilNode,
    private readonly admin: ChainClients,
    private readonly addr: TreasuryAddresses,
    private readonly wallets: { clients: ChainClients; chain: EventChain }[],
    private readonly watcher: TreasuryWatcher,
    private readonly rounds: number,
  ) {}

  /** Starts anvil, deploys, configures the community's treasury and logs each wallet's deposit. */
  static async start(world: DemoWorld, options: { wallets: number; deposit: bigint; rounds: number }): Promise<DemoChain> {
    const anvil = await startAnvil();
    try {
      const admin = chainClients(anvil.rpcUrl);
      const d = await deployTreasury(admin, { claimWindow: 30n * 24n * 3600n });
      const addr = { treasury: d.treasury, token: d.token };
      const wallets = Array.from({ length: Math.max(1, Math.min(options.wallets, 9)) }, (_, i) => ({
        clients: chainClients(anvil.rpcUrl, { accountIndex: i + 1 }),
        chain: new EventChain(EthereumSigner.fromPrivateKey(anvilPrivateKey(i + 1), CHAIN_ID), world.admin.community),
      }));
      const watcher = new TreasuryWatcher(admin, { treasury: addr.treasury, confirmations: CONFIRMATIONS });
      const demo = new DemoChain(anvil, admin, addr, wallets, watcher, options.rounds);
      const t = roundTimes(0).schedule;
      await world.submit([world.admin.next('chain.configure', { chainId: CHAIN_ID, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() }, t)]);
      for (const w of wallets) {
        await mintTestToken(admin, addr.token, w.clients.account.address, options.deposit);
        await deposit(w.clients, addr, options.deposit);
      }
      await demo.sync(world, t);
      return demo;
    } catch (error) {
      await anvil.stop();
      throw error;
    }
  }

  /** Logs every newly confirmed deposit and claim (admin-signed), then checks the books. */
  private async sync(world: DemoWorld, time: number): Promise<void> {
    await this.admin.publicClient.request({ method: 'anvil_mine', params: [`0x${CONFIRMATIONS.toString(16)}`] } as never);
    const events = (await this.watcher.poll()).map((log) => {
      const { type, payload } = logPayload(log);
      return world.admin.next(type, payload, time);
    });
    await world.submit(events);
    const c = world.engine.state.chain!;
    const onChain = (await treasuryStatus(this.admin, this.addr.treasury)).balance;
    this.conserved &&= onChain === expectedTreasuryBalance(c) && conservation(world.engine.state.ledger).ok;
  }

  /** After `round` settled: withdrawals, the payout root (logged and published), claims, the anchor. */
  async afterRound(world: DemoWorld, round: number): Promise<void> {
    const t = roundTimes(round).settle + 1;
    const engine: Engine = world.engine;
    const withdrawals = [];
    for (const w of this.wallets) {
      // An equal share of what is left over the rounds to come: the last round withdraws the rest.
      const amount = balanceOf(engine.state.ledger, w.chain.did) / BigInt(Math.max(1, this.rounds - round + 1));
      if (amount > 0n) withdrawals.push(w.chain.next('chain.withdraw', { amount: amount.toString() }, t));
    }
    await world.submit(withdrawals);
    const tree = payoutTree(payoutEntries(engine.state.chain!));
    await world.submit([world.admin.next('chain.root', { round, root: tree.root }, t)]);
    await publishRoot(this.admin, this.addr.treasury, round, tree.root as Hex);
    for (const [i, w] of this.wallets.entries()) {
      if (round === this.rounds && i === this.wallets.length - 1 && this.wallets.length > 1) continue;
      const leaf = payoutProof(tree, w.clients.account.address);
      const paid = engine.state.chain!.accounts.get(w.clients.account.address.toLowerCase())?.paid ?? 0n;
      if (leaf && leaf.cumulative > paid) await claim(w.clients, this.addr.treasury, leaf.cumulative, leaf.proof as Hex[]);
    }
    // The anchor names the state the payouts came from: sha2-256 of the stateHash CID text, and its seq.
    const seq = engine.state.seq;
    const digest = `0x${createHash('sha256').update(stateHash(engine.state)).digest('hex')}` as Hex;
    const tx = await anchor(this.admin, this.addr.treasury, round, digest, seq);
    await world.submit([world.admin.next('chain.anchor', { round, seq, stateDigest: digest, txHash: tx.hash.toLowerCase() }, t)]);
    await this.sync(world, t);
  }

  async summary(world: DemoWorld): Promise<ChainSummary> {
    const c = world.engine.state.chain;
    if (!c) throw new InternalError('chain.notConfigured', 'demo --chain: expected a configured treasury in the state, got none');
    const onChain = (await treasuryStatus(this.admin, this.addr.treasury)).balance;
    return {
      deposited: c.deposited.toString(),
      claimed: c.paid.toString(),
      unclaimed: (c.withdrawn - c.returned - c.paid).toString(),
      anchors: c.anchors.size,
      roots: c.roots,
      conservation: this.conserved && onChain === expectedTreasuryBalance(c) && conservation(world.engine.state.ledger).ok,
      treasury: onChain.toString(),
    };
  }

  stop(): Promise<void> {
    return this.anvil.stop();
  }
}
