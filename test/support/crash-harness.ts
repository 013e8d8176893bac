/**
 * Crash-safety harness, used by crash-safety-*.test.ts: child processes append batches
 * and report each acknowledged event; we SIGKILL them at seeded random moments, reopen the store
 * and check that every acknowledged event is there with its seq, that every stored row is whole
 * (bytes hash to its cid, columns match the bytes), that seqs are exactly 1..head, and that every
 * batch is either fully stored or absent.
 * Two children write to the same log at once, so cross-process ordering is exercised too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { moduleProcess } from '../../src/core/spawn-worker.js';
import { cidOfBytes, decode } from '../../src/core/encoding.js';
import { openStore } from '../../src/store/open-store.js';
import { iterateLog } from '../../src/store/iterate-log.js';
import { seededRandom } from './test-events.js';
import type { EventStore, OpenStoreOptions, StoredEvent } from '../../src/store/types.js';

const ITERATIONS = 3;
const WORKERS = 2;

type Child = { process: ChildProcess; acked: Map<string, number>; firstAck: Promise<void>; exited: Promise<void>; stderr: string[] };

function startChild(location: OpenStoreOptions, seed: number, tag: string): Child {
  const { script, execArgv } = moduleProcess(import.meta.url, 'crash-child');
  const child = spawn(process.execPath, [...execArgv, script, JSON.stringify({ ...location, seed, tag })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked = new Map<string, number>();
  const stderr: string[] = [];
  let onFirstAck: () => void = () => {};
  const firstAck = new Promise<void>((resolve) => (onFirstAck = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [word, seq, cid] = line.split(' ');
    if (word !== 'ack') return;
    acked.set(cid, Number(seq));
    onFirstAck();
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { process: child, acked, firstAck, exited, stderr };
}

async function readWholeLog(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const event of iterateLog(store, 0, 500)) all.push(event);
  return all;
}

type CrashBody = { type: string; author: string; round: number | null; tag: string; batch: number; size: number; index: number };

async function checkLog(store: EventStore, acked: Map<string, number>): Promise<number> {
  const events = await readWholeLog(store);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(await store.head()).toBe(events.length);
  const batchCounts = new Map<string, { size: number; seen: number }>();
  for (const event of events) {
    expect(cidOfBytes(event.bytes).toString()).toBe(event.cid);
    const body = decode<CrashBody>(event.bytes);
    expect({ type: event.type, author: event.author, round: event.round }).toEqual({ type: body.type, author: body.author, round: body.round });
    const key = `${body.tag}/${body.batch}`;
    const entry = batchCounts.get(key) ?? { size: body.size, seen: 0 };
    entry.seen += 1;
    batchCounts.set(key, entry);
  }
  for (const [key, { size, seen }] of batchCounts) expect(seen, `batch ${key} stored partially`).toBe(size);
  const bySeq = new Map(events.map((e) => [e.cid, e.seq]));
  for (const [cid, seq] of acked) expect(bySeq.get(cid), `acknowledged ${cid}`).toBe(seq);
  return events.length;
}

export async function crashLoop(location: OpenStoreOptions, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const acked = new Map<string, number>();
  const watcher = await openStore(location);
  const notified: number[] = [];
  watcher.onAppend((head) => notified.push(head));
  await (watcher as { listening?: () => Promise<void> }).listening?.();
  let lastCount = 0;
  try {
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const children = Array.from({ length: WORKERS }, (_, w) => startChild(location, seed * 100 + iteration * 10 + w, `i${iteration}w${w}`));
      await Promise.all(
        children.map(async (child) => {
          await Promise.race([child.firstAck, child.exited]);
          await new Promise((r) => setTimeout(r, 10 + random() * 250));
          child.process.kill('SIGKILL');
          await child.exited;
          expect(child.process.signalCode, `child died on its own: ${child.stderr.join('')}`).toBe('SIGKILL');
          for (const [cid, seq] of child.acked) acked.set(cid, seq);
        }),
      );
      const reopened = await openStore(location);
      try {
        const count = await checkLog(reopened, acked);
        expect(count).toBeGreaterThan(lastCount);
        lastCount = count;
      } finally {
        await reopened.close();
      }
    }
    expect(acked.size).toBeGreaterThan(0);
    // The watcher is another process's view: it must have heard about the children's appends.
    expect(notified.length).toBeGreaterThan(0);
    expect(notified.at(-1)).toBeLessThanOrEqual(lastCount);
  } finally {
    await watcher.close();
  }
}

