/**
 * `hindsight bench NAME --json` and `npm run bench` run these. Each bench lives beside its code as
 * `x.bench.ts` and exports `run(options) => Promise<object>` returning the figures as plain JSON.
 */
export type BenchOptions = { quick?: boolean; db?: string };
export type BenchModule = { run(options: BenchOptions): Promise<object> };

export const benches: Record<string, () => Promise<BenchModule>> = {
  fl: () => import('../fl/fl.bench.js'),
  market: () => import('../sim/market.bench.js'),
  lmsr: () => import('../game/market/lmsr.bench.js'),
  store: () => import('../node/log.bench.js'),
  ml: () => import('../ml/train.bench.js'),
  zk: () => import('../zk/zk.bench.js'),
  http: () => import('../node/http.bench.js'),
  withholding: () => import('../sim/withholding.bench.js'),
};
