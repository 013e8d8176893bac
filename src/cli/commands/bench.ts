import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { benches } from '../bench-registry.js';
import { printResult } from '../output.js';

/** `hindsight bench NAME --json`; `all` runs every registered bench in one process, one after another. */
export function register(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark and print its figures: ${Object.keys(benches).join(', ')}, or all`)
    .argument('<name>', 'benchmark name, or all')
    .option('--quick', 'smaller sizes (for smoke runs)')
    .option('--db <url>', 'PostgreSQL URL for benches that compare backends')
    .option('--json', 'print one JSON object as the last line')
    .action(async (name: string, opts: { quick?: boolean; db?: string; json?: boolean }) => {
      const names = name === 'all' ? Object.keys(benches) : [name];
      const results: Record<string, object> = {};
      for (const n of names) {
        const load = benches[n];
        if (!load) throw new ValidationError('bench.unknown', `bench: expected one of ${Object.keys(benches).join(', ')} or all, got ${n}`, { field: 'name' });
        process.stderr.write(`bench ${n}…\n`);
        results[n] = await (await load()).run({ quick: opts.quick, db: opts.db ?? process.env.HINDSIGHT_TEST_PG });
      }
      printResult(name === 'all' ? results : results[name]!, opts);
    });
}
