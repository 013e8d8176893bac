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
    .option('--adversarial-committee <F>', 'fraction of committee seats that collude on wrong labels (0..1)', '0')
    .option('--no-committee', 'resolve labels with the community resolver key instead of a member committee')
    .option('--serve <rule>', 'served prediction rule: blend (wealth-weighted) or leader (P&L leader)', 'blend')
    .option('--chain', "money on a local anvil: deposits fund the subsidy budget and the operators' bankrolls, payouts are claimed on chain, rounds anchored")
    .option('--proofs', 'the community requires proofs: provable operators reveal with round batch proofs (models capped at --proof-buckets features)')
    .option('--proof-buckets <n>', 'with --proofs: hashed features of the provable models at most', '1024')
    .option('--batch-items <n>', 'with --proofs: slots per batch proof (default: --items, one batch per operator per round)')
    .option('--fl', 'members keep private mailbox shards; one operator trains by federated learning (DP, secure aggregation, controller processes over a node) and trades with the model')
    .option('--fl-controllers <n>', 'with --fl: member controllers (one process each)', '20')
    .option('--fl-rounds <n>', 'with --fl: federated rounds', '1')
    .option('--fl-epochs <n>', 'with --fl: local SGD epochs per round on each shard', '6')
    .option('--fl-shard <n>', 'with --fl: examples in each member\'s shard', '40')
    .option('--fl-groups <n>', 'with --fl: SecAgg groups per round, whose sums the contribution rule pays by; each released group sum carries its own noise (default 2, 1 below 6 controllers)')
    .option('--fl-public-epochs <n>', 'with --fl: SGD epochs on the public bootstrap corpus that the task and its central yardstick start from (0: from zero)', '6')
    .option('--fl-clip <c>', 'with --fl: L2 bound on each controller\'s update per round (the DP sensitivity)', '1')
    .option('--fl-epsilon <e>', 'with --fl: ε of every controller over the whole task (δ = 1e-5)', '10')
    .option('--fl-server <kind>', 'with --fl: the operator\'s server optimizer, fedavg or fedadam', 'fedavg')
    .option('--fl-server-lr <eta>', 'with --fl: the server step (default 10 for fedavg, 0.3 for fedadam)')
    .option('--usecase <name>', 'spam (labels from a committee) or streams (which data streams will be read; outcomes computed from signed access reports, cache comparison)', 'spam')
    .option('--trace <file>', 'with --usecase streams: a "time id size [extra]" trace instead of the generated one')
    .option('--scoring <rule>', 'with --usecase streams: market scoring rule, lmsr or qmsr', 'lmsr')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (opts: { usecase: string; trace?: string; scoring: string; rounds: string; items: string; seed: string; dataset?: string; out: string; force?: boolean; serve: string; json?: boolean; adversarialCommittee: string; committee: boolean; chain?: boolean; proofs?: boolean; proofBuckets: string; batchItems?: string; fl?: boolean; flControllers: string; flRounds: string; flEpochs: string; flShard: string; flGroups?: string; flPublicEpochs: string; flEpsilon: string; flClip: string; flServer: string; flServerLr?: string }, cmd: Command) => {
      const int = (v: string, field: string): number => {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new ValidationError('cli.badInteger', `--${field}: expected an integer, got ${v}`, { field });
        return n;
      };
      const num = (v: string, field: string): number => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n)) throw new ValidationError('cli.badNumber', `--${field}: expected a number, got ${v}`, { field });
        return n;
      };
      if (opts.serve !== 'blend' && opts.serve !== 'leader') throw new ValidationError('cli.badServe', `--serve: expected blend or leader, got ${opts.serve}`, { field: 'serve' });
      const [{ runDemo }, { humanReport }] = await Promise.all([import('../../sim/demo.js'), import('../../sim/demo-text.js')]);
      if (opts.usecase !== 'spam' && opts.usecase !== 'streams') throw new ValidationError('cli.invalid', `--usecase: expected spam or streams, got ${opts.usecase}`, { field: 'usecase' });
      if (opts.scoring !== 'lmsr' && opts.scoring !== 'qmsr') throw new ValidationError('cli.invalid', `--scoring: expected lmsr or qmsr, got ${opts.scoring}`, { field: 'scoring' });
      const bar = process.stderr.isTTY ? await progressBar() : null;
      try {
        if (opts.usecase === 'streams') {
          const given = (name: string, v: string) => (cmd.getOptionValueSource(name) === 'default' ? undefined : int(v, name));
          const { runStreamsDemo } = await import('../../sim/demo-streams.js');
          const result = await runStreamsDemo({ out: opts.out, force: opts.force, seed: int(opts.seed, 'seed'), rounds: given('rounds', opts.rounds), items: given('items', opts.items), trace: opts.trace, scoring: opts.scoring, onProgress: bar ? (p) => bar.update(p) : undefined });
          bar?.stop();
          if (opts.json) printResult(result.summary, opts);
          else process.stdout.write(`${humanReport(result as unknown as Parameters<typeof humanReport>[0])}\n${streamsCacheText(result.summary)}\n`);
          return;
        }
        const run = opts.fl ? await flDemo({ controllers: int(opts.flControllers, 'fl-controllers'), flRounds: int(opts.flRounds, 'fl-rounds'), localEpochs: int(opts.flEpochs, 'fl-epochs'), shard: int(opts.flShard, 'fl-shard'), ...(opts.flGroups === undefined ? {} : { groups: int(opts.flGroups, 'fl-groups') }), publicEpochs: int(opts.flPublicEpochs, 'fl-public-epochs'), epsilon: num(opts.flEpsilon, 'fl-epsilon'), clipNorm: num(opts.flClip, 'fl-clip'), server: opts.flServer as 'fedavg', ...(opts.flServerLr === undefined ? {} : { serverLearningRate: num(opts.flServerLr, 'fl-server-lr') }) }) : runDemo;
        const result = await run({
          rounds: int(opts.rounds, 'rounds'),
          items: int(opts.items, 'items'),
          seed: int(opts.seed, 'seed'),
          dataset: opts.dataset,
          out: opts.out,
          force: opts.force,
          serve: opts.serve,
          committee: opts.committee,
          adversarialCommittee: Number(opts.adversarialCommittee),
          ...(opts.chain ? { chain: true } : {}),
          ...(opts.proofs ? { proofs: { maxBuckets: int(opts.proofBuckets, 'proof-buckets'), ...(opts.batchItems === undefined ? {} : { batchItems: int(opts.batchItems, 'batch-items') }) } } : {}),
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

/** The cache comparison as a table (hit ratios, object / byte). */
function streamsCacheText(s: import('../../sim/demo-streams.js').StreamsSummary): string {
  const names = ['market', 'served', 'recent', 'lru', 'lfu', 'gdsf', 'belady'] as const;
  const rows = s.cache.fractions.map((f, i) => `${`${(f * 100).toFixed(1)} %`.padStart(7)}  ${names.map((n) => `${s.cache[n][i]!.object.toFixed(3)}/${s.cache[n][i]!.byte.toFixed(3)}`.padStart(12)).join('')}`);
  return [`cache hit ratio (object/byte) by size (% of all streams' bytes):`, `${'size'.padStart(7)}  ${names.map((n) => n.padStart(12)).join('')}`, ...rows, `goal: ${s.goal.met ? 'met' : 'missed'} (beats LRU and LFU at every size: ${s.goal.beatsLruAndLfu}; LRU→Belady gap closed at the middle size: ${(s.goal.middleGapClosed * 100).toFixed(1)} %)`].join('\n');
}

/** demo --fl: the federated task needs a node (src/sim does not import src/node; this rung does). */
async function flDemo(fl: import('../../sim/demo-fl.js').FlDemoOptions): Promise<(o: import('../../sim/demo.js').DemoOptions) => ReturnType<typeof import('../../sim/demo.js').runDemo>> {
  const [{ runFlDemo }, { startNode }] = await Promise.all([import('../../sim/demo-fl.js'), import('../../node/run-node.js')]);
  const start = async (o: { dir: string; admin: string }) => startNode({ dir: o.dir, admin: o.admin, port: 0, host: '127.0.0.1', logger: false });
  return (o) => runFlDemo({ ...o, fl, startNode: start });
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
