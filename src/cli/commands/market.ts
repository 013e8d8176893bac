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

export function register(program: Command): void {
  const model = program.command('model').description('model registry');
  withSignerFlags(model.command('commit').description('register a model hash you will trade under'))
    .requiredOption('--hash <hash>', 'model hash: 0x + 64 hex (`ml train` / `zk hash` print it)')
    .requiredOption('--name <name>', 'display name')
    .option('--arch <architecture>', 'architecture description', 'unspecified')
    .action(async (opts: SignerFlags & { hash: string; name: string; arch: string }) => {
      const signer = signerFrom(opts);
      const result = await withEngine(opts, async (engine) => {
        const [cid] = await submitAs(engine, signer, eventTime(opts), [['model.commit', { modelHash: opts.hash, architecture: opts.arch, name: opts.name }]]);
        return { cid, modelHash: opts.hash };
      });
      printResult(result, opts);
    });

  const round = program.command('round').description('round lifecycle (admin and resolver)');
  withSignerFlags(round.command('open').description('schedule a round, publish its items, fund and open its markets'))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--items <file>', 'JSON lines: {"id"?, "text"|"features", "outcomes"?}')
    .option('--outcomes <k>', 'outcomes per item when a line does not say', '2')
    .option('--subsidy <units>', 'subsidy per item', '10')
    .option('--trading-secs <s>', 'trading window length', '3600')
    .option('--reveal-secs <s>', 'reveal window length after trading', '3600')
    .option('--secrets <dir>', 'where the ordering seed is kept until resolve')
    .action(async (opts: SignerFlags & { round: string; items: string; outcomes: string; subsidy: string; tradingSecs: string; revealSecs: string }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      const items = readItems(opts.items, Number(opts.outcomes));
      const time = eventTime(opts);
      const seed = randomBytes(32).toString('hex');
      const seedFile = join(secretsDir(opts), `round-${n}.seed`);
      if (existsSync(seedFile)) throw new ValidationError('round.seedExists', `${seedFile}: expected no seed for round ${n} yet, got one (round already opened?)`, { field: 'round' });
      const result = await withEngine(opts, async (engine) => {
        const trading = time + Number(opts.tradingSecs) * 1000;
        const events: [string, Record<string, unknown>][] = [
          ['round.schedule', { round: n, subsidyPerItem: parseUnits(opts.subsidy, 'subsidy').toString(), tradingDeadline: trading, revealDeadline: trading + Number(opts.revealSecs) * 1000, seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') }],
        ];
        for (let i = 0; i < items.length; i += 200) events.push(['round.items', { round: n, items: items.slice(i, i + 200) }]);
        events.push(['round.open', { round: n }]);
        writeFileSync(seedFile, seed, { mode: 0o600 });
        await submitAs(engine, signer, time, events);
        return { round: n, items: items.length, tradingDeadline: trading };
      });
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
      if (!existsSync(seedFile)) throw new ValidationError('round.noSeed', `${seedFile}: expected the seed saved by "round open", got no file`, { field: 'round' });
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
    .requiredOption('--belief <p1,p2,...>', 'your model’s distribution over the outcomes')
    .requiredOption('--max-cost <units>', 'the most this trade may cost')
    .option('--secrets <dir>', 'where the salt is kept until reveal')
    .action(async (opts: SignerFlags & { round: string; item: string; model: string; belief: string; maxCost: string }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      const body: TradeBody = { kind: 'belief', belief: parseBelief(opts.belief), maxCost: parseUnits(opts.maxCost, 'max-cost').toString() };
      const result = await withEngine(opts, async (engine) => {
        // A sealed commit hides the belief from the game until reveal; check it here so a bad one never locks money.
        const market = engine.state.rounds.get(n)?.markets.get(opts.item);
        if (market) validateBelief(body.belief.map(BigInt), market.outcomes);
        if (engine.state.community?.config.trading === 'continuous') {
          const [cid] = await submitAs(engine, signer, eventTime(opts), [['trade.execute', { round: n, item: opts.item, model: opts.model, trade: body }]]);
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

  withSignerFlags(trade.command('reveal').description('reveal your sealed trades of a round (after close)'))
    .requiredOption('--round <n>', 'round number')
    .option('--secrets <dir>', 'where the salts were kept')
    .action(async (opts: SignerFlags & { round: string }) => {
      const signer = signerFrom(opts);
      const n = roundNumber(opts.round);
      const file = join(secretsDir(opts), `trades-${signer.did.slice(-16)}.jsonl`);
      const saved = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { round: number; commit: string; trade: TradeBody; salt: string }) : [];
      const result = await withEngine(opts, async (engine) => {
        const sealed = engine.state.rounds.get(n)?.sealed;
        const todo = saved.filter((s) => s.round === n && sealed?.get(s.commit)?.revealed === null);
        const cids = await submitAs(engine, signer, eventTime(opts), todo.map((s) => ['trade.reveal', { round: n, commit: s.commit, trade: s.trade, salt: s.salt }]));
        return { round: n, revealed: cids.length };
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

  withStoreFlags(program.command('leaderboard').description('models ranked by P&L, with log loss, Brier and calibration')).action(async (opts: StoreFlags) => {
    const rows = await withEngine(opts, async (engine) => leaderboard(engine.state));
    printResult({ models: rows }, opts, (r) =>
      (r as { models: ReturnType<typeof leaderboard> }).models.map((m) => `${m.rank}. ${m.name.padEnd(20)} pnl ${m.pnl.padStart(14)}  logLoss ${m.logLoss ?? '-'}  items ${m.itemsTraded}`).join('\n'),
    );
  });
}
