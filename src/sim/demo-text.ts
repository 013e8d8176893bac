import type { DemoResult } from './demo.js';

/** The demo's human-readable tables (terminal and report.md share them). */
const f = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));
const money = (micro: bigint): string => (Number(micro) / 1e6).toFixed(2);

function table(header: string[], rows: string[][], right: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function roundTable(result: DemoResult): string {
  const rows = result.metrics.rows.map((r) => [
    String(r.round),
    String(r.items),
    String(r.trades),
    f(r.marketLogLoss),
    `${r.best.name} ${f(r.best.logLoss)}`,
    r.served.leader ?? '—',
    f(r.served.leaderLogLoss),
    f(r.served.blendLogLoss),
    money(r.subsidySpent),
  ]);
  return table(['round', 'items', 'trades', 'market LL', 'best model LL', 'P&L leader', 'leader LL', 'blend LL', 'subsidy spent'], rows, new Set([0, 1, 2, 3, 6, 7, 8]));
}

export function leaderboardTable(result: DemoResult): string {
  const rows = result.summary.models.map((m, i) => [String(i + 1), m.name, m.pnl.toFixed(2), f(m.logLoss), f(m.accuracy), `${m.hash.slice(0, 20)}…`]);
  return table(['#', 'model', 'P&L (units)', 'log loss', 'accuracy', 'latest hash'], rows, new Set([0, 2, 3, 4]));
}

/** The demo's measured quality targets (docs/demo.md), each with its verdict. */
export function targetLines(result: DemoResult): string[] {
  const s = result.summary;
  const scored = s.models.filter((m) => m.logLoss !== null);
  const avgModel = scored.reduce((a, m) => a + (m.logLoss as number), 0) / Math.max(1, scored.length);
  const original = s.models.find((m) => m.name === 'logreg-bigrams');
  const copy = s.models.find((m) => m.name.startsWith('copycat'));
  const ok = (b: boolean) => (b ? 'met' : 'NOT met');
  const servedGap = s.served.logLoss !== null && s.served.bestModelLogLoss !== null ? s.served.logLoss - s.served.bestModelLogLoss : null;
  const copyShare = original && copy && original.pnl > 0 ? copy.pnl / original.pnl : null;
  return [
    `Spearman(P&L, quality) over ${scored.length} models: ${f(s.rankCorrelation, 3)} (target ≥ 0.9: ${ok(s.rankCorrelation >= 0.9)})`,
    s.rounds < 2
      ? 'served prediction: needs at least 2 rounds (round n is served from the leaderboard of round n−1)'
      : `served (${s.served.rule}) log loss on rounds 2..${s.rounds}: ${f(s.served.logLoss)} vs best single model ${f(s.served.bestModelLogLoss)}, gap ${f(servedGap)} (target ≤ 0.01: ${ok(servedGap !== null && servedGap <= 0.01)})`,
    `market final prices log loss: ${f(s.market.logLoss)} vs average model ${f(avgModel)} and best model ${f(Math.min(...scored.map((m) => m.logLoss as number)))} (target: better than the average: ${ok((s.market.logLoss ?? Infinity) < avgModel)})`,
    // The streams demo has no copycat and computes outcomes from access reports (demo-streams.ts).
    ...(copy || original ? [`copycat P&L: ${copy ? copy.pnl.toFixed(2) : '—'} = ${copyShare === null ? '—' : `${(copyShare * 100).toFixed(1)} %`} of the original's ${original ? original.pnl.toFixed(2) : '—'} (target ≤ 10 %: ${ok(copyShare !== null && copyShare <= 0.1)})`] : []),
    'streams' in s
      ? 'outcomes computed by the community\'s `reads` function from the reporters\' signed access reports (median of the counts)'
      : s.committee
      ? `labels by a committee of ${s.committee.size} seats drawn from bonded members (${s.committee.adversarial} colluding): ${(s.committee.labelAccuracy * 100).toFixed(1)} % equal the dataset's labels; ${s.committee.penalized} members lost bond`
      : 'labels by the community resolver key (dataset labels)',
    `subsidy spent ${s.subsidy.spent.toFixed(2)} of budget ${s.subsidy.budget.toFixed(2)} (target ≤ budget: ${ok(s.subsidy.spent <= s.subsidy.budget)}); conservation: ${s.conservation ? 'ok' : 'VIOLATED'}`,
  ];
}

export function humanReport(result: DemoResult): string {
  const s = result.summary;
  return [
    `Hindsight demo: ${result.dataset} (${result.labels.length} classes), ${s.rounds} rounds × ${result.config.items} items, seed ${result.config.seed}, ${result.seconds.toFixed(1)} s`,
    '',
    roundTable(result),
    '',
    'Final leaderboard (per model line; each line commits a new hash when it retrains)',
    leaderboardTable(result),
    '',
    ...targetLines(result),
    '',
    `${s.events} events, ${s.trades} trades, stateHash ${s.stateHash}`,
    `log: ${result.out} (hindsight replay --dir ${result.out}); report: ${result.out}/report/report.md`,
    `dashboard: hindsight node start --dir ${result.out}, then open http://127.0.0.1:8080/`,
    `flag posts (spam feed) into round ${s.rounds + 1}, left scheduled for them${s.chain ? '' : `: fund your browser's identity with hindsight ledger transfer --key ${result.out}/visitor.key --to <its DID> --amount 200 --node http://127.0.0.1:8080`}`,
  ].join('\n');
}
