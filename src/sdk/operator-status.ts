import { formatUnits } from '../core/money.js';
import type { HindsightClient } from './client.js';
import type { SavedRound } from './operator-state.js';

/**
 * One round as an operator sees it: the model it committed, how many items it sealed, what the
 * trades cost once executed (net of shares sold; `locked`, the max costs still held, until then),
 * the P&L settlement paid (null before), and the round's phase. Amounts in micro-units.
 */
export type OperatorRoundStatus = { round: number; model: string; items: number; cost: string | null; locked: string; pnl: string | null; state: string };

/** Reads a round's status for `did` from the node's public views: the round, its item markets, the leaderboard once settled. */
export async function operatorRoundStatus(client: Pick<HindsightClient, 'round' | 'market' | 'leaderboard'>, did: string, saved: SavedRound): Promise<OperatorRoundStatus> {
  const view = await client.round(saved.round);
  const state = view?.phase ?? 'missing';
  const locked = saved.trades.reduce((a, t) => a + BigInt(t.trade.maxCost), 0n);
  let cost: bigint | null = null;
  for (const t of saved.trades) {
    const position = (await client.market(saved.round, t.item))?.positions.find((p) => p.model === saved.modelHash && p.trader === did);
    if (position) cost = (cost ?? 0n) + BigInt(position.netCost);
  }
  let pnl: string | null = null;
  if (state === 'settled') {
    const row = (await client.leaderboard()).find((r) => r.hash === saved.modelHash);
    pnl = row?.history.find((h) => h.round === saved.round)?.pnl ?? '0';
  }
  return { round: saved.round, model: saved.modelHash, items: saved.trades.length, cost: cost === null ? null : cost.toString(), locked: cost === null ? locked.toString() : '0', pnl, state };
}

/** The one line per round: `round 3 · model 0x1a2b3c4d · 6 items · cost 1.2 · P&L +0.4 · settled`. */
export function formatRoundStatus(s: OperatorRoundStatus): string {
  const short = s.model.length > 12 ? `${s.model.slice(0, 10)}…` : s.model;
  const cost = s.cost !== null ? `cost ${formatUnits(BigInt(s.cost))}` : s.items > 0 ? `max cost ${formatUnits(BigInt(s.locked))} locked` : 'cost 0';
  const pnl = s.pnl === null ? 'P&L pending' : `P&L ${BigInt(s.pnl) > 0n ? '+' : ''}${formatUnits(BigInt(s.pnl))}`;
  return `round ${s.round} · model ${short} · ${s.items} item${s.items === 1 ? '' : 's'} · ${cost} · ${pnl} · ${s.state}`;
}
