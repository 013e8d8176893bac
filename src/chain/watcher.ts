/**
 * Reads the treasury's deposit, claim and anchor logs once they are `confirmations` blocks deep. The
 * caller turns each into a signed chain.deposit / chain.claim event; the game refuses a log it
 * already recorded (by txHash and logIndex), so re-reading a range after a restart credits nothing
 * twice, and a reorg shallower than `confirmations` never touches a recorded log.
 */
import type { Address } from 'viem';
import type { ChainClients } from './clients.js';
import { treasuryLogs, type TreasuryLog } from './treasury.js';

export type WatcherOptions = { treasury: Address; confirmations: number; fromBlock?: bigint };

export class TreasuryWatcher {
  /** Next block to read. */
  cursor: bigint;

  constructor(
    private readonly c: Pick<ChainClients, 'publicClient'>,
    private readonly options: WatcherOptions,
  ) {
    this.cursor = options.fromBlock ?? 0n;
  }

  /** Logs in blocks that became confirmed since the last poll, in chain order. */
  async poll(): Promise<TreasuryLog[]> {
    const head = await this.c.publicClient.getBlockNumber({ cacheTime: 0 });
    const safe = head - BigInt(this.options.confirmations);
    if (safe < this.cursor) return [];
    const logs = await treasuryLogs(this.c, this.options.treasury, this.cursor, safe);
    this.cursor = safe + 1n;
    return logs;
  }
}

/** The payload of the game event recording a log (lower-case hex: one spelling per value). */
export function logPayload(log: TreasuryLog): { type: 'chain.deposit' | 'chain.claim' | 'chain.anchor'; payload: Record<string, unknown> } {
  if (log.kind === 'anchor') return { type: 'chain.anchor', payload: { round: log.round, seq: log.seq, stateDigest: log.stateDigest.toLowerCase(), txHash: log.txHash.toLowerCase() } };
  const ref = { txHash: log.txHash.toLowerCase(), logIndex: log.logIndex, blockNumber: Number(log.blockNumber) };
  if (log.kind === 'deposit') return { type: 'chain.deposit', payload: { ...ref, from: log.from.toLowerCase(), amount: log.amount.toString() } };
  return { type: 'chain.claim', payload: { ...ref, account: log.account.toLowerCase(), amount: log.amount.toString(), cumulative: log.cumulative.toString() } };
}
