/**
 * `hindsight demo --usecase streams`: the game on a stream network's reads. Each round's items are
 * candidate streams; each market has K buckets of "reads in the next window" on a log scale. After
 * trading closes and the window ends, three reporter nodes sign `access.report` read counts (one
 * of them lies; the median outvotes it) and the resolver's `round.compute` runs the community's
 * built-in `reads` function — no committee, nothing typed in. Operators train the existing model
 * families on LRB-style features of settled rounds only.
 *
 * What the market is worth: a cache refilled at each window's start with the streams of highest
 * predicted reads per byte (expected reads under the prices the round's revealed trades reach; also
 * under the served blend and under the public recent-reads score alone), against LRU, LFU, GDSF
 * and Belady run over the same requests (warmed by the trace before the first round).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { ValidationError } from '../core/errors.js';
import type { ItemInput } from '../events/types/core.js';
import { stateHash } from '../game/canonical.js';
import { marketPrices } from '../game/exchange.js';
import { conservation } from '../game/ledger.js';
import { Engine } from '../engine/engine.js';
import { leaderboardView as leaderboard } from '../engine/views.js';
import { expectedReads } from '../ml/streams/buckets.js';
import { planStreams, type StreamItem } from '../ml/streams/plan.js';
import { generateWorkload, parseTrace, type Request } from '../ml/streams/workload.js';
import { EventChain } from '../sdk/operator-chain.js';
import type { LabeledExample } from '../sdk/operator-history.js';
import { FEATURE_SCALE, type ModelStrategy, type PreparedModel } from '../sdk/operator-strategy.js';
import { DEFAULT_BANKROLL, beliefToProbs } from '../sdk/operator-bankroll.js';
import { MlStrategy, type MlRecipe } from '../sdk/operators/index.js';
import type { DemoRoundSet } from './demo-data.js';
import { DemoMetrics, SERVED_TEMPER } from './demo-metrics.js';
import { blend, blendWeights } from './served.js';
import { DemoWorld, DEMO_EPOCH, demoKey, roundTimes, units } from './demo-world.js';
import { prepareOut, subsidySpent, type DemoOptions, type DemoResult } from './demo.js';
import { buildSummary } from './summary.js';
import { appendCacheReport, bucketLabels, cacheFigures, CACHE_FRACTIONS, round4, type CacheFigures, type Ranked, type StreamsSummary } from './streams-cache.js';
import { writeReport } from './report.js';

/** Defaults: 12 windows of 6 h after a day of warmup (three days of the week-long default trace), 500 streams a round. */
export const STREAMS_DEFAULTS = { rounds: 12, items: 500 } as const;

/** The model families of the spam demo, on dense stream features; each retrains every round on the last rounds. */
export const STREAM_RECIPES: readonly MlRecipe[] = [
  { name: 'mlp-16', family: 'mlp', buckets: 0, ngrams: [], hidden: 16, epochs: 8 },
  { name: 'logreg', family: 'logreg', buckets: 0, ngrams: [], epochs: 6 },
  { name: 'naive-bayes', family: 'naive-bayes', buckets: 0, ngrams: [] },
];
/** Settled rounds a model trains on: the workload drifts (streams fade, new ones arrive), so old windows mislead. */
const TRAIN_ROUNDS = 8;

export type StreamsDemoOptions = DemoOptions & {
  /** A `time id size [extra]` trace file instead of the generator's (seeded) default trace. */
  trace?: string;
  /** Generator size overrides (tests use a small trace). */
  workload?: { streams?: number; requests?: number; duration?: number };
  /** Window seconds, warmup windows, candidates per round, buckets per market. */
  window?: number;
  warmup?: number;
  buckets?: number;
  scoring?: 'lmsr' | 'qmsr';
};

export { CACHE_FRACTIONS, type CacheFigures, type StreamsSummary };
export type StreamsDemoResult = Omit<DemoResult, 'summary'> & { summary: StreamsSummary };

