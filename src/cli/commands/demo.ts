import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { printResult } from '../output.js';

/** `hindsight demo`: the whole game on real data in one command (src/sim/demo.ts). */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the iterated prediction game end to end: a community, model operators trading in sealed LMSR markets, settlement, leaderboard, served prediction, report')
    .option('--rounds <n>', 'rounds to play', '6')
    .option('--items <n>', 'validation items per round', '150')
    .option('--seed <n>', 'seed for data split, keys, salts and ordering (same seed → same stateHash)', '1')
    .option('--dataset <file.jsonl>', 'a JSONL dataset ({"text"|"features", "label"} per line) instead of SpamAssassin')
    .option('--out <dir>', 'community directory for the log and report/', './out/demo')
    .option('--force', 'overwrite the files of an earlier demo in --out')
    .option('--serve <rule>', 'served prediction rule: blend (wealth-weighted) or leader (P&L leader)', 'blend')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (opts: { rounds: string; items: string; seed: string; dataset?: string; out: string; force?: boolean; serve: string; json?: boolean }) => {
      const int = (v: string, field: string): number => {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new ValidationError('cli.badInteger', `--${field}: expected an integer, got ${v}`, { field });
        return n;
      };
      if (opts.serve !== 'blend' && opts.serve !== 'leader') throw new ValidationError('cli.badServe', `--serve: expected blend or leader, got ${opts.serve}`, { field: 'serve' });
      const [{ runDemo }, { humanReport }] = await Promise.all([import('../../sim/demo.js'), import('../../sim/demo-text.js')]);
      const bar = process.stderr.isTTY ? await progressBar() : null;
      try {
        const result = await runDemo({
          rounds: int(opts.rounds, 'rounds'),
          items: int(opts.items, 'items'),
          seed: int(opts.seed, 'seed'),
          dataset: opts.dataset,
          out: opts.out,
          force: opts.force,
          serve: opts.serve,
          onProgress: bar ? (p) => bar.update(p) : undefined,
        });
        bar?.stop();
        if (opts.json) printResult(result.summary, opts);
        else process.stdout.write(`${humanReport(result)}\n`);
      } finally {
        bar?.stop();
      }
    });
}

/** A progress bar on stderr (only when it is a terminal): one step per round phase. */
async function progressBar(): Promise<{ update(p: { round: number; rounds: number; phase: string }): void; stop(): void }> {
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar({ format: 'demo [{bar}] round {round}/{rounds} {phase}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, progress.Presets.shades_classic);
  const phases = ['train', 'trade', 'reveal', 'settle'];
  let started = false;
  let stopped = false;
  return {
    update(p) {
      const total = p.rounds * phases.length + 1;
      const at = p.phase === 'report' ? total - 1 : (p.round - 1) * phases.length + Math.max(0, phases.indexOf(p.phase));
      if (!started) {
        bar.start(total, at, { round: p.round, rounds: p.rounds, phase: p.phase });
        started = true;
      } else bar.update(at, { round: p.round, rounds: p.rounds, phase: p.phase });
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
