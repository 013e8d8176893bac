/**
 * `hindsight bench store`: the event log end to end, in one run. Raw Ed25519 verifies per second
 * (the baseline), signed events verified + applied + appended per second through the Engine on
 * SQLite and PostgreSQL in batches, replay speed with and without signature checks, and the raw
 * store figures (src/store/store.bench.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench-types.js';
import { signEvent } from '../src/events/sign.js';
import { eventCid, type SignedEvent } from '../src/events/envelope.js';
import { verifyEd25519 } from '../src/events/keys.js';
import { testKey, units } from '../test/support/harness.js';
import { scratchSchema } from '../test/support/postgres-scratch-schema.js';
import { run as runStore } from './support/store-bench.js';
import type { EngineOptions as OpenStoreOptions } from '../src/engine/engine.js';
import { Engine } from '../src/engine/engine.js';
import { replayLog } from '../src/engine/replay.js';

const AUTHORS = 50;

function signedLog(count: number): SignedEvent[] {
  const admin = testKey('bench-admin');
  const authors = Array.from({ length: AUTHORS }, (_, i) => testKey(`bench-author-${i}`));
  const genesis = signEvent(admin, {
    type: 'community.create',
    community: 'bench',
    prev: null,
    nonce: 1,
    time: 1,
    payload: { name: 'bench', config: { admins: [admin.did], resolver: admin.did, snapshotEvery: 1_000_000 }, treasury: '0', mint: authors.map((a) => ({ to: a.did, amount: units(1_000_000) })) },
  });
  const heads = new Map<string, string | null>();
  const events = [genesis];
  for (let i = 0; i < count; i++) {
    const author = authors[i % AUTHORS]!;
    const to = authors[(i * 7 + 1) % AUTHORS]!;
    const e = signEvent(author, { type: 'ledger.transfer', community: 'bench', prev: heads.get(author.did) ?? null, nonce: Math.floor(i / AUTHORS) + 1, time: 10 + i, payload: { to: to.did, amount: '1' } });
    heads.set(author.did, eventCid(e));
    events.push(e);
  }
  return events;
}

function rawVerifyPerSec(n: number): number {
  const k = testKey('bench-raw');
  const msg = new Uint8Array(300).fill(7);
  const sig = k.sign(msg);
  const start = performance.now();
  for (let i = 0; i < n; i++) verifyEd25519(k.did, msg, sig);
  return Math.round(n / ((performance.now() - start) / 1000));
}

async function pipeline(location: () => { options: OpenStoreOptions; cleanup: () => Promise<void> }, events: SignedEvent[]): Promise<object> {
  const figures: Record<string, number> = {};
  for (const batch of [1, 100, 1000]) {
    const loc = location();
    const engine = await Engine.open(loc.options);
    const n = batch === 1 ? Math.min(events.length, 1000) : events.length;
    const start = performance.now();
    for (let i = 0; i < n; i += batch) {
      const outcomes = await engine.submitMany(events.slice(i, i + batch));
      for (const o of outcomes) if (!o.ok) throw o.error;
    }
    figures[`batch${batch}EventsPerSec`] = Math.round(n / ((performance.now() - start) / 1000));
    if (batch === 1000) {
      let t = performance.now();
      const replay = await replayLog(engine.store, { verifySignatures: false });
      figures.replayEventsPerSec = Math.round(replay.events / ((performance.now() - t) / 1000));
      t = performance.now();
      await replayLog(engine.store, { verifySignatures: true });
      figures.replayVerifiedEventsPerSec = Math.round(replay.events / ((performance.now() - t) / 1000));
    }
    await engine.close();
    await loc.cleanup();
  }
  return figures;
}

export async function run(options: BenchOptions): Promise<object> {
  const events = signedLog(options.quick ? 3_000 : 20_000);
  const verifyPerSec = rawVerifyPerSec(options.quick ? 3_000 : 20_000);
  const sqlite = await pipeline(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-logbench-'));
    return { options: { dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }, events);
  const url = options.db ?? process.env.HINDSIGHT_TEST_PG;
  const postgres = url
    ? await pipeline(() => {
        const scratch = scratchSchema(url, 'logbench');
        return { options: { db: scratch.url, mode: 'exclusive' } as OpenStoreOptions, cleanup: scratch.drop };
      }, events)
    : 'skipped: pass --db postgres://... or set HINDSIGHT_TEST_PG';
  return { verifyPerSec, events: events.length, pipeline: { sqlite, postgres }, store: await runStore(options) };
}
