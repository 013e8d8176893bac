import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { parseUnits } from '../../core/money.js';
import { signEvent } from '../../events/sign.js';
import { registeredTypes } from '../../events/registry.js';
import { decode } from '../../core/encoding.js';
import { replayLog } from '../../engine/replay.js';
import { progressBar } from '../progress.js';
import { conservation } from '../../game/ledger.js';
import { stateHash } from '../../game/canonical.js';
import { printResult } from '../output.js';
import { eventTime, signerFrom, withEngine, withSignerFlags, withStoreFlags, type StoreFlags } from '../context.js';

export function register(program: Command): void {
  withSignerFlags(program.command('init').description('create a community: its genesis event and config'))
    .requiredOption('--name <name>', 'community id: lowercase letters, digits, dashes')
    .option('--treasury <units>', 'initial community treasury', '10000')
    .option('--mint <did=units...>', 'initial balances, e.g. did:key:z…=100')
    .option('--trading <mode>', 'sealed (default) or continuous', 'sealed')
    .option('--resolver <did>', 'who signs round.resolve (default: the creator)')
    .option('--require-proofs', 'trades must carry ZK proofs')
    .action(async (opts: StoreFlags & { key: string; name: string; treasury: string; mint?: string[]; trading: string; resolver?: string; requireProofs?: boolean }) => {
      const signer = signerFrom(opts);
      const mint = (opts.mint ?? []).map((m) => {
        const at = m.lastIndexOf('=');
        if (at < 0) throw new ValidationError('cli.badMint', `--mint: expected did=units, got ${m}`, { field: 'mint' });
        return { to: m.slice(0, at), amount: parseUnits(m.slice(at + 1), 'mint').toString() };
      });
      const result = await withEngine(opts, async (engine) => {
        if (engine.state.community) throw new ValidationError('community.exists', `--dir: expected an empty store, got community ${engine.state.community.id}`, { field: 'dir' });
        const event = signEvent(signer, {
          type: 'community.create',
          community: opts.name,
          prev: null,
          nonce: 1,
          time: eventTime(opts),
          payload: {
            name: opts.name,
            config: { trading: opts.trading, admins: [signer.did], resolver: opts.resolver ?? signer.did, requireProofs: Boolean(opts.requireProofs) },
            treasury: parseUnits(opts.treasury, 'treasury').toString(),
            mint,
          },
        });
        const { cid, seq } = await engine.submit(event);
        return { community: opts.name, genesis: cid, seq, stateHash: engine.stateHash() };
      });
      printResult(result, opts, (r) => `created community ${(r as { community: string }).community} (${(r as { genesis: string }).genesis})`);
    });

  const events = program.command('events').description('the signed event log');
  withStoreFlags(events.command('append').description('verify a signed event (JSON file) and append it, or exit non-zero with the reason'))
    .requiredOption('--file <file>', 'signed event as JSON')
    .option('--node <url>', 'append through this running node over HTTP')
    .action(async (opts: StoreFlags & { file: string }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(opts.file, 'utf8'));
      } catch (cause) {
        throw new ValidationError('event.unreadable', `--file ${opts.file}: expected a JSON event, got ${(cause as Error).message}`, { field: 'file' }, { cause });
      }
      const result = await withEngine({ ...opts, write: true }, async (engine) => ({ ...(await engine.submit(raw)), stateHash: engine.stateHash() }));
      printResult(result, opts, (r) => `appended ${(r as { cid: string }).cid} at seq ${(r as { seq: number }).seq}`);
    });

  withStoreFlags(events.command('list').description('print the log in order'))
    .option('--after <seq>', 'start after this sequence number', '0')
    .option('--limit <n>', 'at most this many events', '100')
    .option('--type <type>', 'only this event type')
    .action(async (opts: StoreFlags & { after: string; limit: string; type?: string }) => {
      const result = await withEngine(opts, async (engine) => {
        const rows = opts.type ? await engine.store.readByType(opts.type, Number(opts.after), Number(opts.limit)) : await engine.store.readAfter(Number(opts.after), Number(opts.limit));
        return { events: rows.map((r) => ({ seq: r.seq, cid: r.cid, type: r.type, author: r.author, round: r.round, event: decode(r.bytes) })) };
      });
      printResult(result, opts, (r) => (r as { events: { seq: number; type: string; author: string; cid: string }[] }).events.map((e) => `${e.seq}\t${e.type}\t${e.author}\t${e.cid}`).join('\n'));
    });

  withSignerFlags(events.command('sign').description('sign an event (type + payload JSON) as the next in your chain, print it as JSON'))
    .requiredOption('--type <type>', `one of: ${registeredTypes().join(', ')}`)
    .requiredOption('--payload <json>', 'payload as JSON')
    .action(async (opts: StoreFlags & { key: string; type: string; payload: string }) => {
      const { nextEvent } = await import('../context.js');
      const signer = signerFrom(opts);
      const event = await withEngine(opts, async (engine) => nextEvent(engine, signer, opts.type, JSON.parse(opts.payload) as Record<string, unknown>, eventTime(opts)));
      process.stdout.write(`${JSON.stringify(event)}\n`);
    });

  withStoreFlags(program.command('replay').description('replay the whole log from the first event and print the stateHash'))
    .option('--no-verify', 'skip re-verifying signatures')
    .action(async (opts: StoreFlags & { verify: boolean }) => {
      const result = await withEngine(opts, async (engine) => {
        const bar = await progressBar('replay', await engine.store.head(), opts);
        const { state, events, rejected } = await replayLog(engine.store, { verifySignatures: opts.verify, onBatch: (seq) => bar.update(seq) }).finally(() => bar.stop());
        return { events, rejected, stateHash: stateHash(state), conservation: conservation(state.ledger).ok };
      });
      printResult(result, opts, (r) => `${(r as { events: number }).events} events, stateHash ${(r as { stateHash: string }).stateHash}`);
    });
}
