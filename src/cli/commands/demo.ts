import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { printResult } from '../output.js';

/** `hindsight demo`: the whole game on real data in one command (src/sim/demo.ts). */
export function register(program: Command): void {
  registerOperator(program);
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
    .option('--chain', 'money on a local anvil: wallets deposit into the treasury contract, payouts are claimed on chain, rounds anchored')
    .option('--proofs', 'the community requires proofs: provable operators reveal with round batch proofs (models capped at --proof-buckets features)')
    .option('--proof-buckets <n>', 'with --proofs: hashed features of the provable models at most', '1024')
    .option('--batch-items <n>', 'with --proofs: slots per batch proof', '16')
    .option('--fl', 'members keep private mailbox shards; one operator trains by federated learning (DP, secure aggregation, controller processes over a node) and trades with the model')
    .option('--fl-controllers <n>', 'with --fl: member controllers (one process each)', '10')
    .option('--fl-rounds <n>', 'with --fl: federated rounds', '3')
    .option('--fl-shard <n>', 'with --fl: examples in each member\'s shard', '80')
    .option('--fl-clip <c>', 'with --fl: L2 bound on each controller\'s update per round (the DP sensitivity)', '1')
    .option('--fl-epsilon <e>', 'with --fl: ε of every controller over the whole task (δ = 1e-5)', '10')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (opts: { rounds: string; items: string; seed: string; dataset?: string; out: string; force?: boolean; serve: string; json?: boolean; adversarialCommittee: string; committee: boolean; chain?: boolean; proofs?: boolean; proofBuckets: string; batchItems: string; fl?: boolean; flControllers: string; flRounds: string; flShard: string; flEpsilon: string; flClip: string }) => {
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
      const bar = process.stderr.isTTY ? await progressBar() : null;
      try {
        const run = opts.fl ? await flDemo({ controllers: int(opts.flControllers, 'fl-controllers'), flRounds: int(opts.flRounds, 'fl-rounds'), shard: int(opts.flShard, 'fl-shard'), epsilon: num(opts.flEpsilon, 'fl-epsilon'), clipNorm: num(opts.flClip, 'fl-clip') }) : runDemo;
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
          ...(opts.proofs ? { proofs: { maxBuckets: int(opts.proofBuckets, 'proof-buckets'), batchItems: int(opts.batchItems, 'batch-items') } } : {}),
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

/** demo --fl: the federated task needs a node (src/sim does not import src/node; this rung does). */
async function flDemo(fl: import('../../sim/demo-fl.js').FlDemoOptions): Promise<(o: import('../../sim/demo.js').DemoOptions) => ReturnType<typeof import('../../sim/demo.js').runDemo>> {
  const [{ runFlDemo }, { startNode }] = await Promise.all([import('../../sim/demo-fl.js'), import('../../node/run-node.js')]);
  const start = async (o: { dir: string; admin: string }) => startNode({ dir: o.dir, admin: o.admin, port: 0, host: '127.0.0.1', logger: false });
  return (o) => runFlDemo({ ...o, fl, startNode: start });
}

/**
 * `hindsight operator run`: one example operator against a live node over HTTP. It polls the node,
 * commits a retrained model to each scheduled round, trades open rounds and reveals closed ones.
 * Trade salts live in memory: stopping it between a commit and its reveal forfeits those trades.
 */
function registerOperator(program: Command): void {
  const operator = program.command('operator').description('model operators');
  operator
    .command('run')
    .description('run an example operator against a node over HTTP (train on public history, commit, trade, reveal)')
    .requiredOption('--node <url>', 'node base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--key <file>', 'the operator key file (any hindsight key: did:key, --eth, or a delegated session)')
    .option('--model <name>', 'example model line to run', 'logreg-bigrams')
    .option('--bootstrap <file.jsonl>', 'public labeled corpus to train on before any round has settled')
    .option('--interval <ms>', 'poll interval', '2000')
    .option('--once', 'do one step and exit')
    .option('--json', 'print one JSON object per step')
    .action(async (opts: { node: string; key: string; model: string; bootstrap?: string; interval: string; once?: boolean; json?: boolean }) => {
      const [{ HttpClient }, { Operator }, { PublicHistory }, { EXAMPLE_RECIPES, MlStrategy }, { loadSigner }, { loadJsonlDataset }] = await Promise.all([
        import('../../sdk/http-client.js'),
        import('../../sdk/operator.js'),
        import('../../sdk/operator-history.js'),
        import('../../sdk/operators/index.js'),
        import('../../events/eth-keys.js'),
        import('../../ml/index.js'),
      ]);
      const recipe = EXAMPLE_RECIPES.find((r) => r.name === opts.model);
      if (!recipe) throw new ValidationError('cli.badModel', `--model: expected one of ${EXAMPLE_RECIPES.map((r) => r.name).join(', ')}, got ${opts.model}`, { field: 'model' });
      const client = new HttpClient(opts.node);
      const bootstrap = opts.bootstrap
        ? loadJsonlDataset(opts.bootstrap).items.map((item, i) => ({
            round: 0,
            item: `b${i}`,
            outcomes: 0,
            input: item.text !== undefined ? { text: item.text } : { features: (item.features ?? []).map((v) => Math.round(v * 1000)) },
            label: item.label,
          }))
        : [];
      const classes = bootstrap.reduce((k, e) => Math.max(k, e.label + 1), 2);
      for (const e of bootstrap) e.outcomes = classes;
      const op = new Operator({ client, signer: loadSigner(opts.key), strategy: new MlStrategy(recipe), history: new PublicHistory(client, { bootstrap }) });
      for (;;) {
        const events = await op.step(Date.now());
        await op.submit(events);
        const counts: Record<string, number> = {};
        for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
        printResult({ operator: op.did, model: opts.model, submitted: counts }, opts, () => `${new Date().toISOString()} ${opts.model}: ${events.length ? Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ') : 'nothing to do'}`);
        if (opts.once) break;
        await new Promise((resolve) => setTimeout(resolve, Number(opts.interval)));
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
