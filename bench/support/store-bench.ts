/**
 * `hindsight bench store`: append throughput of each backend in batches of 1, 100 and 1000 with
 * ~300-byte events, and how long opening takes. Events are built before the clock starts, so the
 * figures are the store's own cost (including its CID re-check unless noted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitAppender } from '../../src/store/group-commit.js';
import { openStore } from '../../src/store/open-store.js';
import { scratchSchema } from '../../test/support/postgres-scratch-schema.js';
import { makeTestEvent } from '../../test/support/test-events.js';
import type { AppendInput, OpenStoreOptions } from '../../src/store/types.js';

type BatchFigure = { batchSize: number; rows: number; seconds: number; rowsPerSec: number };

const BATCH_SIZES = [1, 100, 1000] as const;

function makeEvents(count: number, tag: string): AppendInput[] {
  return Array.from({ length: count }, (_, i) =>
    makeTestEvent(`${tag}-${i}`, { type: i % 3 ? 'market.trade' : 'round.vote', author: `did:key:z6Mk${i % 50}`, round: i % 10, padBytes: 220 }),
  );
}

async function measureAppends(location: OpenStoreOptions, batchSize: number, targetRows: number, maxSeconds: number): Promise<BatchFigure> {
  const store = await openStore(location);
  const events = makeEvents(targetRows, `b${batchSize}`);
  let rows = 0;
  const started = performance.now();
  try {
    while (rows < events.length && performance.now() - started < maxSeconds * 1000) {
      await store.append(events.slice(rows, rows + batchSize));
      rows += batchSize;
    }
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { batchSize, rows, seconds: Number(seconds.toFixed(3)), rowsPerSec: Math.round(rows / seconds) };
}

/** Single-event appends from many concurrent callers (like HTTP requests) through group commit. */
async function measureGroupCommit(location: OpenStoreOptions, callers: number, rowsPerCaller: number): Promise<object> {
  const store = await openStore(location);
  const appender = new GroupCommitAppender(store);
  const events = makeEvents(callers * rowsPerCaller, 'group');
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: callers }, async (_, caller) => {
        for (let i = 0; i < rowsPerCaller; i++) await appender.append(events[caller * rowsPerCaller + i]);
      }),
    );
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = events.length;
  return { callers, rows, batches: appender.batchesWritten, seconds: Number(seconds.toFixed(3)), rowsPerSec: Math.round(rows / seconds) };
}

async function timeOpen(location: OpenStoreOptions): Promise<number> {
  const started = performance.now();
  const store = await openStore(location);
  const ms = performance.now() - started;
  await store.close();
  return Number(ms.toFixed(1));
}

async function benchBackend(location: () => { options: OpenStoreOptions; cleanup: () => Promise<void> }, quick: boolean): Promise<object> {
  const target: Record<number, number> = quick ? { 1: 200, 100: 5_000, 1000: 20_000 } : { 1: 2_000, 100: 30_000, 1000: 100_000 };
  const maxSeconds = quick ? 3 : 6;
  const fresh = location();
  try {
    const openNewMs = await timeOpen(fresh.options);
    const appends: BatchFigure[] = [];
    for (const size of BATCH_SIZES) appends.push(await measureAppends(fresh.options, size, target[size], maxSeconds));
    const trusted = await measureAppends({ ...fresh.options, checkCids: false }, 1000, target[1000], maxSeconds);
    const groupCommit = await measureGroupCommit(fresh.options, 200, quick ? 10 : 50);
    const openExistingMs = await timeOpen(fresh.options);
    return { openNewMs, openExistingMs, appends, batch1000WithoutCidCheck: trusted, groupCommit };
  } finally {
    await fresh.cleanup();
  }
}

export async function run(options: { db?: string; quick?: boolean }): Promise<object> {
  const quick = options.quick ?? false;
  const eventBytes = makeEvents(50, 'size').reduce((sum, e) => sum + e.bytes.length, 0) / 50;
  const sqlite = await benchBackend(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-'));
    return { options: { dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }, quick);
  const postgresUrl = options.db ?? process.env.HINDSIGHT_TEST_PG;
  let postgres: object | string = 'skipped: pass --db postgres://... or set HINDSIGHT_TEST_PG';
  if (postgresUrl) {
    postgres = await benchBackend(() => {
      const scratch = scratchSchema(postgresUrl, 'bench');
      return { options: { db: scratch.url }, cleanup: scratch.drop };
    }, quick);
  }
  return { eventBytes: Math.round(eventBytes), sqlite, postgres };
}
