/**
 * What every bench exports. `hindsight bench NAME --json` and `npm run bench` find benches by file
 * name (`bench/NAME.bench.ts`), so no product module imports a bench or the CLI.
 */
export type BenchOptions = { quick?: boolean; db?: string };
export type BenchModule = { run(options: BenchOptions): Promise<object> };
