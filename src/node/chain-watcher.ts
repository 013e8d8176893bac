/**
 * The node's chain glue: polls the treasury for confirmed Deposited / Claimed logs and appends each
 * as a chain.deposit / chain.claim event signed by the node's admin key. The game refuses a log it
 * already recorded, so the loop always re-reads from block 0 after a restart and credits nothing
 * twice; a reorg shallower than `confirmations` never reaches the log.
 */
import type { Address, Hex } from 'viem';
import { chainClients, type ChainClients } from '../chain/clients.js';
import { publishRoot, treasuryStatus } from '../chain/treasury.js';
import { TreasuryWatcher, logPayload } from '../chain/watcher.js';
import { HindsightError } from '../core/errors.js';
import { canonicalDid } from '../events/did.js';
import type { Signer } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import type { Engine } from '../engine/engine.js';
import { payoutEntries } from '../game/chain.js';
import { payoutTree } from '../game/payout-tree.js';

export type ChainWatchOptions = {
  rpc: string;
  treasury: Address;
  confirmations: number;
  /** The community admin's signer: chain.* events are admin events. */
  signer: Signer;
  /**
   * The treasury admin's 0x private key: when set, after a round settles with new withdrawals the
   * loop logs its chain.root and publishes it to the treasury.
   */
  publisherKey?: Hex;
  /** Poll period (default 1 s). */
  intervalMs?: number;
  /** Where poll failures go (the chain may be down for a while; the loop keeps trying). */
  onError?: (error: unknown) => void;
};

export class ChainWatchLoop {
  private readonly watcher: TreasuryWatcher;
  private readonly publisher: ChainClients | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  /** Logs this loop appended (duplicates of recorded logs excluded). */
  recorded = 0;

  constructor(
    private readonly engine: Engine,
    private readonly options: ChainWatchOptions,
  ) {
    this.watcher = new TreasuryWatcher(chainClients(options.rpc), { treasury: options.treasury, confirmations: options.confirmations });
    this.publisher = options.publisherKey ? chainClients(options.rpc, { privateKey: options.publisherKey }) : undefined;
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

  /** One pass: appends every newly confirmed log; returns how many the game accepted. */
  pollOnce(): Promise<number> {
    return (this.running ??= this.pass().finally(() => (this.running = undefined)));
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
      // Event time = the node's clock: the event records when the node saw the log, not game money.
      const event = this.sign(community, type, payload);
      try {
        await this.engine.submit(event);
        accepted++;
      } catch (error) {
        if (error instanceof HindsightError && error.code === 'chain.duplicateLog') continue;
        // Anything else (chain not configured yet, a transient store error): re-read this range next time.
        this.watcher.cursor = before;
        throw error;
      }
    }
    this.recorded += accepted;
    if (this.publisher) await this.publishRoot(this.publisher, community);
    return accepted;
  }

  private sign(community: string, type: string, payload: Record<string, unknown>) {
    const author = this.engine.state.authors.get(canonicalDid(this.options.signer.did));
    return signEvent(this.options.signer, { type, community, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time: Date.now() });
  }

  /**
   * Logs the payout root of the latest settled round when withdrawals changed the allocations since
   * the last root, then makes the contract's root the logged one. Log first, chain second: a crash
   * between them leaves a logged root the next pass publishes (the contract's round is behind).
   */
  private async publishRoot(publisher: ChainClients, community: string): Promise<void> {
    const state = this.engine.state;
    const c = state.chain;
    if (!c?.config) return;
    let settled = 0;
    for (const r of state.rounds.values()) if (r.phase === 'settled' && r.round > settled) settled = r.round;
    const entries = payoutEntries(c);
    if (settled > (c.root?.round ?? 0) && entries.length > 0) {
      const root = payoutTree(entries).root;
      if (root !== c.root?.root) await this.engine.submit(this.sign(community, 'chain.root', { round: settled, root }));
    }
    const logged = this.engine.state.chain?.root;
    if (!logged || logged.expired) return;
    const onChain = await treasuryStatus(publisher, this.options.treasury);
    if (onChain.rootRound < logged.round) await publishRoot(publisher, this.options.treasury, logged.round, logged.root as Hex);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
