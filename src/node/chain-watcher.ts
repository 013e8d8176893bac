/**
 * The node's chain glue. Each pass it
 * - appends every confirmed Deposited / Claimed / Anchored log of the treasury as a chain.deposit /
 *   chain.claim / chain.anchor event signed by the node's admin key (the game refuses a log it
 *   already recorded, so the loop re-reads from block 0 after a restart and credits nothing twice;
 *   a reorg shallower than `confirmations` never reaches the log);
 * - logs chain.expire when the on-chain root's claim window closed before the newest confirmed
 *   block (every claim that could still succeed is then already in the log);
 * - with a publisher key: logs and publishes a new payout root when withdrawals happened since the
 *   latest one, and anchors (round, state digest, seq) for every newly settled round.
 * Every step reads what the log and the chain already hold first, so a crash anywhere is repaired
 * by the next pass and nothing is done twice.
 */
import type { Address, Hex } from 'viem';
import { chainClients, type ChainClients } from '../chain/clients.js';
import { readTokenBalance } from '../chain/token-gate.js';
import { anchor, anchorOf, publishRoot, treasuryStatus } from '../chain/treasury.js';
import { TreasuryWatcher, logPayload } from '../chain/watcher.js';
import { HindsightError, ValidationError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { canonicalDid, parseDid } from '../events/did.js';
import type { Signer } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import { rootDue } from '../game/chain-state.js';
import { anchorDigest, payoutEntries } from '../game/chain.js';
import { payoutTree } from '../game/payout-tree.js';

export type ChainWatchOptions = {
  rpc: string;
  treasury: Address;
  confirmations: number;
  /** The community admin's signer: chain.* events are admin events. */
  signer: Signer;
  /** The treasury admin's 0x private key: when set, the loop publishes roots and anchors rounds. */
  publisherKey?: Hex;
  /** Poll period (default 1 s). */
  intervalMs?: number;
  /** Where poll failures go (the chain may be down for a while; the loop keeps trying). */
  onError?: (error: unknown) => void;
};

/** Refusals that mean "already in the log": a re-read after a restart, or an anchor logged by hand. */
const ALREADY_LOGGED = new Set(['chain.duplicateLog', 'chain.alreadyAnchored']);

/** The loop serving each engine, for the routes (a node runs at most one). */
const loops = new WeakMap<Engine, ChainWatchLoop>();
export function chainLoopOf(engine: Engine): ChainWatchLoop | undefined {
  return loops.get(engine);
}

export type BalanceDecision = { member: string; blockNumber: number; balance: string; minBalance: string; eligible: boolean };

export class ChainWatchLoop {
  private readonly reader: ChainClients;
  private readonly watcher: TreasuryWatcher;
  private readonly publisher: ChainClients | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** Everything that signs with the loop's key runs one at a time (each event names the previous one). */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Rounds this process sent an anchor for (a sent anchor may not be readable until mined). */
  private readonly anchoring = new Set<number>();
  /** Logs this loop appended (duplicates of recorded logs excluded). */
  recorded = 0;

  constructor(
    private readonly engine: Engine,
    private readonly options: ChainWatchOptions,
  ) {
    this.reader = chainClients(options.rpc);
    this.watcher = new TreasuryWatcher(this.reader, { treasury: options.treasury, confirmations: options.confirmations });
    this.publisher = options.publisherKey ? chainClients(options.rpc, { privateKey: options.publisherKey }) : undefined;
    loops.set(engine, this);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.pollOnce()
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 1000);
        });
    };
    tick();
  }

  /** One pass: appends every newly confirmed log, then expires, publishes and anchors; returns how many logs the game accepted. */
  pollOnce(): Promise<number> {
    return (this.running ??= this.serial(() => this.pass()).finally(() => (this.running = undefined)));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async pass(): Promise<number> {
    const community = this.engine.community;
    if (!community) return 0;
    const before = this.watcher.cursor;
    let logs;
    try {
      logs = await this.watcher.poll();
    } catch (error) {
      this.watcher.cursor = before;
      throw error;
    }
    let accepted = 0;
    for (const log of logs) {
      const { type, payload } = logPayload(log);
      try {
        await this.submit(type, payload);
        accepted++;
      } catch (error) {
        if (error instanceof HindsightError && ALREADY_LOGGED.has(error.code)) continue;
        // Anything else (chain not configured yet, a transient store error): re-read this range next time.
        this.watcher.cursor = before;
        throw error;
      }
    }
    this.recorded += accepted;
    if (!this.engine.state.chain?.config) return accepted;
    await this.expire();
    if (this.publisher) {
      await this.publishRoot(this.publisher);
      await this.anchorRounds(this.publisher);
    }
    return accepted;
  }

  private submit(type: string, payload: Record<string, unknown>) {
    const community = this.engine.community!;
    const author = this.engine.state.authors.get(canonicalDid(this.options.signer.did));
    // Event time = the node's clock: the event records when the node saw the chain, not game money.
    return this.engine.submit(signEvent(this.options.signer, { type, community, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time: Date.now() }));
  }

  /**
   * Logs chain.expire for the latest root once its deadline is older than the newest confirmed
   * block: claims only succeed up to the deadline, and every confirmed claim log is in the log by
   * now, so what is left unclaimed is final and returns to the ledger treasury.
   */
  private async expire(): Promise<void> {
    const logged = this.engine.state.chain?.root;
    if (!logged || logged.expired || this.watcher.cursor === 0n) return;
    const onChain = await treasuryStatus(this.reader, this.options.treasury);
    if (onChain.rootEpoch !== logged.epoch || onChain.root !== logged.root) return;
    const confirmed = await this.reader.publicClient.getBlock({ blockNumber: this.watcher.cursor - 1n });
    if (confirmed.timestamp > BigInt(onChain.deadline)) await this.submit('chain.expire', { epoch: logged.epoch });
  }

  /**
   * Logs the payout root of the current allocations when withdrawals happened since the latest
   * root, then makes the contract's root the logged one. Log first, chain second: a crash between
   * them leaves a logged root the next pass publishes (the contract's epoch is behind).
   */
  private async publishRoot(publisher: ChainClients): Promise<void> {
    const c = this.engine.state.chain!;
    const entries = payoutEntries(c);
    if (rootDue(c) && entries.length > 0) await this.submit('chain.root', { epoch: (c.root?.epoch ?? 0) + 1, root: payoutTree(entries).root });
    const logged = this.engine.state.chain?.root;
    if (!logged || logged.expired) return;
    const onChain = await treasuryStatus(publisher, this.options.treasury);
    if (onChain.rootEpoch < logged.epoch) await publishRoot(publisher, this.options.treasury, logged.epoch, logged.root as Hex);
  }

  /**
   * Anchors (round, digest of the current state, seq) for each settled round above the highest
   * anchored one. Chain first, log second: the Anchored log comes back through the watcher as
   * chain.anchor, so the log records exactly what the chain holds.
   */
  private async anchorRounds(publisher: ChainClients): Promise<void> {
    const state = this.engine.state;
    const anchored = Math.max(0, ...state.chain!.anchors.keys());
    const due = [...state.rounds.values()].filter((r) => r.phase === 'settled' && r.round > anchored && !this.anchoring.has(r.round)).map((r) => r.round).sort((a, b) => a - b);
    for (const round of due) {
      if (!(await anchorOf(publisher, this.options.treasury, round))) await anchor(publisher, this.options.treasury, round, anchorDigest(this.engine.state) as Hex, this.engine.state.seq);
      // Only once it is on chain: a failed send is retried by the next pass.
      this.anchoring.add(round);
    }
  }

  /**
   * The token gate's decision for `member`: balanceOf the gate token at the snapshot block (the
   * newest confirmed block), logged as chain.balance so member.join is decided from the log alone.
   */
  recordBalance(member: string): Promise<BalanceDecision> {
    return this.serial(() => this.readBalance(member));
  }

  private async readBalance(member: string): Promise<BalanceDecision> {
    const token = this.engine.state.community?.config.membership?.token;
    if (!token || token.check !== 'balanceOf') throw new ValidationError('member.gateMisconfigured', `membership.token.check: expected 'balanceOf' for the node to read balances, got ${token?.check ?? 'no token gate'}`, { field: 'member' });
    const did = parseDid(member, 'member');
    if (did.method !== 'pkh' || did.chainId !== token.chainId) throw new ValidationError('chain.notPkh', `member: expected a did:pkh:eip155:${token.chainId} account, got ${member}`, { field: 'member' });
    const chainId = await this.reader.publicClient.getChainId();
    if (chainId !== token.chainId) throw new ValidationError('chain.notConfigured', `membership.token.chainId: expected the node's chain ${chainId}, got ${token.chainId}`, { field: 'member' });
    const head = await this.reader.publicClient.getBlockNumber({ cacheTime: 0 });
    const block = head > BigInt(this.options.confirmations) ? head - BigInt(this.options.confirmations) : 0n;
    const balance = await readTokenBalance(this.reader, { address: token.address as Address }, did.address as Address, block);
    const payload = { member: canonicalDid(member), blockNumber: Number(block), balance: balance.toString() };
    await this.submit('chain.balance', payload);
    return { ...payload, minBalance: token.minBalance, eligible: balance >= BigInt(token.minBalance) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    loops.delete(this.engine);
  }
}
