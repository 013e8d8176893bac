import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../core/json.js';
import { calibrationChart, lossChart, pnlChart, renderPng } from './charts.js';
import { SERVED_TEMPER, type Calibration } from './demo-metrics.js';
import type { DemoResult } from './demo.js';
import { leaderboardTable, roundTable, targetLines } from './demo-text.js';
import { proofReportLines } from './demo-proofs.js';

const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(5));

/** Chart rows from the demo's measurements. */
export function chartData(result: DemoResult) {
  const { metrics } = result;
  const pnl: { round: number; model: string; pnl: number }[] = [];
  for (const [name, line] of metrics.lines) {
    pnl.push({ round: 0, model: name, pnl: 0 });
    line.cumulative.forEach((v, i) => pnl.push({ round: metrics.rows[i]!.round, model: name, pnl: Number(v) / 1e6 }));
  }
  const loss: { round: number; series: string; kind: string; logLoss: number }[] = [];
  for (const row of metrics.rows) {
    loss.push({ round: row.round, series: 'market', kind: 'market', logLoss: row.marketLogLoss });
    const served = result.config.serve === 'leader' ? row.served.leaderLogLoss : row.served.blendLogLoss;
    if (served !== null) loss.push({ round: row.round, series: `served (${result.config.serve})`, kind: 'served', logLoss: served });
    for (const [name, v] of row.modelLogLoss) loss.push({ round: row.round, series: name, kind: 'model', logLoss: v });
  }
  const calibration: { series: string; predicted: number; observed: number; count: number }[] = [];
  const addCal = (series: string, c: Calibration) => {
    c.predictions.forEach((n, i) => {
      if (n > 0) calibration.push({ series, predicted: c.probSum[i]! / n, observed: c.hits[i]! / n, count: n });
    });
  };
  addCal('market', metrics.marketCalibration);
  for (const [name, line] of metrics.lines) if (line.score.n > 0) addCal(name, line.calibration);
  return { pnl, loss, calibration };
}

/** Writes <out>/report/: report.md, summary.json, leaderboard.json and three PNG charts. */
export async function writeReport(result: DemoResult, gameLeaderboard: unknown): Promise<string> {
  const dir = join(result.out, 'report');
  mkdirSync(dir, { recursive: true });
  const data = chartData(result);
  writeFileSync(join(dir, 'summary.json'), `${toJson(result.summary, 2)}\n`);
  const lines = [...result.metrics.lines.entries()].map(([name, l]) => ({
    name,
    hash: l.hash,
    pnl: Number(l.pnl) / 1e6,
    pnlByRound: l.cumulative.map((v, i) => ({ round: result.metrics.rows[i]!.round, cumulative: Number(v) / 1e6 })),
    logLoss: l.score.logLoss,
    accuracy: l.score.accuracy,
    items: l.score.n,
  }));
  writeFileSync(join(dir, 'leaderboard.json'), `${toJson({ lines, models: gameLeaderboard }, 2)}\n`);
  const charts: [string, Buffer][] = [
    ['pnl.png', await renderPng(pnlChart(data.pnl))],
    ['logloss.png', await renderPng(lossChart(data.loss))],
    ['calibration.png', await renderPng(calibrationChart(data.calibration))],
  ];
  for (const [file, png] of charts) writeFileSync(join(dir, file), png);
  const s = result.summary;
  const md = [
    `# Hindsight demo report`,
    '',
    `Dataset **${result.dataset}** (${result.labels.join(', ')}), ${s.rounds} rounds × ${result.config.items} items, seed ${result.config.seed}, subsidy ${result.config.subsidy} units per item, bankroll ${result.config.bankroll} units per operator. Run time ${result.seconds.toFixed(1)} s.`,
    '',
    `stateHash \`${s.stateHash}\` after ${s.events} events (${s.trades} trades). Replay: \`hindsight replay --dir ${result.out}\`.`,
    '',
    '## Rounds',
    '',
    '```',
    roundTable(result),
    '```',
    '',
    'LL = mean natural-log loss on the round\'s items. Served predictions for round n use the leaderboard as of round n−1 only.',
    '',
    '## Leaderboard',
    '',
    '```',
    leaderboardTable(result),
    '```',
    '',
    '## Served prediction variants (rounds 2..R, log loss)',
    '',
    `Blend weights ∝ exp(t · P&L / b); t = 1 is full-Kelly wealth, t = 0 equal weights. Served default: t = ${SERVED_TEMPER}. P&L leader alone: ${fmt(result.metrics.leader.logLoss)}; best single model: ${fmt(s.served.bestModelLogLoss)}.`,
    '',
    `| t | ${[...result.metrics.blendVariants.keys()].join(' | ')} |`,
    `| --- | ${[...result.metrics.blendVariants.keys()].map(() => '---').join(' | ')} |`,
    `| log loss | ${[...result.metrics.blendVariants.values()].map((v) => fmt(v.logLoss)).join(' | ')} |`,
    '',
    '## Quality targets',
    '',
    ...targetLines(result).map((l) => `- ${l}`),
    '',
    ...proofReportLines(s.proofs),
    '## Charts',
    '',
    '![cumulative P&L](pnl.png)',
    '',
    '![log loss per round](logloss.png)',
    '',
    '![calibration](calibration.png)',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'report.md'), md);
  return dir;
}
