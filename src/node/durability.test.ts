/**
 * kill -9 durability: a node process takes concurrent signed writes, is SIGKILLed mid-load, restarts
 * on the same log, and must still hold every event it answered 202 for (same seq), with a stateHash
 * equal to a fresh, signature-checking replay of its log. SQLite always; PostgreSQL when
 * HINDSIGHT_TEST_PG is set (required under CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateHash } from '../game/canonical.js';
import { HttpClient } from '../sdk/http-client.js';
import { openStore } from '../store/index.js';
import { freshPostgresSchema, requirePostgresForTests } from '../../test/support/postgres-test-url.js';
import { spawnNode } from '../../test/support/child-node.js';
import { replayLog } from '../engine/replay.js';
import { driveLoad, postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity, transfer } from '../../test/support/test-community.js';

const CLIENTS = 12;

async function killDuringLoad(location: { dir?: string; db?: string }, seed: number): Promise<void> {
  const c = makeTestCommunity({ members: CLIENTS + 1, salt: seed });
  const sink = c.members[CLIENTS]!;
  const first = await spawnNode({ ...location, verifyThreads: 1 });
  try {
    expect((await postEvent(first.url, c.genesis)).status).toBe(202);
    const chains = c.members.slice(0, CLIENTS).map((m) => Array.from({ length: 400 }, () => transfer(m, sink)));
    let underWay: () => void = () => {};
    const progress = new Promise<void>((resolve) => (underWay = resolve));
    const load = driveLoad({ urls: [first.url], chains, onAck: (n) => n >= 100 && underWay() });
    // Kill once the load is well under way, at a moment that depends on the seed.
    await progress;
    await new Promise((resolve) => setTimeout(resolve, (seed * 397) % 300));
    await first.kill('SIGKILL');
    const result = await load;
    expect(result.acked.size).toBeGreaterThanOrEqual(100);
    expect(result.unanswered).toBeGreaterThan(0);

    const second = await spawnNode({ ...location, verifyThreads: 1 });
    try {
      const client = new HttpClient(second.url);
      const stored = new Map<string, number>();
      for (let after = 0; ; ) {
        const page = await client.events(after, 1000);
        if (page.length === 0) break;
        for (const e of page) stored.set(e.cid, e.seq);
        after = page.at(-1)!.seq;
      }
      const lost = [...result.acked].filter(([cid, seq]) => stored.get(cid) !== seq);
      expect(lost).toEqual([]);

      const store = await openStore(location);
      try {
        const fresh = await replayLog(store, { verifySignatures: true });
        expect((await client.state()).stateHash).toBe(stateHash(fresh.state));
        expect(fresh.events).toBe(stored.size);
      } finally {
        await store.close();
      }
      // The restarted node keeps serving: a client continues its chain from what the node knows.
      const m = c.members[0]!;
      const author = await client.author(m.did);
      m.head = author.head;
      m.nonce = author.nonce;
      expect((await postEvent(second.url, transfer(m, sink))).status).toBe(202);
    } finally {
      await second.kill('SIGTERM');
    }
  } finally {
    await first.kill('SIGKILL');
  }
}

describe('kill -9 durability', () => {
  it('SQLite: every 202 survives and the state equals a fresh replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-kill-'));
    try {
      await killDuringLoad({ dir }, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM mid-load: in-flight appends finish, the process exits 0, every 202 is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-term-'));
    try {
      const c = makeTestCommunity({ members: 9, salt: 3 });
      const node = await spawnNode({ dir, verifyThreads: 1 });
      expect((await postEvent(node.url, c.genesis)).status).toBe(202);
      let underWay: () => void = () => {};
      const progress = new Promise<void>((resolve) => (underWay = resolve));
      const chains = c.members.slice(0, 8).map((m) => Array.from({ length: 300 }, () => transfer(m, c.members[8]!)));
      const load = driveLoad({ urls: [node.url], chains, onAck: (n) => n >= 100 && underWay() });
      await progress;
      node.process.kill('SIGTERM');
      const [result, exitCode] = await Promise.all([load, node.exited]);
      expect(exitCode).toBe(0);
      const store = await openStore({ dir });
      try {
        for (const [cid, seq] of result.acked) expect((await store.get(cid))?.seq).toBe(seq);
        expect(await store.head()).toBeGreaterThanOrEqual(result.acked.size + 1);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (requirePostgresForTests('node durability')) {
    it('PostgreSQL: every 202 survives and the state equals a fresh replay', async () => {
      const { url, drop } = freshPostgresSchema();
      try {
        await killDuringLoad({ db: url }, 2);
      } finally {
        await drop();
      }
    });
  }
});
