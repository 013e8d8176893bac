import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { Engine } from '../engine/engine.js';
import type { SignedEvent } from '../events/envelope.js';
import { encodeState } from '../game/canonical.js';
import { HttpClient } from '../sdk/http-client.js';
import { lockCache, nodeCacheDir, normalUrl, readMeta, wipe, writeMeta, type CacheMeta } from './node-cache.js';
import { progressBar } from './progress.js';

/** Pulls of at least this many events show a progress bar (on a terminal, without --json). */
const BAR_FROM = 500;
/** A snapshot of the cached state once this many events were pulled since the last, so reopening it stays cheap. */
const SNAPSHOT_EVERY = 1000;

/**
 * `--node URL`: a write command runs against a local copy of the node's log (so it reads the same
 * state it would read locally: the signer's head and nonce, rounds, markets, seats), but every
 * event it signs is submitted to the node over HTTP. The node stays the community's one writer.
 *
 * The copy is kept between commands in the user's cache (node-cache.ts), keyed by the node's URL
 * and the community's genesis, and each command pulls only the events after the last one it saw,
 * re-verifying those (every signature, every rule). Before pulling, the node's event at the cached
 * seq must have the cached CID (and at an unchanged head, the node's stateHash must equal the
 * copy's): a node whose history differs (restored from another log, a different community behind
 * the same URL and genesis) is reported (`node.historyDiverged`) and the copy is pulled afresh.
 * A second command while one holds the cached copy works on a throwaway copy, as does a node
 * without a community yet.
 */
export async function withNodeEngine<T>(url: string, run: (engine: Engine) => Promise<T>, flags: { json?: boolean } = {}): Promise<T> {
  const client = new HttpClient(url);
  const community = await client.community();
  const cached = community ? nodeCacheDir(url, community.genesis) : null;
  const unlock = cached ? lockCache(cached) : null;
  const dir = unlock ? cached! : mkdtempSync(join(tmpdir(), 'hindsight-node-'));
  let meta: CacheMeta = (unlock ? readMeta(dir) : null) ?? { url: normalUrl(url), genesis: community?.genesis ?? '', seq: 0, cid: null };
  let engine: Engine | undefined;
  let broken = false;
  try {
    if (unlock && meta.seq === 0) wipe(dir);
    engine = await Engine.open({ dir, writerThread: false });
    // A copy whose store and meta disagree (removed by hand, an older layout) is rebuilt quietly; a node that disagrees is reported.
    if (unlock && meta.seq > 0 && (engine.state.seq !== meta.seq || (await diverged(client, engine, meta)))) {
      await engine.close();
      wipe(dir);
      meta = { ...meta, seq: 0, cid: null };
      engine = await Engine.open({ dir, writerThread: false });
    }
    const local = engine;
    const applyLocally = Engine.prototype.submit.bind(local);
    const sync = async (bar: boolean): Promise<void> => {
      let progress: Awaited<ReturnType<typeof progressBar>> | undefined;
      const from = meta.seq;
      try {
        for (;;) {
          const page = await client.eventsPage(meta.seq, 1000);
          if (!progress && bar && page.head - from >= BAR_FROM) progress = await progressBar(`pull ${normalUrl(url)}`, page.head - from, flags);
          if (page.events.length === 0) return;
          for (const entry of page.events) {
            await applyLocally(entry.event);
            meta = { ...meta, seq: entry.seq, cid: entry.cid };
          }
          progress?.update(meta.seq - from);
        }
      } catch (error) {
        // The copy may now hold part of a page: start the next command from a fresh pull.
        broken = true;
        throw error;
      } finally {
        progress?.stop();
        if (unlock && !broken) writeMeta(dir, meta);
      }
    };
    await sync(true);
    Object.defineProperty(local, 'submit', {
      value: async (raw: unknown) => {
        const reply = await client.submit(raw as SignedEvent);
        await sync(false);
        return reply;
      },
    });
    return await run(local);
  } finally {
    if (engine) {
      if (unlock && !broken) await snapshotIfDue(engine);
      await engine.close();
    }
    await client.close();
    if (!unlock) rmSync(dir, { recursive: true, force: true });
    else {
      if (broken) wipe(dir);
      unlock();
    }
  }
}

/** Whether the node's log is not a continuation of the cached copy; says so on stderr when it is not. */
async function diverged(client: HttpClient, engine: Engine, meta: CacheMeta): Promise<boolean> {
  const [at] = await client.events(meta.seq - 1, 1);
  const state = await client.state();
  let why: string | null = null;
  if (!at) why = `the node's log ends at seq ${state.seq}, before the cached seq ${meta.seq}`;
  else if (at.cid !== meta.cid) why = `seq ${meta.seq} is ${at.cid} on the node, ${meta.cid} in the cache`;
  else if (state.seq === meta.seq && state.stateHash !== engine.stateHash()) why = `at seq ${meta.seq} the node's stateHash is ${state.stateHash}, the cache's ${engine.stateHash()}`;
  if (!why) return false;
  const error = new ValidationError('node.historyDiverged', `${meta.url}: expected the history of the cached copy, got a different one (${why}); pulling the whole log afresh`, { field: 'node' });
  process.stderr.write(`warning: ${error.message} [${error.code}]\n`);
  return true;
}

async function snapshotIfDue(engine: Engine): Promise<void> {
  const last = (await engine.store.latestSnapshot())?.seq ?? 0;
  if (engine.state.seq - last >= SNAPSHOT_EVERY) await engine.store.saveSnapshot(engine.state.seq, encodeState(engine.state));
}
