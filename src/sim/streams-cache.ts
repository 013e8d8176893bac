/**
 * The streams demo's cache comparison: the forecasts' window caches against LRU, LFU, GDSF and
 * Belady at several sizes, and its section (table and hit-ratio chart) in the demo report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate, windowCache, type HitRatios } from '../ml/streams/caches.js';
import type { StreamsPlan } from '../ml/streams/plan.js';
import type { Request } from '../ml/streams/workload.js';
import { hitRatioChart, renderPng } from './charts.js';
import type { DemoSummary } from './summary.js';

/** Cache sizes as fractions of all streams' bytes; the middle one is the goal's. */
export const CACHE_FRACTIONS = [0.005, 0.01, 0.02, 0.05, 0.1] as const;
const POLICIES = ['lru', 'lfu', 'gdsf', 'belady'] as const;

export type CacheFigures = { sizes: number[]; fractions: number[]; market: HitRatios[]; served: HitRatios[]; recent: HitRatios[]; lru: HitRatios[]; lfu: HitRatios[]; gdsf: HitRatios[]; belady: HitRatios[] };
export type Ranked = { start: number; end: number; ranked: number[] }[];

/** The streams demo's `--json` summary: the usual figures plus the use case, the cache comparison and the goal. */
export type StreamsSummary = DemoSummary & {
  usecase: 'streams';
  streams: { trace: string; requests: number; streams: number; window: number; candidates: number; buckets: number; scoring: string; reporters: number; voided: number };
  cache: CacheFigures;
  goal: { beatsLruAndLfu: boolean; middleGapClosed: number; met: boolean };
};

export function cacheFigures(requests: readonly Request[], plan: StreamsPlan, sizes: Map<number, number>, forecasts: { market: Ranked; served: Ranked; recent: Ranked }): CacheFigures {
  let total = 0;
  for (const s of sizes.values()) total += s;
  const capacities = CACHE_FRACTIONS.map((f) => Math.round(total * f));
  const sizeOf = (id: number) => sizes.get(id) ?? 0;
  const r4 = (h: HitRatios): HitRatios => ({ object: round4(h.object), byte: round4(h.byte) });
  const out: CacheFigures = { sizes: capacities, fractions: [...CACHE_FRACTIONS], market: [], served: [], recent: [], lru: [], lfu: [], gdsf: [], belady: [] };
  for (const cap of capacities) {
    for (const k of ['market', 'served', 'recent'] as const) out[k].push(r4(windowCache(requests, forecasts[k], cap, sizeOf)));
    for (const p of POLICIES) out[p].push(r4(simulate(requests, cap, p, plan.evaluation)));
  }
  return out;
}

export const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export function bucketLabels(boundaries: readonly number[]): string[] {
  return [0, ...boundaries].map((lo, k) => (k === 0 ? '0' : k === boundaries.length ? `≥${lo}` : boundaries[k]! - 1 === lo ? `${lo}` : `${lo}–${boundaries[k]! - 1}`));
}

/** Adds the cache comparison (table and hit-ratio chart) to the report that writeReport wrote. */
export async function appendCacheReport(dir: string, s: StreamsSummary): Promise<void> {
  const series = ['market', 'served', 'recent', 'lru', 'lfu', 'gdsf', 'belady'] as const;
  const rows = series.flatMap((name) => s.cache.fractions.flatMap((f, i) => [{ fraction: f * 100, policy: name, ratio: s.cache[name][i]!.object, kind: 'object' }, { fraction: f * 100, policy: name, ratio: s.cache[name][i]!.byte, kind: 'byte' }]));
  writeFileSync(join(dir, 'hitratio.png'), await renderPng(hitRatioChart(rows)));
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const table = [
    `| cache (% of bytes) | ${series.join(' | ')} |`,
    `| --- | ${series.map(() => '---').join(' | ')} |`,
    ...s.cache.fractions.map((f, i) => `| ${f * 100} | ${series.map((n) => `${pct(s.cache[n][i]!.object)} / ${pct(s.cache[n][i]!.byte)}`).join(' | ')} |`),
  ];
  const md = [
    '',
    '## Streams: what the market is worth as a cache',
    '',
    `Trace ${s.streams.trace}: ${s.streams.requests} requests over ${s.streams.streams} streams; ${s.rounds} windows of ${s.streams.window / 3600} h, ${s.streams.candidates} candidate streams per round, ${s.streams.buckets}-bucket markets (${s.streams.scoring}), outcomes computed by \`reads\` from ${s.streams.reporters} reporters' signed counts (${s.streams.voided} items voided).`,
    '',
    'Object / byte hit ratio over the rounds\' requests. Each cache is refilled at every window\'s start with the streams of highest expected reads per byte: `market` under the prices the round\'s revealed trades reach, `served` under the leaderboard-weighted blend of the revealed beliefs, `recent` by the public recent-reads score alone.',
    '',
    ...table,
    '',
    `Goal (beat LRU and LFU at every size, close half the LRU→Belady gap at ${s.cache.fractions[Math.floor(s.cache.fractions.length / 2)]! * 100} %): ${s.goal.met ? 'met' : 'missed'} — beats LRU and LFU: ${s.goal.beatsLruAndLfu}, gap closed ${(s.goal.middleGapClosed * 100).toFixed(1)} %.`,
    '',
    '![hit ratio against cache size](hitratio.png)',
    '',
  ];
  writeFileSync(join(dir, 'report.md'), readFileSync(join(dir, 'report.md'), 'utf8') + md.join('\n'));
}
