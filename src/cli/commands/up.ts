import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { formatUnits } from '../../core/money.js';
import { printResult } from '../output.js';
import { formatRoundStatus, type OperatorRoundStatus } from '../../sdk/operator-status.js';

/** bin/hindsight, found from this module (src/cli/commands or dist/cli/commands: the same depth). */
const BIN = fileURLToPath(new URL('../../../bin/hindsight', import.meta.url));

type UpFlags = {
  dir: string;
  port: string;
  host: string;
  roundSeconds: string;
  rounds?: string;
  members: string;
  operators: string;
  dataset?: string;
  seed: string;
  interval: string;
  warmupSeconds: string;
  json?: boolean;
};

function int(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new ValidationError('cli.badNumber', `${flag}: expected an integer ≥ ${min}, got ${value}`, { field: flag.slice(2) });
  return n;
}

/** The example operators `up` runs, cheapest first (each retrains every round). */
const OPERATOR_MODELS = ['naive-bayes', 'logreg-small', 'logreg-bigrams', 'mlp-16', 'noisy-tiny'];

type Child = { name: string; process: ChildProcess; lines: number; exited: Promise<number | null> };

/**
 * `hindsight up`: a whole community on this machine. The node runs in this process on a fresh
 * embedded store; the scheduler (the admin) schedules a round every --round-seconds and drives it
 * to settlement over HTTP; member bots and example operators run as child processes of
 * bin/hindsight (`member run`, `operator run`). SIGINT/SIGTERM (or --rounds) stops everything and
 * leaves the log in --dir for `hindsight replay`.
 */
