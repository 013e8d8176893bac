import { randomBytes, createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { parseUnits } from '../../core/money.js';
import type { TradeBody } from '../../events/types/core.js';
import { tradeCommitment } from '../../game/trades.js';
import { validateBelief } from '../../market/index.js';
import { findMarket, leaderboardView as leaderboard } from '../../engine/views.js';
import { parseBelief } from '../belief.js';
import { eventTime, secretsDir, signerFrom, submitAs, withEngine, withSignerFlags, withStoreFlags, type StoreFlags } from '../context.js';
import { printResult } from '../output.js';
import { formatModelLines, modelLines } from '../model-lines.js';
import { HttpClient } from '../../sdk/http-client.js';
import type { Engine } from '../../engine/engine.js';

type SignerFlags = StoreFlags & { key: string; secrets?: string };

function roundNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError('cli.badRound', `--round: expected a positive integer, got ${text}`, { field: 'round' });
  return n;
}

/** Items file: JSON lines {"id"?, "text" | "features", "outcomes"?}. */
function readItems(file: string, outcomes: number): { id: string; outcomes: number; input: { text: string } | { features: number[] } }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const items = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let row: { id?: string; text?: string; features?: number[]; outcomes?: number };
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new ValidationError('items.invalid', `${file}:${i + 1}: expected a JSON object, got ${line.slice(0, 60)}`, { field: 'items' }, { cause });
    }
    if (typeof row.text !== 'string' && !Array.isArray(row.features)) {
      throw new ValidationError('items.invalid', `${file}:${i + 1}: expected "text" or "features", got neither`, { field: 'items' });
    }
    items.push({ id: row.id ?? `item-${items.length + 1}`, outcomes: row.outcomes ?? outcomes, input: typeof row.text === 'string' ? { text: row.text } : { features: row.features! } });
  }
  return items;
}

/** The `zk.batch` payloads `trade reveal --proof / --proof-file` sends before the reveals (none without those flags). */
async function roundProofs(engine: Engine, opts: { proof?: boolean; modelDir?: string; proofFile?: string }, round: number, trades: { item: string; model: string }[]): Promise<Record<string, unknown>[]> {
  if (trades.length === 0 || (!opts.proof && !opts.proofFile)) return [];
  const prover = await import('../proof-trading.js');
  const models = [...new Set(trades.map((t) => t.model))];
  if (opts.proofFile) return prover.readBatchFile(opts.proofFile).map((b) => ({ ...b, round, model: models[0]! }));
  if (!opts.modelDir) throw new ValidationError('cli.invalid', '--proof: expected --model-dir with the artifact to prove, got none', { field: 'model-dir' });
  const a = prover.loadModelDir(opts.modelDir);
  const model = models[0]!;
  const items = trades.filter((t) => t.model === model).map((t) => t.item);
  return prover.withProver(() => prover.proveItems(engine, a, round, items, new Map(), prover.committedSlots(engine, model)));
}

