import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { eventTime, secretsDir, signerFrom, submitAs, withEngine, withSignerFlags, type StoreFlags } from '../context.js';
import { printResult } from '../output.js';

/** Counts per access.report event: the event schema's limit. */
const PER_EVENT = 2000;

function roundNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError('cli.badInteger', `--round: expected a round number ≥ 1, got ${text}`, { field: 'round' });
  return n;
}

/** Reads `{"item", "reads"}` JSON lines; stops at the first bad line with its number. */
export function readCounts(file: string): { item: string; reads: number }[] {
  const out: { item: string; reads: number }[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const v = value as { item?: unknown; reads?: unknown } | undefined;
    if (!v || typeof v !== 'object' || typeof v.item !== 'string' || typeof v.reads !== 'number' || !Number.isSafeInteger(v.reads) || v.reads < 0) {
      throw new ValidationError('cli.invalid', `${file}:${i + 1}: expected {"item": "<id>", "reads": <integer ≥ 0>}, got ${JSON.stringify(line.slice(0, 80))}`, { field: 'counts', line: i + 1 });
    }
    out.push({ item: v.item, reads: v.reads });
  });
  if (out.length === 0) throw new ValidationError('cli.invalid', `${file}: expected at least one {"item", "reads"} line, got none`, { field: 'counts' });
  return out;
}

/**
 * Outcomes computed from data: a reporter signs the reads it saw per item (`access report`, in
 * events of up to 2,000 counts), and the resolver runs the round's resolution function over the
 * reports (`round compute`, revealing the ordering seed saved by `round schedule`).
 */
export function register(program: Command): void {
  const access = program.commands.find((c) => c.name() === 'access') ?? program.command('access').description('access reports: signed read counts per item, the data computed outcomes come from');
  withSignerFlags(access.command('report').description('sign your read counts for a closed round\'s items (you must be one of the round\'s reporters)'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--counts <file>', 'JSON lines {"item", "reads"}')
    .action(async (opts: StoreFlags & { key: string; round: string; counts: string }) => {
      const round = roundNumber(opts.round);
      const counts = readCounts(opts.counts);
      const events: [string, Record<string, unknown>][] = [];
      for (let at = 0; at < counts.length; at += PER_EVENT) events.push(['access.report', { round, counts: counts.slice(at, at + PER_EVENT) }]);
      const cids = await withEngine(opts, (engine) => submitAs(engine, signerFrom(opts), eventTime(opts), events));
      const result = { round, counts: counts.length, cids };
      printResult(result, opts, () => `access.report round ${round}: ${counts.length} counts in ${cids.length} event(s)`);
    });

  const round = program.commands.find((c) => c.name() === 'round') ?? program.command('round').description('round lifecycle');
  withSignerFlags(round.command('compute').description('resolver: reveal the ordering seed and compute every outcome from the access reports with the round\'s resolution function'))
    .requiredOption('--round <n>', 'round number')
    .option('--secrets <dir>', 'where the ordering seed was kept')
    .action(async (opts: StoreFlags & { key: string; round: string; secrets?: string }) => {
      const n = roundNumber(opts.round);
      const seedFile = join(secretsDir(opts), `round-${n}.seed`);
      if (!existsSync(seedFile)) throw new ValidationError('round.noSeed', `${seedFile}: expected the seed saved by "round schedule", got no file`, { field: 'round' });
      const seed = readFileSync(seedFile, 'utf8').trim();
      const result = await withEngine(opts, async (engine) => {
        const [cid] = await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.compute', { round: n, seed }]]);
        const r = engine.state.rounds.get(n);
        const outcomes = r ? [...r.markets.values()].map((m) => ({ item: m.item, outcome: m.outcome })) : [];
        return { round: n, cid, phase: r?.phase ?? null, computed: r?.rules?.computed ?? null, outcomes };
      });
      printResult(result, opts, () => `round.compute ${result.cid}: round ${n} ${result.phase}${result.computed?.status === 'failed' ? ` (voided: ${result.computed.reason})` : `, ${result.outcomes.filter((o) => o.outcome !== null).length} outcomes`}`);
    });
}
