/**
 * The SQLite directory on a small tmpfs that a filler file fills up.
 * Store: an append on a full disk fails whole with `store.diskFull` (not libsql's "cannot rollback"),
 * reads go on, and appends resume once space is freed, on the same connection.
 * Node: under load, writes are answered 503 `store.diskFull` and the node logs the cause; its state
 * stays equal to the log (the failed batches' events were rolled back in memory too); the log opens
 * and replays while the disk is still full; after the filler is deleted, writes resume without a
 * restart, and in the end every 202 is in the log, which replays to the node's stateHash.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { HttpClient } from '../../src/sdk/http-client.js';
import { openStore } from '../../src/store/open-store.js';
import { spawnNode, type ChildNode } from '../support/child-node.js';
import { postEvent } from '../support/load-driver.js';
import { auditLog } from '../support/log-audit.js';
import { steadyClients, tally, type Answer } from '../support/steady-clients.js';
import { makeTestCommunity } from '../support/test-community.js';
import { makeTestEvent } from '../support/test-events.js';
import { fillUp, mountTmpfs, requireTmpfsMount } from '../support/tmpfs.js';

const MiB = 1024 * 1024;

describe('disk full (SQLite on a small tmpfs)', () => {
  if (!requireTmpfsMount('disk full')) return;

  for (const writerThread of [false, true]) {
    it(`store${writerThread ? ' (writer thread)' : ''}: store.diskFull, nothing half-written, resumes once space is freed`, async () => {
      const fs = mountTmpfs(4 * MiB);
      try {
        const store = await openStore({ dir: fs.dir, writerThread });
        const acked = new Map<string, number>();
        let n = 0;
        const batch = () => Array.from({ length: 20 }, () => makeTestEvent(++n));
        const append = async () => {
          for (const r of await store.append(batch())) acked.set(r.cid, r.seq);
        };
        try {
          for (let i = 0; i < 5; i++) await append();
          const filler = join(fs.dir, 'filler');
          fillUp(filler);
          // A commit may still fit into WAL pages already allocated; the disk runs out within a few.
          let failure: unknown;
          for (let i = 0; i < 200 && !failure; i++) failure = await append().then(() => undefined, (e: unknown) => e);
          expect(failure).toBeInstanceOf(StoreError);
          expect(failure).toMatchObject({ code: 'store.diskFull' });
          expect((failure as Error).message).toMatch(/disk is full/);
          // Reads go on, and show exactly the acknowledged batches.
          expect(await store.head()).toBe(acked.size);
          expect((await store.readAfter(0, 10_000)).length).toBe(acked.size);
          rmSync(filler);
          await append();
          await append();
        } finally {
          await store.close();
        }
        const audit = await auditLog({ dir: fs.dir }, { acked, game: false });
        expect(audit.head).toBe(acked.size);
      } finally {
        fs.unmount();
      }
    });
  }

  it('node under load: 503 store.diskFull with a log line, state = log, writes resume without a restart', async () => {
    const fs = mountTmpfs(16 * MiB);
    const c = makeTestCommunity({ members: 7, salt: 51, config: { snapshotEvery: 100 } });
    let node: ChildNode | undefined;
    try {
      node = await spawnNode({ dir: fs.dir, verifyThreads: 1, admin: c.admin.did, logger: { level: 'warn' } });
      const api = new HttpClient(node.url);
      expect((await postEvent(node.url, c.genesis)).status).toBe(202);
      const clients = () => steadyClients({ urls: [node!.url], members: c.members.slice(0, 6), sink: c.members[6]!, retryDelayMs: 20 });
      const first = clients();
      let full: { filledAt: number; first503Ms: number; answers: Record<string, number> };
      try {
        await first.acks(150);
        const filler = join(fs.dir, 'filler');
        const filledAt = performance.now();
        fillUp(filler);
        const refused = await first.answer((a) => a.status !== 202, 30_000);
        expect(refused).toMatchObject({ status: 503, code: 'store.diskFull' });
        await new Promise((resolve) => setTimeout(resolve, 500));
        await first.stop();
        full = { filledAt, first503Ms: Math.round(refused.at - filledAt), answers: tally(first.timeline.filter((a) => a.at > refused.at)) };
        // Still full. Everything after the first refusal was refused the same way.
        expect(Object.keys(full.answers)).toEqual(['503 store.diskFull']);
        // The node's state is the log's: no refused event stayed applied in memory. The log opens
        // and replays while the disk is full.
        const audit = await auditLog({ dir: fs.dir }, { acked: first.acked });
        const state = await api.state();
        expect(state.seq).toBe(audit.head);
        expect(state.stateHash).toBe(audit.replayHash);
        // Resume from what the log holds; then free the space.
        for (const m of c.members.slice(0, 6)) {
          const author = await api.author(m.did);
          m.head = author.head;
          m.nonce = author.nonce;
        }
        rmSync(filler);
      } finally {
        await first.stop();
      }
      const freedAt = performance.now();
      const second = clients();
      let firstAckAfterFreeMs: number;
      try {
        const ack = await second.answer((a) => a.status === 202, 10_000);
        firstAckAfterFreeMs = Math.round(ack.at - freedAt);
        await second.acks(150);
      } finally {
        await second.stop();
      }
      expect(Object.keys(tally(second.timeline))).toEqual(['202']);
      const final = await api.state();
      // The node said why, in its log (pino JSON lines on stdout).
      const logged = node.stdout.filter((line) => line.includes('"store.diskFull"'));
      expect(logged.length).toBeGreaterThan(0);
      expect(JSON.parse(logged[0]!)).toMatchObject({ level: 50, code: 'store.diskFull', msg: 'request failed' });
      expect(JSON.parse(logged[0]!).err.message).toMatch(/disk is full/);

      node.process.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      const acked = new Map([...first.acked, ...second.acked]);
      const audit = await auditLog({ dir: fs.dir }, { acked, verifySignatures: true });
      expect(audit.replayHash).toBe(final.stateHash);
      console.log(`[disk full] ${JSON.stringify({ ackedBefore: first.acked.size, ackedAfter: second.acked.size, found: audit.head, first503AfterFillMs: full.first503Ms, refusedWhileFull: full.answers, firstAckAfterFreeMs, logLines: logged.length })}`);
    } finally {
      await node?.kill('SIGKILL');
      fs.unmount();
    }
  });
});
