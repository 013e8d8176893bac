import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { parseUnits } from '../../core/money.js';
import { RulesConfig } from '../../events/types/rules.js';
import { rulesFor } from '../../game/reward-rules.js';
import { eventTime, signerFrom, submitAs, withEngine, withSignerFlags, type StoreFlags } from '../context.js';
import { printResult } from '../output.js';

type ConfigFlags = StoreFlags & { key: string; fromRound: string; scoring?: string; resolution?: string; functionHash?: string; reporters?: string; boundaries?: string; subsidy?: string; propose?: boolean };

function roundNumber(text: string, field: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError('cli.badInteger', `--${field}: expected a round number ≥ 1, got ${text}`, { field });
  return n;
}

/** The rules in force at the named round, with the flags given replacing their parts. */
function nextRules(current: unknown, flags: ConfigFlags): RulesConfig {
  const base = (current ?? {}) as Record<string, unknown>;
  const rules: Record<string, unknown> = { ...base };
  if (flags.scoring) rules.scoring = flags.scoring;
  if (flags.subsidy) rules.subsidyPerItem = parseUnits(flags.subsidy, 'subsidy').toString();
  if (flags.resolution) {
    const reporters = (flags.reporters ?? '').split(',').filter(Boolean);
    const boundaries = (flags.boundaries ?? '').split(',').filter(Boolean).map(Number);
    rules.resolution =
      flags.resolution === 'labels' ? { fn: 'labels' }
      : flags.resolution === 'reads' ? { fn: 'reads', reporters, boundaries }
      : flags.resolution === 'sandbox' ? { fn: 'sandbox', hash: flags.functionHash, reporters }
      : { fn: flags.resolution };
  }
  const parsed = RulesConfig.safeParse(rules);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError('cli.badRules', `rules.${issue.path.join('.')}: ${issue.message}`, { field: issue.path.join('.') });
  }
  return parsed.data;
}

/**
 * `hindsight community`: the community's reward rules. Changes take effect from a named future
 * round (never mid-round): `config` signs rules.change as an admin, or with --propose opens a
 * member vote (rules.propose); `vote` and `enact` finish it; `function` publishes a resolution
 * function's JavaScript source, pinned by its sha256.
 */
export function register(program: Command): void {
  const community = program.command('community').description('reward rules: resolution function, scoring rule, subsidy; changes from a future round, by the admin or a member vote');
  withSignerFlags(community.command('config').description('change the rules from a future round (admin: rules.change; --propose: a member proposal to vote on)'))
    .requiredOption('--from-round <n>', 'first round the new rules apply to (not scheduled yet)')
    .option('--scoring <rule>', 'market scoring rule: lmsr or qmsr')
    .option('--resolution <fn>', 'resolution function: labels, reads or sandbox')
    .option('--function-hash <sha256>', 'sandbox: the published function (hindsight community function)')
    .option('--reporters <dids>', 'reads/sandbox: comma-separated DIDs whose signed access reports count')
    .option('--boundaries <n,n,...>', 'reads: read-count bucket boundaries (K−1 of them)')
    .option('--subsidy <units>', 'subsidy per item every round must use')
    .option('--propose', 'propose for a member vote instead of changing as an admin')
    .action(async (flags: ConfigFlags) => {
      const fromRound = roundNumber(flags.fromRound, 'from-round');
      const result = await withEngine(flags, async (engine) => {
        const rules = nextRules(rulesFor(engine.state, fromRound)?.rules, flags);
        const type = flags.propose ? 'rules.propose' : 'rules.change';
        const [cid] = await submitAs(engine, signerFrom(flags), eventTime(flags), [[type, { fromRound, rules }]]);
        return { type, cid, fromRound, rules };
      });
      printResult(result, flags, () => `${result.type} ${result.cid}: from round ${result.fromRound}, scoring ${result.rules.scoring}, resolution ${result.rules.resolution.fn}`);
    });
  withSignerFlags(community.command('function').description('publish a resolution function (JavaScript defining resolve(input)); prints its sha256'))
    .requiredOption('--file <file.js>', 'the source')
    .requiredOption('--name <name>', 'a name for people')
    .action(async (flags: StoreFlags & { key: string; file: string; name: string }) => {
      const source = readFileSync(flags.file, 'utf8');
      const { sha256Text } = await import('../../game/reward-rules.js');
      const result = await withEngine(flags, async (engine) => {
        const [cid] = await submitAs(engine, signerFrom(flags), eventTime(flags), [['rules.function', { name: flags.name, source }]]);
        return { cid, hash: sha256Text(source) };
      });
      printResult(result, flags, () => `rules.function ${result.cid}: hash ${result.hash}`);
    });
  withSignerFlags(community.command('vote').description('vote on a rules proposal'))
    .requiredOption('--proposal <cid>', 'the rules.propose event CID')
    .option('--reject', 'vote against (default: approve)')
    .action(async (flags: StoreFlags & { key: string; proposal: string; reject?: boolean }) => {
      const result = await withEngine(flags, async (engine) => {
        const [cid] = await submitAs(engine, signerFrom(flags), eventTime(flags), [['rules.vote', { proposal: flags.proposal, approve: !flags.reject }]]);
        return { cid, approve: !flags.reject };
      });
      printResult(result, flags, () => `rules.vote ${result.cid}: ${result.approve ? 'approve' : 'reject'}`);
    });
  withSignerFlags(community.command('enact').description('apply a passed proposal after its voting delay'))
    .requiredOption('--proposal <cid>', 'the rules.propose event CID')
    .action(async (flags: StoreFlags & { key: string; proposal: string }) => {
      const result = await withEngine(flags, async (engine) => {
        const [cid] = await submitAs(engine, signerFrom(flags), eventTime(flags), [['rules.enact', { proposal: flags.proposal }]]);
        return { cid };
      });
      printResult(result, flags, () => `rules.enact ${result.cid}`);
    });
}