export function register(program: Command): void {
  program
    .command('up')
    .description('run a whole community locally: a node, a round scheduler, member bots and example operators as separate processes, all over HTTP; Ctrl-C stops it and leaves a replayable log')
    .option('--dir <dir>', 'a new directory for the community (log, keys, data, logs)', './hindsight-up')
    .option('--port <port>', 'TCP port of the node (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--round-seconds <n>', 'a round is scheduled every this many seconds (and settles within it)', '30')
    .option('--rounds <n>', 'stop by itself after this many rounds have ended')
    .option('--members <n>', 'member bots (each a process; all sit on the committee up to 5 seats)', '3')
    .option('--operators <n>', `example operators (each a process): the first n of ${OPERATOR_MODELS.join(', ')}`, '2')
    .option('--dataset <file.jsonl>', 'labeled JSONL for items and the operators’ bootstrap corpus (default: SpamAssassin)')
    .option('--seed <n>', 'seed of the dataset split', '1')
    .option('--warmup-seconds <n>', 'extra time before the first round’s deadlines, for operators to train their first model (with operators only)', '10')
    .option('--interval <ms>', 'how often bots poll the node (default: a twentieth of a round, 200–1000 ms)')
    .option('--json', 'print one JSON object per line (node, rounds, bots) and a summary last')
    .action(async (opts: UpFlags) => {
      const roundMs = int(opts.roundSeconds, '--round-seconds', 4) * 1000;
      const rounds = opts.rounds === undefined ? undefined : int(opts.rounds, '--rounds', 1);
      const nMembers = int(opts.members, '--members', 1);
      const nOperators = int(opts.operators, '--operators', 0);
      if (nOperators > OPERATOR_MODELS.length) throw new ValidationError('cli.badNumber', `--operators: expected at most ${OPERATOR_MODELS.length}, got ${nOperators}`, { field: 'operators' });
      const interval = opts.interval === undefined ? Math.min(1000, Math.max(200, Math.round(roundMs / 20))) : int(opts.interval, '--interval', 10);
      const port = int(opts.port, '--port', 0);
      const dir = resolve(opts.dir);

      const [setup, { startNode }, { systemClock, DEFAULT_MAX_SKEW_MS }, { HttpClient }, { RoundScheduler }, ml] = await Promise.all([
        import('../up-setup.js'),
        import('../../node/run-node.js'),
        import('../../engine/intake.js'),
        import('../../sdk/http-client.js'),
        import('../../sdk/scheduler.js'),
        import('../../ml/index.js'),
      ]);
      const layout = setup.prepareDir(dir);
      const [admin] = setup.makeKeys(layout, ['admin']);
      const members = setup.makeKeys(layout, Array.from({ length: nMembers }, (_, i) => `member-${i + 1}`));
      const operators = setup.makeKeys(layout, OPERATOR_MODELS.slice(0, nOperators).map((m) => `operator-${m}`));
      const dataset = opts.dataset ? ml.loadJsonlDataset(opts.dataset) : ml.loadSpamAssassin();
      const bootstrap = Math.min(300, Math.floor(dataset.items.length / 2));
      const { fallback } = setup.writeDataFiles(layout, dataset, { bootstrap, pool: Math.min(600, dataset.items.length - bootstrap) }, int(opts.seed, '--seed', 0));

      const node = await startNode({ dir, port, host: opts.host, admin: admin!.signer.did, intakeClock: systemClock(DEFAULT_MAX_SKEW_MS), rateLimit: false, logger: false });
      const say = (result: object, human: string) => printResult(result, opts, () => human);
      say({ event: 'listening', url: node.url, dashboard: `${node.url}/`, dir }, `node listening on ${node.url}\ndashboard: ${node.url}/\ncommunity directory: ${dir}`);
      const client = new HttpClient(node.url);
      const children: Child[] = [];
      let stopping = false;
      let wake: (() => void) | undefined;
      const stop = () => {
        stopping = true;
        wake?.();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const sleep = (ms: number) => new Promise<void>((r) => {
        wake = r;
        setTimeout(r, ms);
      });
      const scheduler = new RoundScheduler({
        client,
        signer: admin!.signer,
        roundMs,
        subsidyPerItem: setup.UP_AMOUNTS.subsidy,
        rounds,
        awaitOperators: nOperators,
        warmupMs: nOperators > 0 ? int(opts.warmupSeconds, '--warmup-seconds', 0) * 1000 : 0,
        fallbackItems: (round) => fallback.map((input, i) => ({ id: `r${round}-admin-${i}`, outcomes: dataset.labels.length, input })),
      });
      try {
        const community = 'local';
        await setup.createCommunity(client, { community, admin: admin!.signer, members, operators, seats: Math.min(nMembers, 5) });
        say({ event: 'community', community, admin: admin!.signer.did, members: members.length, operators: operators.length }, `community ${community}: admin ${admin!.signer.did}, ${members.length} member bot(s), ${operators.length} operator(s)`);
        const spawnBot = (name: string, args: string[]) => children.push(startChild(name, args, join(layout.logs, `${name}.log`), (line) => relay(name, line, opts)));
        for (const m of members) spawnBot(m.name, ['member', 'run', '--node', node.url, '--key', m.file, '--items', layout.pool, '--interval', String(interval), '--json']);
        for (const [i, o] of operators.entries()) spawnBot(o.name, ['operator', 'run', '--node', node.url, '--key', o.file, '--model', OPERATOR_MODELS[i]!, '--bootstrap', layout.bootstrap, '--interval', String(interval), '--json']);

        // Round 1 waits until every bot is up: members bonded, operators through their first step.
        const readyBy = Date.now() + 180_000;
        while (!stopping) {
          const state = await scheduler.follower.sync();
          const bonded = members.filter((m) => (state.members.get(m.signer.did)?.bond ?? 0n) > 0n).length;
          const stepped = children.filter((c) => c.name.startsWith('operator-') && c.lines > 0).length;
          if (bonded === members.length && stepped === operators.length) break;
          const dead = children.find((c) => c.process.exitCode !== null);
          if (dead) throw new ValidationError('up.botsNotReady', `${dead.name}: expected a running bot, got one that exited with code ${dead.process.exitCode} (see ${join(layout.logs, `${dead.name}.log`)})`, { field: 'members' });
          if (Date.now() > readyBy) throw new ValidationError('up.botsNotReady', `bots: expected ${members.length} bonded member(s) and ${operators.length} running operator(s) within 180 s, got ${bonded} and ${stepped} (see ${layout.logs})`, { field: 'members' });
          await sleep(200);
        }
        say({ event: 'ready' }, `all bots running; a round every ${roundMs / 1000} s${rounds ? `, ${rounds} round(s)` : ''} (Ctrl-C stops)`);
        while (!stopping && !scheduler.done) {
          for (const e of await scheduler.tick(Date.now())) {
            const took = e.phase === 'settled' ? scheduler.finished.get(e.round) : undefined;
            const seconds = took ? ((took.endedAt - took.scheduledAt) / 1000).toFixed(1) : undefined;
            say({ event: 'round', ...e, ...(seconds ? { seconds: Number(seconds) } : {}) }, `round ${e.round} ${e.phase}${e.detail ? ` (${e.detail})` : ''}${seconds ? ` after ${seconds} s` : ''}`);
          }
          await sleep(Math.min(200, interval));
        }
        // Let the bots see the last settlement and print their line for it.
        if (!stopping) await sleep(2 * interval + 500);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await Promise.all(children.map(stopChild));
        await client.close();
        const summary = { event: 'stopped', url: node.url, dir, rounds: scheduler.finished.size, settled: [...scheduler.finished.values()].filter((f) => f.phase === 'settled').length, meanRoundSeconds: meanSeconds(scheduler.meanRoundMs()), seq: node.engine.state.seq, stateHash: node.engine.stateHash() };
        await node.close();
        say(summary, `stopped after ${summary.rounds} round(s) (mean ${summary.meanRoundSeconds ?? '-'} s from schedule to settle); log: ${dir} at seq ${summary.seq}, stateHash ${summary.stateHash}\ncheck it with: hindsight replay --dir ${dir}`);
      }
    });
}

function meanSeconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 100) / 10;
}

/** Starts `bin/hindsight ARGS`; its stdout lines go to `onLine` and, with its stderr, to `log`. */
function startChild(name: string, args: string[], log: string, onLine: (line: string) => void): Child {
  const out = createWriteStream(log, { flags: 'a' });
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, process: proc, lines: 0, exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    child.lines++;
    out.write(`${line}\n`);
    onLine(line);
  });
  proc.stderr!.pipe(out, { end: false });
  void child.exited.then(() => out.end());
  return child;
}

/** SIGTERM, then SIGKILL if it is still there after 5 s. */
async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

/** A bot's JSON line, re-printed: as is with --json (tagged with the bot), else only its one line per round. */
function relay(name: string, line: string, opts: { json?: boolean }): void {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ source: name, ...data })}\n`);
    return;
  }
  if (data.event === 'round' && typeof data.modelName === 'string') {
    // An operator's one line per round (operator-status.ts), without its name twice.
    process.stdout.write(`  [${name}] ${formatRoundStatus(data as unknown as OperatorRoundStatus)}\n`);
  } else if (data.event === 'round') {
    process.stdout.write(`  [${name}] round ${String(data.round)}: ${String(data.submitted)} item(s), ${data.seated ? `seated, ${String(data.revealed)} label(s) revealed` : 'not seated'}, balance ${formatUnits(BigInt(String(data.balance)))}\n`);
  }
}