/** `round schedule` (and `round schedule-and-open`): the round.schedule event, the admin's items, optionally round.open. */
function registerRoundSchedule(round: Command, name: string, description: string, open: boolean): void {
  const cmd = withSignerFlags(round.command(name).description(description))
    .requiredOption('--round <n>', 'round number')
    .option('--outcomes <k>', 'outcomes per item when a line does not say', '2')
    .option('--subsidy <units>', 'subsidy per item', '10')
    .option('--trading-secs <s>', 'trading window length, from the event time', '3600')
    .option('--reveal-secs <s>', 'reveal window length after trading', '3600')
    .option('--label-commit-secs <s>', 'committee: label commits end this long after the reveal deadline (default: at it)')
    .option('--label-reveal-secs <s>', 'committee: label reveals end this long after label commits end', '3600')
    .option('--secrets <dir>', 'where the ordering seed is kept until resolve');
  (open ? cmd.requiredOption('--items <file>', 'JSON lines: {"id"?, "text"|"features", "outcomes"?}') : cmd.option('--items <file>', 'the admin\'s own items, JSON lines: {"id"?, "text"|"features", "outcomes"?}'))
    .action(async (opts: SignerFlags & { round: string; items?: string; outcomes: string; subsidy: string; tradingSecs: string; revealSecs: string; labelCommitSecs?: string; labelRevealSecs: string }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      const items = opts.items ? readItems(opts.items, Number(opts.outcomes)) : [];
      const time = eventTime(opts);
      const seed = randomBytes(32).toString('hex');
      const seedFile = join(secretsDir(opts), `round-${n}.seed`);
      if (existsSync(seedFile)) throw new ValidationError('round.seedExists', `${seedFile}: expected no seed for round ${n} yet, got one (round already scheduled?)`, { field: 'round' });
      const secs = (text: string, field: string): number => {
        const v = Number(text);
        if (!Number.isSafeInteger(v) || v < 0) throw new ValidationError('cli.badInteger', `--${field}: expected a whole number of seconds, got ${text}`, { field });
        return v * 1000;
      };
      const result = await withEngine(opts, async (engine) => {
        const trading = time + secs(opts.tradingSecs, 'trading-secs');
        const reveal = trading + secs(opts.revealSecs, 'reveal-secs');
        const committee = engine.state.community?.config.committee !== undefined;
        const labelCommit = reveal + (opts.labelCommitSecs ? secs(opts.labelCommitSecs, 'label-commit-secs') : 0);
        const events: [string, Record<string, unknown>][] = [
          ['round.schedule', {
            round: n, subsidyPerItem: parseUnits(opts.subsidy, 'subsidy').toString(), tradingDeadline: trading, revealDeadline: reveal,
            seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
            ...(committee ? { labelCommitDeadline: labelCommit, labelRevealDeadline: labelCommit + secs(opts.labelRevealSecs, 'label-reveal-secs') } : {}),
          }],
        ];
        for (let i = 0; i < items.length; i += 200) events.push(['round.items', { round: n, items: items.slice(i, i + 200) }]);
        if (open) events.push(['round.open', { round: n }]);
        writeFileSync(seedFile, seed, { mode: 0o600 });
        const cids = await submitAs(engine, signer, time, events);
        return { round: n, items: items.length, tradingDeadline: trading, revealDeadline: reveal, opened: open, cids };
      });
      printResult(result, opts);
    });
}

