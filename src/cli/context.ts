import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../core/errors.js';
import { canonicalDid } from '../events/did.js';
import type { Signer } from '../events/keys.js';
import { loadSigner } from '../events/eth-keys.js';
import { signEvent } from '../events/sign.js';
import type { SignedEvent } from '../events/envelope.js';
import { Engine } from '../engine/engine.js';
import { assertNoNode } from '../node/dir-lock.js';
import { withNodeEngine } from './node-writer.js';

export type StoreFlags = { dir?: string; db?: string; json?: boolean; time?: string; node?: string; key?: string; /** A write without --key (events append). */ write?: boolean };

/** Adds the flags every command that touches a community's log takes. */
export function withStoreFlags(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', 'community directory (embedded SQLite log)')
    .option('--db <url>', 'PostgreSQL URL instead of --dir')
    .option('--json', 'print one JSON object as the last line');
}

/** Commands that sign events also take the key and an optional event time (for scripted games). */
export function withSignerFlags(cmd: Command): Command {
  return withStoreFlags(cmd)
    .requiredOption('--key <file>', 'key file (hindsight key new)')
    .option('--node <url>', 'submit through this running node over HTTP (the community\'s one writer); --dir then only holds your secrets')
    .option('--time <ms>', 'event time in ms since the epoch (default: now)');
}

export async function withEngine<T>(flags: StoreFlags, run: (engine: Engine) => Promise<T>): Promise<T> {
  if (flags.node) {
    if (flags.db) throw new ValidationError('cli.nodeAndStore', '--node: expected it without --db (the node owns the log), got both', { field: 'db' });
    return withNodeEngine(flags.node, run, flags);
  }
  if (!flags.dir && !flags.db) throw new ValidationError('cli.noStore', '--dir or --db: expected one of them, got neither', { field: 'dir' });
  // A signed write on a directory a running node serves would fork the community: refuse, name --node.
  if (flags.dir && (flags.key || flags.write)) assertNoNode(flags.dir);
  if (flags.dir) mkdirSync(flags.dir, { recursive: true });
  const engine = await Engine.open({ dir: flags.dir, db: flags.db });
  try {
    return await run(engine);
  } finally {
    await engine.close();
  }
}

export function eventTime(flags: StoreFlags): number {
  if (flags.time === undefined) return Date.now();
  const t = Number(flags.time);
  if (!Number.isSafeInteger(t) || t < 0) throw new ValidationError('cli.badTime', `--time: expected ms since the epoch, got ${flags.time}`, { field: 'time' });
  return t;
}

/** Signs an event as the next one in the signer's chain (prev = its head, nonce + 1). */
export function nextEvent(engine: Engine, signer: Signer, type: string, payload: Record<string, unknown>, time: number, community?: string): SignedEvent {
  const author = engine.state.authors.get(canonicalDid(signer.did));
  const id = community ?? engine.community;
  if (!id) throw new ValidationError('community.missing', 'community: expected an initialised community in this store (hindsight init), got none', { field: 'dir' });
  return signEvent(signer, { type, community: id, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time });
}

/** Signs and submits a run of events from one signer; each chains on the previous. */
export async function submitAs(engine: Engine, signer: Signer, time: number, events: [string, Record<string, unknown>][]): Promise<string[]> {
  const cids: string[] = [];
  for (const [type, payload] of events) {
    const { cid } = await engine.submit(nextEvent(engine, signer, type, payload, time));
    cids.push(cid);
  }
  return cids;
}

/** The signer of a `--key` file: an Ed25519 did:key, an Ethereum did:pkh (EIP-191) or a delegated session key (its CACAO rides along). */
export function signerFrom(flags: { key: string }): Signer {
  return loadSigner(flags.key);
}

/** Where a participant keeps what it must not publish yet (seeds, trade salts): 0700. */
export function secretsDir(flags: StoreFlags & { secrets?: string }): string {
  const dir = flags.secrets ?? (flags.dir ? join(flags.dir, 'secrets') : '.hindsight-secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