/** Trains the wrapped strategy on the bootstrap corpus and the last `rounds` settled rounds only. */
class RecentRounds implements ModelStrategy {
  readonly name: string;
  constructor(readonly inner: ModelStrategy, readonly rounds: number) {
    this.name = inner.name;
  }
  train(history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel> {
    const since = context.round - this.rounds;
    const recent = history.filter((e) => e.round >= since);
    return this.inner.train(recent.length > 0 ? recent : history, context);
  }
}

const features = (v: readonly number[]) => ({ features: v.map((x) => Math.round(x * FEATURE_SCALE)) });

function loadTrace(options: StreamsDemoOptions, seed: number): { name: string; requests: Request[] } {
  if (options.trace) return { name: options.trace, requests: parseTrace(readFileSync(options.trace, 'utf8')).sort((a, b) => a.time - b.time) };
  return { name: `generated (seed ${seed})`, requests: generateWorkload({ seed, ...options.workload }).requests };
}

export async function runStreamsDemo(options: StreamsDemoOptions): Promise<StreamsDemoResult> {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const subsidy = options.subsidy ?? 1;
  const bankroll = options.bankroll ?? 5000;
  const scoring = options.scoring ?? 'lmsr';
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValidationError('demo.badOption', `--seed: expected a non-negative integer, got ${seed}`, { field: 'seed' });
  const trace = loadTrace(options, seed);
  const plan = planStreams(trace.requests, { window: options.window, warmup: options.warmup, rounds: options.rounds ?? STREAMS_DEFAULTS.rounds, candidates: options.items ?? STREAMS_DEFAULTS.items, buckets: options.buckets });
  const K = plan.boundaries.length + 1;
  const candidates = plan.rounds[0]!.items.length;
  prepareOut(options.out, options.force ?? false);
  mkdirSync(options.out, { recursive: true });

  const sizes = new Map<number, number>();
  for (const r of trace.requests) sizes.set(r.id, r.size);
  const bootstrap = plan.bootstrap.map((it, i): LabeledExample => ({ round: 0, item: `b${i}`, outcomes: K, input: features(it.features), label: it.label }));
  const strategies = STREAM_RECIPES.map((r) => new RecentRounds(new MlStrategy(r), TRAIN_ROUNDS));
  const engine = await Engine.open({ dir: options.out });
  let result: StreamsDemoResult;
  try {
    const rounds = plan.rounds.length;
    const budget = units(subsidy) * BigInt(rounds * candidates);
    const world = await DemoWorld.create(engine, { seed, community: 'demo-streams', subsidyPerItem: units(subsidy), budget, bankroll: units(bankroll), rule: options.rule ?? DEFAULT_BANKROLL, bootstrap, strategies });
    const reporters = [0, 1, 2].map((i) => new EventChain(demoKey(seed, `reporter:${i}`), 'demo-streams'));
    await world.submit([
      world.admin.next('rules.change', { fromRound: 1, rules: { scoring, resolution: { fn: 'reads', reporters: reporters.map((r) => r.did), boundaries: plan.boundaries } } }, DEMO_EPOCH + 2000),
    ]);
    const metrics = new DemoMetrics(world.operators.map((o) => o.name));
    const marketRanked: Ranked = [];
    const recentRanked: Ranked = [];
    const servedRanked: Ranked = [];
    let voided = 0;
    for (let i = 0; i < rounds; i++) {
      const round = i + 1;
      const win = plan.rounds[i]!;
      const set: DemoRoundSet = { round, items: [], labels: new Map() };
      for (const it of win.items) {
        const id = `r${round}-s${it.stream}`;
        set.items.push({ id, outcomes: K, input: features(it.features) } satisfies ItemInput);
        set.labels.set(id, it.label);
      }
      options.onProgress?.({ round, rounds, phase: 'train' });
      await world.schedule(set);
      await world.open(round);
      options.onProgress?.({ round, rounds, phase: 'trade' });
      await world.trade(round);
      options.onProgress?.({ round, rounds, phase: 'reveal' });
      await world.closeAndReveal(round);
      // Served: the revealed beliefs blended by the leaderboard of earlier rounds — known before the window starts.
      const b = Number([...engine.state.rounds.get(round)!.markets.values()][0]?.b ?? 1n) / 1e6;
      const weights = blendWeights(metrics.wealth(), b, SERVED_TEMPER);
      const served = win.items.map((it) => {
        const beliefs = new Map<string, number[]>();
        for (const op of world.operators) {
          const belief = op.rounds.get(round)?.beliefs.get(`r${round}-s${it.stream}`);
          if (belief) beliefs.set(op.name, beliefToProbs(belief));
        }
        return blend(beliefs, weights) ?? [];
      });
      options.onProgress?.({ round, rounds, phase: 'settle' });
      await submitReports(world, reporters, round, win.items.map((it) => [`r${round}-s${it.stream}`, it.reads]));
      await world.submit([world.admin.next('round.compute', { round, seed: world.roundSeed(round) }, roundTimes(round).resolve)]);
      // Market: the prices the revealed sealed trades reach once they execute (in the order the seed draws).
      const markets = engine.state.rounds.get(round)!.markets;
      const price = (it: StreamItem) => marketPrices(markets.get(`r${round}-s${it.stream}`)!).map((v) => Number(v) / 1e12);
      const rank = (forecast: (it: StreamItem, i: number) => number[]) => {
        const density = win.items.map((it, i) => [it.stream, expectedReads(forecast(it, i), plan.boundaries) / Math.max(1, sizes.get(it.stream)!)] as const);
        density.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
        return { start: win.start, end: win.end, ranked: [...density.map((d) => d[0]), ...win.fallback] };
      };
      marketRanked.push(rank(price));
      servedRanked.push(rank((_it, i) => served[i]!));
      recentRanked.push({ start: win.start, end: win.end, ranked: [...win.items.map((it) => it.stream), ...win.fallback] });
      voided += [...markets.values()].filter((m) => m.outcome === null).length;
      await world.settle(round);
      metrics.observe(engine.state, set, world.operators, subsidySpent(engine.state, round));
    }
    const cache = cacheFigures(trace.requests, plan, sizes, { market: marketRanked, served: servedRanked, recent: recentRanked });
    const summary = buildSummary({ metrics, rounds, items: rounds * candidates, events: engine.state.seq, stateHash: stateHash(engine.state), serve: options.serve ?? 'blend', budget, conservation: conservation(engine.state.ledger).ok });
    const mid = Math.floor(CACHE_FRACTIONS.length / 2);
    const gap = cache.belady[mid]!.object - cache.lru[mid]!.object;
    const closed = gap > 0 ? (cache.market[mid]!.object - cache.lru[mid]!.object) / gap : 0;
    const beats = cache.market.every((m, i) => m.object > cache.lru[i]!.object && m.object > cache.lfu[i]!.object);
    const streamsSummary: StreamsSummary = {
      ...summary,
      usecase: 'streams',
      streams: { trace: trace.name, requests: trace.requests.length, streams: sizes.size, window: plan.window, candidates, buckets: K, scoring, reporters: reporters.length, voided },
      cache,
      goal: { beatsLruAndLfu: beats, middleGapClosed: round4(closed), met: beats && closed >= 0.5 },
    };
    result = { summary: streamsSummary, metrics, leaderboard: leaderboard(engine.state), reportDir: null, dataset: `streams: ${trace.name}`, labels: bucketLabels(plan.boundaries), out: options.out, seconds: 0, config: { rounds, items: candidates, seed, subsidy, bankroll, serve: options.serve ?? 'blend' } };
  } finally {
    await engine.close();
  }
  if (options.report !== false) {
    result.seconds = (performance.now() - started) / 1000;
    result.reportDir = await writeReport(result as unknown as DemoResult, result.leaderboard);
    await appendCacheReport(result.reportDir, result.summary);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Three reporters sign the window's read counts; the third inflates every count (the median ignores it). */
async function submitReports(world: DemoWorld, reporters: EventChain[], round: number, counts: [string, number][]): Promise<void> {
  const t = roundTimes(round).resolve - 1000;
  const events = [];
  for (const [j, reporter] of reporters.entries()) {
    for (let at = 0; at < counts.length; at += 2000) {
      const chunk = counts.slice(at, at + 2000).map(([item, reads]) => ({ item, reads: j === 2 ? reads * 10 + 7 : reads }));
      events.push(reporter.next('access.report', { round, counts: chunk }, t));
    }
  }
  await world.submit(events);
}
