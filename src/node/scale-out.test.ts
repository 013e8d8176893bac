/**
 * Scale-out: two node processes share one PostgreSQL log; clients write to both,
 * alternating, and some clients fork their own chain by sending two different events with the same
 * prev to the two nodes at once. PostgreSQL orders everything; each node applies the same log, so
 * both reach the stateHash of a fresh, signature-checking replay, rejection receipts included.
 */
import { describe, expect, it } from 'vitest';
import { stateHash } from '../game/canonical.js';
import { HttpClient } from '../sdk/http-client.js';
import { openStore } from '../store/index.js';
import { freshPostgresSchema, requirePostgresForTests } from '../../test/support/postgres-test-url.js';
import { spawnNode } from '../../test/support/child-node.js';
import { replayLog } from '../engine/replay.js';
import { driveLoad, postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity, transfer } from '../../test/support/test-community.js';

async function waitForSeq(client: HttpClient, seq: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await client.state();
    if (state.seq >= seq) return state.stateHash;
    if (Date.now() > deadline) throw new Error(`expected seq ${seq} within 30 s, got ${state.seq}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (requirePostgresForTests('node scale-out')) {
  describe('two nodes on one PostgreSQL log', () => {
    it('clients write to both; both nodes and a fresh replay agree on the stateHash', async () => {
      const { url, drop } = freshPostgresSchema();
      const c = makeTestCommunity({ members: 9, salt: 7 });
      const [a, b] = await Promise.all([spawnNode({ db: url, admin: c.admin.did }), spawnNode({ db: url, admin: c.admin.did })]);
      try {
        const sink = c.members[8]!;
        expect((await postEvent(a.url, c.genesis)).status).toBe(202);
        const chains = c.members.slice(0, 6).map((m) => Array.from({ length: 40 }, () => transfer(m, sink)));
        const load = await driveLoad({ urls: [a.url, b.url], chains });
        expect(load.acked.size).toBe(6 * 40);

        // Forks: the same author sends two different events with the same prev to the two nodes at once.
        const forks = await Promise.all(
          c.members.slice(6, 8).map(async (m) => {
            const base = { head: m.head, nonce: m.nonce };
            const one = transfer(m, sink, 1n);
            Object.assign(m, base);
            const two = transfer(m, sink, 2n);
            return Promise.all([postEvent(a.url, one), postEvent(b.url, two)]);
          }),
        );
        for (const pair of forks) {
          expect(pair.map((r) => r.status).sort()).toEqual([202, 422]);
          expect(pair.find((r) => r.status === 422)!.body).toMatchObject({ code: 'event.forkedPrev', seq: expect.any(Number) });
        }

        const store = await openStore({ db: url });
        try {
          const head = await store.head();
          expect(head).toBe(1 + 6 * 40 + 4);
          const fresh = await replayLog(store, { verifySignatures: true });
          expect(fresh.rejected).toBe(2);
          const [hashA, hashB] = await Promise.all([waitForSeq(new HttpClient(a.url), head), waitForSeq(new HttpClient(b.url), head)]);
          expect(hashA).toBe(stateHash(fresh.state));
          expect(hashB).toBe(stateHash(fresh.state));
        } finally {
          await store.close();
        }
      } finally {
        await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
        await drop();
      }
    });
  });
}
