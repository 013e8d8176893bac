import type { BenchOptions } from './bench-types.js';
import { liquidityForSubsidy, quoteTradeToBelief } from '../src/market/index.js';

/**
 * The numbers behind docs/mechanism.md §1: what one withheld committee reveal (a choice between two
 * trade-execution orders) is worth to a seat holder who trades every item, and what an item
 * submitter who knows the label earns on its own item. Binary items, subsidy 10 units, trade to
 * belief, seeded LCG (reproducible).
 */

const UNIT = 1_000_000n;
const SCALE = 10n ** 12n;

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const belief = (p1: number): bigint[] => {
  const one = BigInt(Math.round(p1 * 1e12));
  return [SCALE - one, one];
};

/** P&L of trader 0 when `order` executes trade-to-belief for each trader, outcome `y`. */
function pnlOfFirst(b: bigint, beliefs: bigint[][], order: number[], y: number): number {
  let q = [0n, 0n];
  let mine = 0n;
  for (const t of order) {
    const { delta, cost } = quoteTradeToBelief(q, b, beliefs[t]!, 1000n * UNIT);
    q = q.map((x, i) => x + delta[i]!);
    if (t === 0) mine = delta[y]! - cost;
  }
  return Number(mine) / 1e6;
}

export async function run(options: BenchOptions): Promise<object> {
  const rnd = lcg(11);
  const subsidy = 10;
  const b = liquidityForSubsidy(BigInt(subsidy) * UNIT, 2);
  const noisy = (y: number) => belief(Math.min(0.97, Math.max(0.03, (y === 1 ? 0.7 : 0.3) + (rnd() - 0.5) * 0.5)));
  const orders = permutations([0, 1, 2, 3, 4]);
  const pool = options.quick ? 60 : 300;
  const perItem: number[][] = [];
  for (let i = 0; i < pool; i++) {
    const y = rnd() < 0.5 ? 0 : 1;
    const beliefs = Array.from({ length: 5 }, () => noisy(y));
    perItem.push(orders.map((o) => pnlOfFirst(b, beliefs, o, y)));
  }
  const trials = options.quick ? 500 : 4000;
  const withholding = [10, 50, 150, 500].map((n) => {
    let gain = 0;
    for (let t = 0; t < trials; t++) {
      let x1 = 0;
      let x2 = 0;
      for (let i = 0; i < n; i++) {
        const p = perItem[Math.floor(rnd() * pool)]!;
        x1 += p[Math.floor(rnd() * orders.length)]!;
        x2 += p[Math.floor(rnd() * orders.length)]!;
      }
      gain += Math.max(x1, x2) - (x1 + x2) / 2;
    }
    return { items: n, gainBestOfTwoSeeds: +(gain / trials).toFixed(2) };
  });
  const submitter = [0, 2, 4].map((others) => {
    let sum = 0;
    const items = options.quick ? 300 : 2000;
    for (let i = 0; i < items; i++) {
      const y = rnd() < 0.5 ? 0 : 1;
      const beliefs = [belief(y === 1 ? 0.97 : 0.03), ...Array.from({ length: others }, () => noisy(y))];
      const order = beliefs.map((_, j) => [rnd(), j] as const).sort((a, c) => a[0] - c[0]).map((x) => x[1]);
      sum += pnlOfFirst(b, beliefs, order, y);
    }
    return { otherTraders: others, pnlPerItem: +(sum / items).toFixed(2) };
  });
  return { subsidyPerItem: subsidy, traders: 5, withholding, informedSubmitter: submitter };
}
