import type { Command } from 'commander';
import { HindsightError, ValidationError } from '../../core/errors.js';
import { formatUnits, parseUnits } from '../../core/money.js';
import { printResult } from '../output.js';
import { signerFrom } from '../context.js';

type MemberRunFlags = { node: string; key: string; items?: string; perRound: string; bond?: string; interval: string; once?: boolean; rounds?: string; flData?: string; flVault?: string; json?: boolean };

function count(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new ValidationError('cli.badNumber', `${flag}: expected an integer ≥ ${min}, got ${value}`, { field: flag.slice(2) });
  return n;
}

/**
 * `hindsight member run`: a committee member as a long-running process against a node over HTTP
 * (src/sdk/member-runner.ts): join and bond, submit items from a labeled pool to every scheduled
 * round, publish their keys at open, commit and reveal labels when drawn; one line per round that
 * ends. SIGINT/SIGTERM stop it after the step in progress.
 */
export function registerMemberRun(member: Command): void {
  member
    .command('run')
    .description('run a committee member against a node: join, bond, submit and key items each round, label when drawn; one status line per round')
    .requiredOption('--node <url>', 'node base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--key <file>', 'the member key file (any hindsight key: did:key, --eth, or a delegated session)')
    .option('--items <file.jsonl>', 'labeled pool to submit items from and label by ({"text"|"features", "label"} per line; default: the SpamAssassin corpus)')
    .option('--per-round <n>', 'items to submit to each scheduled round', '2')
    .option('--bond <units>', "bond to keep (default: the committee's minBond)")
    .option('--interval <ms>', 'poll interval', '1000')
    .option('--once', 'join, bond, do one step and exit')
    .option('--rounds <n>', 'exit after this many rounds have ended')
    .option('--fl-data <file.jsonl>', 'also take part in federated tasks as a data controller, training on these {text, label} examples (they never leave this process)')
    .option('--fl-vault <dir>', "as --fl-data, from the member's encrypted data store (hindsight data put)")
    .option('--json', 'print one JSON object per line')
    .action(async (opts: MemberRunFlags) => {
      const perRound = count(opts.perRound, '--per-round', 0);
      const interval = count(opts.interval, '--interval', 10);
      const rounds = opts.rounds === undefined ? Infinity : count(opts.rounds, '--rounds', 1);
      const signer = signerFrom(opts);
      const [{ HttpClient, NodeUnavailableError }, { MemberRunner, poolFromDataset }, ml] = await Promise.all([
        import('../../sdk/http-client.js'),
        import('../../sdk/member-runner.js'),
        import('../../ml/index.js'),
      ]);
      const pool = poolFromDataset(opts.items ? ml.loadJsonlDataset(opts.items) : ml.loadSpamAssassin());
      const fl = await flHost(opts, signer);
      const client = new HttpClient(opts.node);
      const runner = new MemberRunner({ client, signer, pool, perRound, bond: opts.bond === undefined ? undefined : parseUnits(opts.bond, 'bond') });
      let stopping = false;
      let wake: (() => void) | undefined;
      const stop = () => {
        stopping = true;
        wake?.();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runner.start(Date.now());
        const me = runner.member.follower.state.members.get(runner.did);
        printResult({ event: 'joined', member: signer.did, bond: me?.bond ?? 0n }, opts, () => `${signer.did} joined, bond ${formatUnits(me?.bond ?? 0n)}`);
        let ended = 0;
        while (!stopping) {
          try {
            for (const s of await runner.tick(Date.now())) {
              ended++;
              printResult({ event: 'round', ...s }, opts, () => statusLine(s));
            }
            for (const f of fl?.poll(runner.member.follower.state) ?? []) printResult({ event: 'fl', ...f }, opts, () => flLine(f));
          } catch (error) {
            // A node that is briefly unreachable is waited for; anything else ends the run.
            if (!(error instanceof NodeUnavailableError)) throw error;
            process.stderr.write(`warning: ${(error as HindsightError).message}; retrying\n`);
          }
          if (opts.once || ended >= rounds) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, interval);
          });
        }
        for (const f of (await fl?.settle()) ?? []) printResult({ event: 'fl', ...f }, opts, () => flLine(f));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await client.close();
      }
    });
}

/** The FL controller the bot hosts when given --fl-data or --fl-vault (src/sdk/member-fl.ts). */
async function flHost(opts: MemberRunFlags, signer: ReturnType<typeof signerFrom>) {
  if (opts.flData === undefined && opts.flVault === undefined) return undefined;
  if (opts.flData !== undefined && opts.flVault !== undefined) throw new ValidationError('cli.invalid', '--fl-data / --fl-vault: expected one of them, got both', { field: 'fl-data' });
  const [{ readExamples }, { MemberFlHost }] = await Promise.all([import('./fl-node.js'), import('../../sdk/member-fl.js')]);
  const examples = opts.flData !== undefined ? readExamples(opts.flData) : (await import('../../fl/data/vault.js')).DataVault.open(opts.flVault!).readAllExamples();
  return new MemberFlHost({ node: opts.node, signer, examples, log: opts.json ? undefined : (line) => process.stderr.write(`fl: ${line}\n`) });
}

function flLine(f: import('../../sdk/member-fl.js').FlTaskOutcome): string {
  return f.ok ? `fl task ${f.task}: ${f.report.rounds.length} round(s), earned ${formatUnits(BigInt(f.report.earned))}` : `fl task ${f.task} failed: ${f.error}`;
}

function statusLine(s: import('../../sdk/member-runner.js').RoundStatus): string {
  const seat = s.seated ? `seated, labels ${s.committed} committed / ${s.revealed} revealed / ${s.agreed} agreed` : 'not seated';
  const money = `reward ${formatUnits(BigInt(s.reward))}, penalty ${formatUnits(BigInt(s.penalty))}, bond ${formatUnits(BigInt(s.bond))}, balance ${formatUnits(BigInt(s.balance))}`;
  const refused = s.rejected.length ? `; refused: ${s.rejected.map((r) => `${r.type} ${r.code}`).join(', ')}` : '';
  return `round ${s.round} ${s.phase}: ${s.submitted} item(s) submitted, ${s.keyed} keyed; ${seat}; ${money}${refused}`;
}
