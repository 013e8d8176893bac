import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { InternalError, ValidationError } from '../../core/errors.js';
import { printResult } from '../output.js';

/**
 * `hindsight bench NAME --json`; `all` runs every bench in one process, one after another.
 *
 * Benches are not part of the product: each is a file `bench/NAME.bench.ts` at the package root
 * exporting `run(options) => Promise<object>` (bench/bench-types.ts). This command lists that folder
 * when it runs and imports the chosen file by path, so nothing under src/ imports a bench. Bench
 * files are TypeScript and never compiled: when the CLI itself runs from the build (dist/), tsx's
 * loader is registered first.
 */

type BenchOptions = { quick?: boolean; db?: string };
type BenchModule = { run(options: BenchOptions): Promise<object> };

/** The order of `bench all` (cheap and widely used first); benches not named here follow, by name. */
const ORDER = ['fl', 'market', 'lmsr', 'store', 'ml', 'zk', 'http', 'withholding'];

const SUFFIX = '.bench.ts';

/** The package root: the nearest folder above this module whose package.json is hindsight's (src/cli/commands or dist/cli/commands). */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hindsight') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new InternalError('internal.invariant', `bench: expected a hindsight package.json above ${fileURLToPath(from)}, got none`);
    dir = parent;
  }
}

/** The benches in `dir` (default: the package's bench/), in `bench all` order. */
export function benchNames(dir: string = join(packageRoot(), 'bench')): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(SUFFIX))
    .map((entry) => entry.name.slice(0, -SUFFIX.length));
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

let tsxRegistered = false;

/** Imports bench/NAME.bench.ts; from the build, registers tsx first so Node can load TypeScript. */
async function loadBench(dir: string, name: string): Promise<BenchModule> {
  if (!import.meta.url.endsWith('.ts') && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  const file = join(dir, `${name}${SUFFIX}`);
  const module = (await import(pathToFileURL(file).href)) as Partial<BenchModule>;
  if (typeof module.run !== 'function') throw new ValidationError('bench.unknown', `bench: expected ${file} to export run(options), got ${typeof module.run}`, { field: 'name' });
  return module as BenchModule;
}

export function register(program: Command): void {
  const dir = join(packageRoot(), 'bench');
  const found = benchNames(dir);
  program
    .command('bench')
    .description(`run a benchmark and print its figures: ${found.length ? found.join(', ') : `(none found in ${dir})`}, or all`)
    .argument('<name>', 'benchmark name, or all')
    .option('--quick', 'smaller sizes (for smoke runs)')
    .option('--db <url>', 'PostgreSQL URL for benches that compare backends')
    .option('--json', 'print one JSON object as the last line')
    .action(async (name: string, opts: { quick?: boolean; db?: string; json?: boolean }) => {
      const names = name === 'all' ? found : [name];
      for (const n of names) {
        if (!found.includes(n)) throw new ValidationError('bench.unknown', `bench: expected one of ${found.join(', ')} or all, got ${n}`, { field: 'name' });
      }
      const results: Record<string, object> = {};
      for (const n of names) {
        process.stderr.write(`bench ${n}…\n`);
        results[n] = await (await loadBench(dir, n)).run({ quick: opts.quick, db: opts.db ?? process.env.HINDSIGHT_TEST_PG });
      }
      printResult(name === 'all' ? results : results[name]!, opts);
    });
}
