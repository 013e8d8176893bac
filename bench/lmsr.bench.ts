/**
 * `hindsight bench lmsr --json`: operations per CPU-second of the market math (one core), per
 * number of outcomes K, on seeded random market states (q up to ~5·b, beliefs with no zero entries).
 * CPU time rather than wall time, so other processes on a shared machine do not distort the figures.
 */
import type { BenchOptions } from './bench-types.js';
import { expFixed, lnFixed, ONE } from '../src/market/fixed.js';
import { PROB_SCALE, cost, liquidityForSubsidy, prices, quoteShares } from '../src/market/lmsr.js';
import { quoteTradeToBelief } from '../src/market/trade-to-belief.js';

/** Deterministic xorshift32, so every run measures the same inputs. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

type Case = { q: bigint[]; b: bigint; belief: bigint[]; delta: bigint[]; fullCost: bigint };

function makeCases(k: number, count: number, seed: number): Case[] {
  const next = rng(seed);
  const b = liquidityForSubsidy(100_000_000n, k); // 100 units of subsidy
  const cases: Case[] = [];
  for (let n = 0; n < count; n++) {
    const q = Array.from({ length: k }, () => (b * BigInt(next() % 5000)) / 1000n);
    const w = Array.from({ length: k }, () => BigInt((next() % 1000) + 1));
    const total = w.reduce((s, v) => s + v, 0n);
    const belief = w.map((v) => (v * PROB_SCALE) / total);
    belief[0] = belief[0]! + PROB_SCALE - belief.reduce((s, v) => s + v, 0n);
    const delta = Array.from({ length: k }, () => BigInt(next() % 10_000_000));
    const fullCost = quoteTradeToBelief(q, b, belief, 10n ** 18n).cost;
    cases.push({ q, b, belief, delta, fullCost });
  }
  return cases;
}

/** CPU time of this process in ms: the machine may be shared, and wall time would count others' work. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `fn` over the cases for ~`ms` CPU milliseconds (at least one pass); returns ops per CPU-second. */
function opsPerSec<T>(cases: readonly T[], ms: number, fn: (c: T) => unknown): number {
  for (const c of cases) fn(c); // warm-up
  let ops = 0;
  const start = cpuMs();
  let elapsed = 0;
  do {
    for (const c of cases) fn(c);
    ops += cases.length;
    elapsed = cpuMs() - start;
  } while (elapsed < ms);
  return Math.round((ops / elapsed) * 1000);
}

export async function run(options: BenchOptions): Promise<object> {
  const ms = options.quick ? 100 : 600;
  const count = options.quick ? 50 : 200;
  const xs = Array.from({ length: 256 }, (_, i) => -((BigInt(i) * ONE) / 9n) - 12345n);
  const ys = xs.map((x) => -x + ONE);
  const byK: Record<string, Record<string, number>> = {};
  const allCases = [2, 5, 10].map((k) => makeCases(k, count, 1000 + k));
  // warm the JIT on every shape first, so the first K measured is not penalised
  for (const cases of allCases) opsPerSec(cases, ms / 2, (c) => quoteTradeToBelief(c.q, c.b, c.belief, c.fullCost / 3n));
  for (const cases of allCases) {
    const k = cases[0]!.q.length;
    const capped = cases.filter((c) => c.fullCost > 4n);
    const tradeToBelief = opsPerSec(cases, ms, (c) => quoteTradeToBelief(c.q, c.b, c.belief, 10n ** 18n));
    const cappedTradeToBelief = opsPerSec(capped, ms, (c) => quoteTradeToBelief(c.q, c.b, c.belief, c.fullCost / 3n));
    byK[`K${k}`] = {
      costPerSec: opsPerSec(cases, ms, (c) => cost(c.q, c.b)),
      pricesPerSec: opsPerSec(cases, ms, (c) => prices(c.q, c.b)),
      quoteSharesPerSec: opsPerSec(cases, ms, (c) => quoteShares(c.q, c.b, c.delta)),
      tradeToBeliefPerSec: tradeToBelief,
      tradeToBeliefMicros: Math.round(1e8 / tradeToBelief) / 100,
      cappedTradeToBeliefPerSec: cappedTradeToBelief,
      cappedTradeToBeliefMicros: Math.round(1e8 / cappedTradeToBelief) / 100,
    };
  }
  return {
    expFixedPerSec: opsPerSec(xs, ms, expFixed),
    lnFixedPerSec: opsPerSec(ys, ms, lnFixed),
    ...byK,
  };
}
