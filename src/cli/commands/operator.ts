import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { printResult } from '../output.js';

type RunOptions = { node: string; key: string; model: string; bootstrap?: string; interval: string; state?: string; once?: boolean; json?: boolean };

/**
 * `hindsight operator run`: one example operator against a live node over HTTP. It polls the node,
 * commits a retrained model to each scheduled round, trades open rounds and reveals closed ones.
 * Every round it has begun (model hash, sealed trades and their salts) is saved to its state file
 * before the events reach the node, so a later process (`--once` again, or a restart) reveals
 * what an earlier one traded.
 */
export function register(program: Command): void {
  const operator = program.command('operator').description('model operators');
  operator
    .command('run')
    .description('run an example operator against a node over HTTP (train on public history, commit, trade, reveal); one status line per round')
    .requiredOption('--node <url>', 'node base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--key <file>', 'the operator key file (any hindsight key: did:key, --eth, or a delegated session)')
    .option('--model <name>', 'example model line to run', 'logreg-bigrams')
    .option('--bootstrap <file.jsonl>', 'public labeled corpus to train on before any round has settled')
    .option('--interval <ms>', 'poll interval', '2000')
    .option('--state <dir>', 'where the operator keeps its rounds in progress (sealed trades and their salts; 0700 dir, 0600 file per community; default: <key file>.state)')
    .option('--once', 'do one step, save the state and exit: run it again in each phase (a later --once reveals what an earlier one traded)')
    .option('--json', 'print one JSON object per step ({operator, model, submitted}) and one per round ({event: "round", ...})')
    .action(async (opts: RunOptions) => run(opts));
}

async function run(opts: RunOptions): Promise<void> {
  const interval = Number(opts.interval);
  if (!Number.isInteger(interval) || interval < 0) throw new ValidationError('cli.badInteger', `--interval: expected a whole number of ms, got ${opts.interval}`, { field: 'interval' });
  const [{ HttpClient }, { Operator }, { PublicHistory }, { EXAMPLE_RECIPES, MlStrategy }, { loadSigner }, { loadJsonlDataset }, state, status] = await Promise.all([
    import('../../sdk/http-client.js'),
    import('../../sdk/operator.js'),
    import('../../sdk/operator-history.js'),
    import('../../sdk/operators/index.js'),
    import('../../events/eth-keys.js'),
    import('../../ml/index.js'),
    import('../../sdk/operator-state.js'),
    import('../../sdk/operator-status.js'),
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
  const signer = loadSigner(opts.key);
  const op = new Operator({ client, signer, strategy: new MlStrategy(recipe), history: new PublicHistory(client, { bootstrap }) });
  const community = await client.community();
  if (!community) throw new ValidationError('community.missing', `${opts.node}: expected a node with a community, got none`, { field: 'node' });
  const stateDir = opts.state ?? `${opts.key}.state`;
  const file = state.operatorStatePath(stateDir, community.id);
  const who = { did: op.did, community: community.id };
  op.restore(state.loadOperatorState(file, who));
  // Written only when it changed: a long-running operator polls every --interval ms.
  let written = '';
  const save = () => {
    const rounds = op.saved();
    const text = JSON.stringify(rounds);
    if (text === written) return;
    state.saveOperatorState(file, { ...who, rounds });
    written = text;
  };

  if (!opts.json && !opts.once) process.stdout.write(`${opts.model}: operator ${op.did} on ${opts.node}, a line per round as it ends (rounds in progress kept in ${file})\n`);
  let stop = false;
  const halt = () => (stop = true);
  process.once('SIGINT', halt);
  process.once('SIGTERM', halt);
  try {
    while (!stop) {
      const events = await op.step(Date.now());
      // Written before the events reach the node: a crash after a trade.commit lands must not lose its salt.
      save();
      try {
        await op.submit(events);
      } finally {
        if (opts.json) {
          const counts: Record<string, number> = {};
          for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
          printResult({ operator: op.did, model: opts.model, submitted: counts }, opts);
        }
      }
      // One line per round: when it ends (settled or void), or, with --once, where it stands now.
      for (const saved of op.saved()) {
        const phase = (await client.round(saved.round))?.phase ?? 'missing';
        const ended = phase === 'settled' || phase === 'void' || phase === 'missing';
        if (!ended && !opts.once) continue;
        const s = await status.operatorRoundStatus(client, op.did, saved);
        if (ended) op.finished(saved.round);
        printResult({ event: 'round', operator: op.did, modelName: opts.model, ...s }, opts, () => `${opts.model}: ${status.formatRoundStatus(s)}`);
      }
      save();
      if (opts.once) break;
      await sleep(interval, () => stop);
    }
  } finally {
    process.off('SIGINT', halt);
    process.off('SIGTERM', halt);
    await client.close();
  }
}

/** Sleeps up to `ms`, waking early once `stopped()` (a signal arrived) so Ctrl-C never waits out a long interval. */
async function sleep(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}
