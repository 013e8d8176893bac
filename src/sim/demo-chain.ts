/**
 * `demo --chain`: the demo's community keeps its money on a local anvil, and every unit the game
 * spends came in by a deposit. A funder wallet deposits the subsidy budget and hands it to the
 * community treasury (treasury.fund); each operator's wallet (anvil dev accounts, did:pkh
 * identities) deposits the operator's bankroll and transfers it to the operator, whose trades it
 * funds. After each settled round every operator sends a share of its balance (bankroll ± P&L) back
 * to its wallet, the wallets withdraw it, the admin logs and publishes the payout root, anchors the
 * round's state, and the wallets claim on chain (the last wallet leaves its last share unclaimed, so
 * `unclaimed` is exercised too). The books are checked after every round: treasury token balance =
 * deposits − claims paid, the ledger balances, and the ledger's money plus what is claimable is
 * exactly what the treasury holds.
 */
import type { Hex } from 'viem';
import { startAnvil, type AnvilNode } from '../chain/anvil.js';
import { anvilPrivateKey, chainClients, type ChainClients } from '../chain/clients.js';
import { anchor, claim, deployTreasury, deposit, mintTestToken, publishRoot, treasuryStatus, type TreasuryAddresses } from '../chain/treasury.js';
import { logPayload, TreasuryWatcher } from '../chain/watcher.js';
import { InternalError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { canonicalDid } from '../events/did.js';
import { EthereumSigner } from '../events/eth-keys.js';
import type { Signer } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import { EventChain } from '../sdk/operator-chain.js';
import type { Operator } from '../sdk/operator.js';
import { anchorDigest, payoutEntries } from '../game/chain.js';
import { expectedTreasuryBalance, type ChainState } from '../game/chain-state.js';
import { balanceOf, conservation } from '../game/ledger.js';
import type { LedgerState } from '../game/state.js';
import { payoutProof, payoutTree } from '../game/payout-tree.js';
import { demoKey, roundTimes, type DemoWorld } from './demo-world.js';

const CHAIN_ID = 31337;
/** Blocks a log must be buried under before the watcher logs it. */
const CONFIRMATIONS = 1;

export type ChainSummary = {
  /** Token units deposited into the treasury and credited in the ledger. */
  deposited: string;
  /** Of which the funder's deposit that became the community treasury's subsidy budget. */
  budget: string;
  /** Operators whose bankroll came from their wallet's deposit. */
  operators: number;
  /** Token units the contract paid out to claimants. */
  claimed: string;
  /** Withdrawn from the ledger into payout roots but not claimed (yet). */
  unclaimed: string;
  /** Rounds anchored on chain (round, state digest, seq). */
  anchors: number;
  roots: number;
  /**
   * After every step: treasury balance on chain = deposits − claims paid, the ledger conserved, and
   * the ledger's money (less what was minted before the chain started) + claimable = treasury balance.
   */
  conservation: boolean;
  treasury: string;
};

export class DemoChain {
  private conserved = true;

  private constructor(
    private readonly anvil: AnvilNode,
    private readonly admin: ChainClients,
    private readonly addr: TreasuryAddresses,
    private readonly wallets: { clients: ChainClients; chain: EventChain; operator: Operator; signer: Signer }[],
    private readonly watcher: TreasuryWatcher,
    private readonly rounds: number,
    /** Money minted in the ledger before the chain started (committee members' bonds): not backed by deposits. */
    private readonly unbacked: bigint,
    private readonly budget: bigint,
  ) {}

  /**
   * Starts anvil, deploys and configures the community's treasury; the funder's deposit becomes the
   * treasury's budget and each operator's wallet deposit becomes its bankroll (the world was created
   * with neither minted).
   */
  static async start(world: DemoWorld, options: { seed: number; budget: bigint; bankroll: bigint; rounds: number }): Promise<DemoChain> {
    const operators = world.operators;
    const anvil = await startAnvil({ accounts: operators.length + 1 });
    try {
      const admin = chainClients(anvil.rpcUrl);
      const d = await deployTreasury(admin, { claimWindow: 30n * 24n * 3600n });
      const addr = { treasury: d.treasury, token: d.token };
      const community = world.admin.community;
      const wallets = operators.map((operator, i) => ({
        clients: chainClients(anvil.rpcUrl, { accountIndex: i + 1 }),
        chain: new EventChain(EthereumSigner.fromPrivateKey(anvilPrivateKey(i + 1), CHAIN_ID), community),
        operator,
        signer: demoKey(options.seed, `operator:${operator.name}`),
      }));
      const funder = new EventChain(EthereumSigner.fromPrivateKey(anvilPrivateKey(0), CHAIN_ID), community);
      const watcher = new TreasuryWatcher(admin, { treasury: addr.treasury, confirmations: CONFIRMATIONS });
      const demo = new DemoChain(anvil, admin, addr, wallets, watcher, options.rounds, world.engine.state.ledger.minted, options.budget);
      const t = roundTimes(0).schedule;
      await world.submit([world.admin.next('chain.configure', { chainId: CHAIN_ID, treasury: addr.treasury.toLowerCase(), token: addr.token.toLowerCase() }, t)]);
      await mintTestToken(admin, addr.token, admin.account.address, options.budget);
      await deposit(admin, addr, options.budget);
      for (const w of wallets) {
        await mintTestToken(admin, addr.token, w.clients.account.address, options.bankroll);
        await deposit(w.clients, addr, options.bankroll);
      }
      await demo.sync(world, t);
      // The deposits fund the game: the budget goes to the community treasury, each bankroll to its operator.
      await world.submit([funder.next('treasury.fund', { amount: options.budget.toString() }, t), ...wallets.map((w) => w.chain.next('ledger.transfer', { to: w.operator.did, amount: options.bankroll.toString() }, t))]);
      await demo.check(world);
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
    await this.check(world);
  }

  /** The books: chain = deposits − paid, the ledger conserved, and every unit in the ledger or claimable backed by the treasury. */
  private async check(world: DemoWorld): Promise<void> {
    const c = world.engine.state.chain!;
    const onChain = (await treasuryStatus(this.admin, this.addr.treasury)).balance;
    this.conserved &&= onChain === expectedTreasuryBalance(c) && conservation(world.engine.state.ledger).ok && backed(c, world.engine.state.ledger, this.unbacked) === onChain;
  }

  /** After `round` settled: withdrawals, the payout root (logged and published), claims, the anchor. */
  async afterRound(world: DemoWorld, round: number): Promise<void> {
    const t = roundTimes(round).settle + 1;
    const engine: Engine = world.engine;
    // Each operator takes an equal share of its balance over the rounds to come back to its wallet
    // (the last round takes the rest), and the wallet moves it out of the ledger to claim on chain.
    const back = [];
    for (const w of this.wallets) {
      const amount = balanceOf(engine.state.ledger, w.operator.did) / BigInt(Math.max(1, this.rounds - round + 1));
      if (amount > 0n) back.push(signAs(engine.state, w.signer, world.admin.community, 'ledger.transfer', { to: w.chain.did, amount: amount.toString() }, t));
    }
    await world.submit(back);
    // The operators' own event chains moved on without them: they re-read their heads.
    for (const w of this.wallets) await w.operator.resync();
    const withdrawals = [];
    for (const w of this.wallets) {
      const amount = balanceOf(engine.state.ledger, w.chain.did);
      if (amount > 0n) withdrawals.push(w.chain.next('chain.withdraw', { amount: amount.toString() }, t));
    }
    await world.submit(withdrawals);
    const c = engine.state.chain!;
    if (c.withdrawn === (c.root?.withdrawn ?? 0n)) return this.sync(world, t);
    const tree = payoutTree(payoutEntries(c));
    const epoch = (c.root?.epoch ?? 0) + 1;
    await world.submit([world.admin.next('chain.root', { epoch, root: tree.root }, t)]);
    await publishRoot(this.admin, this.addr.treasury, epoch, tree.root as Hex);
    for (const [i, w] of this.wallets.entries()) {
      if (round === this.rounds && i === this.wallets.length - 1 && this.wallets.length > 1) continue;
      const leaf = payoutProof(tree, w.clients.account.address);
      const paid = engine.state.chain!.accounts.get(w.clients.account.address.toLowerCase())?.paid ?? 0n;
      if (leaf && leaf.cumulative > paid) await claim(w.clients, this.addr.treasury, leaf.cumulative, leaf.proof as Hex[]);
    }
    // The anchor names the state the payouts came from; the watcher logs it (chain.anchor) from its Anchored log.
    await anchor(this.admin, this.addr.treasury, round, anchorDigest(engine.state) as Hex, engine.state.seq);
    await this.sync(world, t);
  }

  async summary(world: DemoWorld): Promise<ChainSummary> {
    const c = world.engine.state.chain;
    if (!c) throw new InternalError('chain.notConfigured', 'demo --chain: expected a configured treasury in the state, got none');
    const onChain = (await treasuryStatus(this.admin, this.addr.treasury)).balance;
    return {
      deposited: c.deposited.toString(),
      budget: this.budget.toString(),
      operators: this.wallets.length,
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

/** What the ledger holds (less money minted outside the chain) plus what is claimable on chain: the treasury must hold exactly this. */
function backed(c: ChainState, ledger: LedgerState, unbacked: bigint): bigint {
  return ledger.minted - unbacked + (c.withdrawn - c.returned - c.paid);
}

/** Signs the next event of `signer` after the head the state records for it. */
function signAs(state: Engine['state'], signer: Signer, community: string, type: string, payload: Record<string, unknown>, time: number) {
  const author = state.authors.get(canonicalDid(signer.did));
  return signEvent(signer, { type, community, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time });
}
