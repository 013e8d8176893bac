import { formatUnits } from '../core/money.js';
import type { LeaderboardRow } from '../engine/view-schemas.js';

/**
 * A model line: one operator's model under one name across its retrains. Every retrain commits a
 * new hash, so the per-hash leaderboard grows a row per round; people want one row per model they
 * follow. The line is keyed by (owner DID, name); its latest hash is the one that traded in the
 * highest round. Figures are for reading (units, decimals); `leaderboard --json` keeps every hash.
 */
export type ModelLine = {
  rank: number;
  name: string;
  owner: string;
  latestHash: string;
  hashes: number;
  rounds: number;
  /** P&L in units. */
  pnl: string;
  itemsTraded: number;
  logLoss: string | null;
  brier: string | null;
  /** Expected calibration error: the prediction-weighted gap between each bucket's middle and its hit rate. */
  calibrationError: string | null;
};

export function modelLines(rows: LeaderboardRow[]): ModelLine[] {
  const groups = new Map<string, LeaderboardRow[]>();
  for (const row of rows) {
    const key = `${row.owner}\u0000${row.name}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const lines = [...groups.values()].map((group) => {
    const lastRound = (r: LeaderboardRow): number => Math.max(0, ...r.history.map((h) => h.round));
    const latest = group.reduce((a, b) => (lastRound(b) >= lastRound(a) ? b : a));
    const rounds = new Set(group.flatMap((r) => r.history.map((h) => h.round)));
    const pnl = group.reduce((sum, r) => sum + BigInt(r.pnl), 0n);
    const scored = group.reduce((n, r) => n + r.scoredItems, 0);
    const weighted = (field: 'logLoss' | 'brier'): string | null => {
      const parts = group.filter((r) => r[field] !== null && r.scoredItems > 0);
      if (parts.length === 0 || scored === 0) return null;
      const n = parts.reduce((s, r) => s + r.scoredItems, 0);
      return (parts.reduce((s, r) => s + Number(r[field]) * r.scoredItems, 0) / n).toFixed(4);
    };
    const cells = new Map<string, { predictions: number; hits: number }>();
    for (const r of group) for (const c of r.calibration) {
      const cell = cells.get(c.bucket) ?? { predictions: 0, hits: 0 };
      cells.set(c.bucket, { predictions: cell.predictions + c.predictions, hits: cell.hits + c.hits });
    }
    const total = [...cells.values()].reduce((s, c) => s + c.predictions, 0);
    let ece = 0;
    for (const [bucket, c] of cells) {
      if (c.predictions === 0) continue;
      const [lo, hi] = bucket.split('-').map(Number) as [number, number];
      ece += (c.predictions / total) * Math.abs(c.hits / c.predictions - (lo + hi) / 2);
    }
    return {
      name: latest.name, owner: latest.owner, latestHash: latest.hash, hashes: group.length, rounds: rounds.size, pnlMicro: pnl,
      pnl: formatUnits(pnl), itemsTraded: group.reduce((n, r) => n + r.itemsTraded, 0),
      logLoss: weighted('logLoss'), brier: weighted('brier'), calibrationError: total > 0 ? ece.toFixed(4) : null,
    };
  });
  lines.sort((a, b) => (a.pnlMicro === b.pnlMicro ? a.name.localeCompare(b.name) : a.pnlMicro > b.pnlMicro ? -1 : 1));
  return lines.map(({ pnlMicro: _, ...line }, i) => ({ rank: i + 1, ...line }));
}

/** One line per model line, for a terminal. */
export function formatModelLines(lines: ModelLine[]): string {
  if (lines.length === 0) return 'no models have traded yet';
  const head = `${'#'.padEnd(3)} ${'model'.padEnd(22)} ${'pnl'.padStart(12)} ${'rounds'.padStart(6)} ${'logLoss'.padStart(8)} ${'brier'.padStart(7)} ${'calErr'.padStart(7)}  latest hash`;
  return [head, ...lines.map((l) => `${String(l.rank).padEnd(3)} ${l.name.slice(0, 22).padEnd(22)} ${l.pnl.padStart(12)} ${String(l.rounds).padStart(6)} ${(l.logLoss ?? '-').padStart(8)} ${(l.brier ?? '-').padStart(7)} ${(l.calibrationError ?? '-').padStart(7)}  ${l.latestHash.slice(0, 18)}…`)].join('\n');
}
