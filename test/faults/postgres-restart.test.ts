/**
 * PostgreSQL goes away under load and comes back. Two node processes share a log on a server of
 * this test's own (test/support/pg-cluster.ts); clients keep submitting to both, retrying an event
 * after a 503. The server is stopped twice, once cleanly (`pg_ctl -m fast`) and once as a crash
 * (`-m immediate`, recovery on restart). While it is down the nodes answer writes and store reads with
 * 503 `store.unavailable` and stay up; once it is back they serve again by themselves (the pool opens
 * new connections, the LISTEN connection reconnects: a node hears of the other's appends again);
 * afterwards every 202 is in the log and both nodes' stateHash equals a fresh replay.
 */
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/sdk/http-client.js';
import { spawnNode, type ChildNode } from '../support/child-node.js';
import { postEvent } from '../support/load-driver.js';
import { auditLog } from '../support/log-audit.js';
import { requirePostgresBinaries, startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { steadyClients, tally, type Answer } from '../support/steady-clients.js';
import { makeTestCommunity, transfer } from '../support/test-community.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outage = {
  mode: 'fast' | 'immediate';
  /** From `pg_ctl stop` called to `pg_ctl start` returned. */
  serverDownMs: number;
  /** From the first refused request to the first 202 after it, as the clients saw it. */
  clientOutageMs: number;
  unavailable503: number;
  otherAnswers: number;
  acksWhileDown: number;
  /** First 202 after `pg_ctl start` returned (the pool reconnects on demand). */
  firstAckAfterStartMs: number;
};

describe('PostgreSQL restarts under load', () => {
  if (requirePostgresBinaries('postgres restarts')) {
    it('503 store.unavailable while down, back by itself, nothing acknowledged lost', async () => {
      const c = makeTestCommunity({ members: 7, salt: 41 });
      let cluster: PgCluster | undefined;
      let nodes: ChildNode[] = [];
      try {
        cluster = await startPgCluster();
        const db = cluster.url;
        nodes = await Promise.all([0, 1].map(() => spawnNode({ db, verifyThreads: 1, admin: c.admin.did })));
        expect((await postEvent(nodes[0]!.url, c.genesis)).status).toBe(202);
        const clients = steadyClients({ urls: nodes.map((n) => n.url), members: c.members.slice(0, 6), sink: c.members[6]! });
        const outages: Outage[] = [];
        try {
          for (const mode of ['fast', 'immediate'] as const) {
            await clients.acks(60);
            const downAt = performance.now();
            await cluster.down(mode);
            const stopped = performance.now();
            // Down: writes are refused with 503 and the store's code; so are reads that need the
            // store; the state the node holds in memory is still served.
            await clients.answer((a) => a.at > stopped && a.status !== 202, 10_000);
            const read = await fetch(`${nodes[0]!.url}/v1/events?after=0&limit=1`);
            expect(read.status).toBe(503);
            expect(read.headers.get('retry-after'), 'a 503 says when to retry').toMatch(/^[1-9]\d*$/);
            expect(await read.json()).toMatchObject({ code: 'store.unavailable', kind: 'store' });
            // Not ready (a load balancer routes elsewhere) but alive (nothing restarts it).
            expect((await fetch(`${nodes[0]!.url}/readyz`)).status).toBe(503);
            expect((await fetch(`${nodes[0]!.url}/healthz`)).status).toBe(200);
            expect((await fetch(`${nodes[1]!.url}/v1/state`)).status).toBe(200);
            await sleep(1000);
            const starting = performance.now();
            await cluster.up();
            const upAt = performance.now();
            const firstAck = await clients.answer((a) => a.at > upAt && a.status === 202, 20_000);
            // Requests sent after pg_ctl said "stopped" and answered before it was asked to start
            // (an append committed just before the stop may be answered after it; the server
            // accepts connections a little before pg_ctl start returns).
            const window = clients.timeline.filter((a) => a.sentAt > stopped && a.at < starting);
            // As the clients saw it: from the first refusal to the first 202 for a request sent after
            // the server had stopped.
            const refused = clients.timeline.filter((a) => a.at > downAt && a.status !== 202);
            const back = clients.timeline.find((a) => a.sentAt > stopped && a.status === 202)!;
            outages.push({
              mode,
              serverDownMs: Math.round(upAt - downAt),
              clientOutageMs: Math.round(back.at - refused[0]!.at),
              unavailable503: refused.filter((a) => a.at < back.at && a.status === 503 && a.code === 'store.unavailable').length,
              otherAnswers: window.filter((a) => a.status !== 503 || a.code !== 'store.unavailable').length,
              acksWhileDown: window.filter((a) => a.status === 202).length,
              firstAckAfterStartMs: Math.round(firstAck.at - upAt),
            });
          }
          await clients.acks(60);
        } finally {
          await clients.stop();
        }
        console.log(`[postgres restarts] ${JSON.stringify({ acked: clients.acked.size, answers: tally(clients.timeline), outages })}`);
        for (const outage of outages) {
          expect(outage.unavailable503, `${outage.mode}: writes refused with 503 store.unavailable`).toBeGreaterThan(0);
          expect(outage.acksWhileDown, `${outage.mode}: no 202 while the server is down`).toBe(0);
          expect(outage.otherAnswers, `${outage.mode}: nothing but 503 store.unavailable while down`).toBe(0);
        }
        // Only 202s and 503 store.unavailable, every request answered, both processes still up.
        expect(Object.keys(tally(clients.timeline)).sort()).toEqual(['202', '503 store.unavailable']);
        for (const node of nodes) expect(node.process.exitCode, node.stderr.join('')).toBeNull();
        for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status, 'ready again once the database is back').toBe(200);

        // The LISTEN connections are back: an event posted to node 0 alone reaches node 1.
        const last = await postEvent(nodes[0]!.url, transfer(c.members[6]!, c.members[0]!)); // the sink had sent nothing yet
        expect(last.status).toBe(202);
        clients.acked.set(last.body.cid!, last.body.seq!);
        const follower = new HttpClient(nodes[1]!.url);
        const deadline = performance.now() + 15_000;
        while ((await follower.state()).seq < last.body.seq! && performance.now() < deadline) await sleep(100);
        expect((await follower.state()).seq, 'node 1 heard of node 0 append (LISTEN reconnected)').toBeGreaterThanOrEqual(last.body.seq!);

        const audit = await auditLog({ db }, { acked: clients.acked, verifySignatures: true });
        for (const node of nodes) {
          const state = await new HttpClient(node.url).state();
          expect(state.seq).toBe(audit.head);
          expect(state.stateHash, 'node = fresh replay').toBe(audit.replayHash);
        }
      } finally {
        await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
        await cluster?.destroy();
      }
    }, 120_000);
  }
});