export function register(program: Command): void {
  const model = program.command('model').description('model registry');
  withSignerFlags(model.command('commit').description('register a model hash you will trade under; with --model, a provable artifact: publishes its key and commits its Poseidon hash, key and featurizer'))
    .option('--hash <hash>', 'model hash: 0x + 64 hex (`ml train` / `zk hash` print it)')
    .option('--model <dir>', 'a ZK-capable artifact (logistic regression, MLP, ONNX import) instead of --hash: as `zk publish`')
    .option('--batch-items <n>', 'with --model: slots of the round batch circuit', '16')
    .requiredOption('--name <name>', 'display name')
    .option('--arch <architecture>', 'architecture description', 'unspecified')
    .action(async (opts: SignerFlags & { hash?: string; model?: string; batchItems: string; name: string; arch: string }) => {
      const signer = signerFrom(opts);
      if (opts.model) {
        const { loadModelDir, publishModel, withProver } = await import('../proof-trading.js');
        const a = loadModelDir(opts.model);
        printResult(await withProver(() => withEngine(opts, (engine) => publishModel(engine, signer, eventTime(opts), a, { name: opts.name, batchItems: Number(opts.batchItems) }))), opts);
        return;
      }
      if (!opts.hash) throw new ValidationError('cli.invalid', '--hash or --model: expected one of them, got neither', { field: 'hash' });
      const result = await withEngine(opts, async (engine) => {
        const [cid] = await submitAs(engine, signer, eventTime(opts), [['model.commit', { modelHash: opts.hash, architecture: opts.arch, name: opts.name }]]);
        return { cid, modelHash: opts.hash };
      });
      printResult(result, opts);
    });

  const round = program.command('round').description('round lifecycle (admin and resolver): schedule → open → close → resolve (or committee labels) → settle');
  registerRoundSchedule(round, 'schedule', 'schedule a round: deadlines, subsidy, ordering-seed commitment, and the admin\'s items if --items (members may submit items until it opens)', false);
  withSignerFlags(round.command('open').description('open an already scheduled round: fund and open its markets (members\' keyed items and the admin\'s items)'))
    .requiredOption('--round <n>', 'round number')
    .action(async (opts: SignerFlags & { round: string }) => {
      const n = roundNumber(opts.round);
      const result = await withEngine(opts, async (engine) => ({ round: n, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.open', { round: n }]]))[0] }));
      printResult(result, opts);
    });
  registerRoundSchedule(round, 'schedule-and-open', 'schedule a round with the admin\'s --items and open it at once (no member items: they need the scheduled phase)', true);

  const treasury = program.command('treasury').description('the community treasury that funds market subsidies and committee rewards');
  withSignerFlags(treasury.command('fund').description('move units from your balance into the community treasury'))
    .requiredOption('--amount <units>', 'how much to move')
    .action(async (opts: SignerFlags & { amount: string }) => {
      const amount = parseUnits(opts.amount, 'amount').toString();
      const result = await withEngine(opts, async (engine) => ({ amount, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['treasury.fund', { amount }]]))[0] }));
      printResult(result, opts);
    });

  const ledger = program.command('ledger').description('balances between members');
  withSignerFlags(ledger.command('transfer').description('send units from your balance to another DID'))
    .requiredOption('--to <did>', 'who receives them')
    .requiredOption('--amount <units>', 'how much to send')
    .action(async (opts: SignerFlags & { to: string; amount: string }) => {
      const amount = parseUnits(opts.amount, 'amount').toString();
      const result = await withEngine(opts, async (engine) => ({ to: opts.to, amount, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['ledger.transfer', { to: opts.to, amount }]]))[0] }));
      printResult(result, opts);
    });

  withSignerFlags(round.command('void').description('cancel a round before it settles: every trade and item bond is refunded'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--reason <text>', 'why (kept in the log, at most 500 characters)')
    .action(async (opts: SignerFlags & { round: string; reason: string }) => {
      const n = roundNumber(opts.round);
      const result = await withEngine(opts, async (engine) => ({ round: n, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.void', { round: n, reason: opts.reason }]]))[0] }));
      printResult(result, opts);
    });

  withSignerFlags(round.command('close').description('end trading (at or after the trading deadline)'))
    .requiredOption('--round <n>', 'round number')
    .action(async (opts: SignerFlags & { round: string }) => {
      const n = roundNumber(opts.round);
      const result = await withEngine(opts, async (engine) => ({ round: n, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.close', { round: n }]]))[0] }));
      printResult(result, opts);
    });

  withSignerFlags(round.command('resolve').description('publish labels and the ordering seed; executes sealed trades'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--labels <file>', 'JSON lines {"item", "outcome"} (outcome null voids the item)')
    .option('--secrets <dir>', 'where the ordering seed was kept')
    .action(async (opts: SignerFlags & { round: string; labels: string }) => {
      const n = roundNumber(opts.round);
      const seedFile = join(secretsDir(opts), `round-${n}.seed`);
      if (!existsSync(seedFile)) throw new ValidationError('round.noSeed', `${seedFile}: expected the seed saved by "round schedule", got no file`, { field: 'round' });
      const labels = readFileSync(opts.labels, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { item: string; outcome: number | null });
      const result = await withEngine(opts, async (engine) => ({
        round: n,
        cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.resolve', { round: n, seed: readFileSync(seedFile, 'utf8').trim(), labels }]]))[0],
      }));
      printResult(result, opts);
    });

  withSignerFlags(round.command('settle').description('pay winning shares, refund voided items, return leftover subsidy'))
    .requiredOption('--round <n>', 'round number')
    .action(async (opts: SignerFlags & { round: string }) => {
      const n = roundNumber(opts.round);
      const result = await withEngine(opts, async (engine) => ({ round: n, cid: (await submitAs(engine, signerFrom(opts), eventTime(opts), [['round.settle', { round: n }]]))[0] }));
      printResult(result, opts);
    });

  const trade = program.command('trade').description('trade on an item (sealed commit by default; `trade reveal` after close)');
  withSignerFlags(trade.command('commit', { isDefault: true }).description('trade to a belief: commits it (sealed) or executes it (continuous)'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--item <id>', 'item id')
    .requiredOption('--model <hash>', 'your committed model hash')
    .option('--belief <p1,p2,...>', 'your model’s distribution over the outcomes (default with --model-dir: the belief its circuit proves)')
    .requiredOption('--max-cost <units>', 'the most this trade may cost')
    .option('--model-dir <dir>', 'the provable artifact behind --model (for the proven belief and proofs)')
    .option('--proof', 'continuous trading: attach a proof of the model on this item (needs --model-dir); sealed trading proves at reveal')
    .option('--secrets <dir>', 'where the salt is kept until reveal')
    .action(async (opts: SignerFlags & { round: string; item: string; model: string; belief?: string; maxCost: string; modelDir?: string; proof?: boolean }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      if (!opts.belief && !opts.modelDir) throw new ValidationError('cli.invalid', '--belief or --model-dir: expected one of them, got neither', { field: 'belief' });
      if (opts.proof && !opts.modelDir) throw new ValidationError('cli.invalid', '--proof: expected --model-dir with the artifact to prove, got none', { field: 'model-dir' });
      const prover = opts.modelDir ? await import('../proof-trading.js') : null;
      const artifact = prover && opts.modelDir ? prover.loadModelDir(opts.modelDir) : null;
      const result = await withEngine(opts, async (engine) => {
        const continuousProof = opts.proof && engine.state.community?.config.trading === 'continuous' ? await prover!.withProver(() => prover!.proveOneTrade(engine, artifact!, n, opts.item)) : null;
        const belief = opts.belief ? parseBelief(opts.belief) : continuousProof ? continuousProof.belief : prover!.provenBeliefOf(engine, artifact!, n, opts.item);
        const body: TradeBody = { kind: 'belief', belief, maxCost: parseUnits(opts.maxCost, 'max-cost').toString() };
        // A sealed commit hides the belief from the game until reveal; check it here so a bad one never locks money.
        const market = engine.state.rounds.get(n)?.markets.get(opts.item);
        if (market) validateBelief(body.belief.map(BigInt), market.outcomes);
        if (engine.state.community?.config.trading === 'continuous') {
          const [cid] = await submitAs(engine, signer, eventTime(opts), [['trade.execute', { round: n, item: opts.item, model: opts.model, trade: body, ...(continuousProof ? { proof: continuousProof.proof } : {}) }]]);
          return { mode: 'continuous', cid, market: findMarket(engine.state, n, opts.item) };
        }
        const salt = randomBytes(16).toString('hex');
        const commitment = tradeCommitment({ round: n, item: opts.item, model: opts.model, trade: body, salt });
        const [cid] = await submitAs(engine, signer, eventTime(opts), [['trade.commit', { round: n, item: opts.item, model: opts.model, commitment, maxCost: body.maxCost }]]);
        appendFileSync(join(secretsDir(opts), `trades-${signer.did.slice(-16)}.jsonl`), `${JSON.stringify({ round: n, commit: cid, trade: body, salt })}\n`, { mode: 0o600 });
        return { mode: 'sealed', commit: cid, commitment };
      });
      printResult(result, opts);
    });

  withSignerFlags(trade.command('reveal').description('reveal your sealed trades of a round (after close); --proof sends one round batch proof first'))
    .requiredOption('--round <n>', 'round number')
    .option('--secrets <dir>', 'where the salts were kept')
    .option('--proof', 'prove the revealed items in one round batch proof (zk.batch) first (needs --model-dir)')
    .option('--model-dir <dir>', 'the provable artifact of the committed model')
    .option('--proof-file <file>', 'send these batch proofs (from `zk prove`) instead of proving')
    .action(async (opts: SignerFlags & { round: string; proof?: boolean; modelDir?: string; proofFile?: string }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      const file = join(secretsDir(opts), `trades-${signer.did.slice(-16)}.jsonl`);
      const saved = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { round: number; commit: string; trade: TradeBody; salt: string }) : [];
      const result = await withEngine(opts, async (engine) => {
        const sealed = engine.state.rounds.get(n)?.sealed;
        const todo = saved.filter((s) => s.round === n && sealed?.get(s.commit)?.revealed === null);
        const batches = await roundProofs(engine, opts, n, todo.map((s) => sealed!.get(s.commit)!));
        if (batches.length > 0) await submitAs(engine, signer, eventTime(opts), batches.map((b) => ['zk.batch', b]));
        const cids = await submitAs(engine, signer, eventTime(opts), todo.map((s) => ['trade.reveal', { round: n, commit: s.commit, trade: s.trade, salt: s.salt }]));
        return { round: n, revealed: cids.length, batches: batches.length };
      });
      printResult(result, opts);
    });

  const market = program.command('market').description('markets');
  withStoreFlags(market.command('show').description('prices, volume and positions of one item’s market'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--item <id>', 'item id')
    .action(async (opts: StoreFlags & { round: string; item: string }) => {
      const n = roundNumber(opts.round);
      const view = await withEngine(opts, async (engine) => findMarket(engine.state, n, opts.item));
      if (!view) throw new ValidationError('market.unknown', `--round/--item: expected an item of an opened round, got round ${n} item ${opts.item}`, { field: 'item' });
      printResult(view, opts);
    });

  withStoreFlags(program.command('leaderboard').description('model lines (an operator\'s model across retrains) ranked by P&L in units, with log loss, Brier and calibration error; --json: the lines and every hash in full'))
    .option('--node <url>', 'read from this running node instead of --dir/--db')
    .action(async (opts: StoreFlags) => {
      const rows = opts.node ? await new HttpClient(opts.node).leaderboard() : await withEngine(opts, async (engine) => leaderboard(engine.state));
      const lines = modelLines(rows);
      printResult({ lines, models: rows }, opts, () => formatModelLines(lines));
    });
}
