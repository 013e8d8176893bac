/**
 * kill -9 of a node process while clients submit, many times over one log. Each cycle: the clients
 * (one signing key and chain each, signing as they go) post transfers as fast as the node answers;
 * once the cycle has enough 202s, after a seeded delay, the node is SIGKILLed with requests in
 * flight. The next node process, already loaded and waiting (warmNode), opens the same log; then
 * auditLog checks that nothing is half-written and every 202 so far is there with its seq, and the
 * restarted node's stateHash must equal a fresh replay of the log. The clients resume their chains
 * from what the restarted node says (an event that was in flight may or may not have been stored).
 */
import { expect } from 'vitest';
import { HttpClient } from '../../src/sdk/http-client.js';
import { Http1Connection } from '../../src/node/http1-connection.js';
import type { OpenStoreOptions } from '../../src/store/types.js';
import { warmNode, type ChildNode, type WarmNode } from './child-node.js';
import { auditLog } from './log-audit.js';
import { postEvent } from './load-driver.js';
import { seededRandom } from './test-events.js';
import { makeTestCommunity, transfer } from './test-community.js';

export type KillFigures = {
  kills: number;
  /** Events that got a 202 (all of them must be in the log). */
  acked: number;
  /** Events in the log at the end (genesis included). */
  found: number;
  /** Requests cut by a kill (no answer); some of those events were stored nevertheless. */
  unanswered: number;
  /** Events in the log that never got a 202: they were in flight when the node died, and committed. */
  storedUnacknowledged: number;
  /** Milliseconds from kill to the restarted node listening, one per kill. */
  restartMs: number[];
  elapsedMs: number;
};

export async function killUnderLoad(options: {
  location: Pick<OpenStoreOptions, 'dir' | 'db'>;
  kills: number;
  seed: number;
  clients?: number;
  /** 202s each cycle must have before the kill (default 40). */
  acksPerCycle?: number;
}): Promise<KillFigures> {
  const started = performance.now();
  const clients = options.clients ?? 8;
  const random = seededRandom(options.seed);
  // Snapshots every 100 events (the least allowed), so kills also land around snapshot saves and
  // restarts load a snapshot before catching up: the stateHash must still equal a full replay.
  const c = makeTestCommunity({ members: clients + 1, salt: options.seed, config: { snapshotEvery: 100 } });
  const sink = c.members[clients]!;
  // Every other node checks signatures on a verify thread (requests in flight there when it dies),
  // the others on the main thread (a restart without a thread to start serves sooner).
  let starts = 0;
  const nodeOptions = () => ({ ...options.location, verifyThreads: starts++ % 2, admin: c.admin.did });
  const acked = new Map<string, number>();
  const figures: KillFigures = { kills: 0, acked: 0, found: 0, unanswered: 0, storedUnacknowledged: 0, restartMs: [], elapsedMs: 0 };
  let next: WarmNode = warmNode();
  let node: ChildNode | undefined;
  const startNext = async (): Promise<ChildNode> => {
    const warm = next;
    next = warmNode();
    return warm.start(nodeOptions());
  };
  try {
    node = await startNext();
    const genesis = await postEvent(node.url, c.genesis);
    expect(genesis.status).toBe(202);
    acked.set(genesis.body.cid!, genesis.body.seq!);
    for (let cycle = 0; cycle < options.kills; cycle++) {
      const url = node.url;
      let cycleAcks = 0;
      let unanswered = 0;
      const refused: string[] = [];
      let enough: () => void = () => {};
      const underWay = new Promise<void>((resolve) => (enough = resolve));
      const load = Promise.all(
        c.members.slice(0, clients).map(async (member) => {
          const connection = new Http1Connection(url);
          try {
            for (;;) {
              const event = transfer(member, sink);
              let reply: { status: number; body: string };
              try {
                reply = await connection.request('POST', '/v1/events', JSON.stringify(event));
              } catch {
                unanswered += 1;
                return;
              }
              const body = JSON.parse(reply.body) as { cid?: string; seq?: number; code?: string };
              if (reply.status !== 202) {
                refused.push(`${reply.status} ${body.code}`);
                enough();
                return;
              }
              acked.set(body.cid!, body.seq!);
              if (++cycleAcks >= (options.acksPerCycle ?? 40)) enough();
            }
          } finally {
            connection.close();
          }
        }),
      );
      await underWay;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 60)));
      const killedAt = performance.now();
      await node.kill('SIGKILL');
      await load;
      expect(refused, `cycle ${cycle}: every request is answered 202 or not at all`).toEqual([]);
      expect(unanswered, `cycle ${cycle}: the kill cut requests in flight`).toBeGreaterThan(0);
      figures.unanswered += unanswered;
      figures.kills += 1;

      node = await startNext();
      figures.restartMs.push(performance.now() - killedAt);
      const client = new HttpClient(node.url);
      // Signatures are re-checked on the last audit only: a replay checks state, intake checked them.
      const audit = await auditLog(options.location, { acked, verifySignatures: cycle === options.kills - 1 });
      const live = await client.state();
      expect(live.seq, `cycle ${cycle}: the restarted node is at the log's head`).toBe(audit.head);
      expect(live.stateHash, `cycle ${cycle}: restarted node = fresh replay`).toBe(audit.replayHash);
      figures.found = audit.head;
      figures.storedUnacknowledged = [...audit.seqOf.keys()].filter((cid) => !acked.has(cid)).length;
      // Each client continues its chain from what the log holds.
      await Promise.all(
        c.members.slice(0, clients).map(async (member) => {
          const author = await client.author(member.did);
          member.head = author.head;
          member.nonce = author.nonce;
        }),
      );
    }
    figures.acked = acked.size;
    figures.elapsedMs = performance.now() - started;
    return figures;
  } finally {
    await node?.kill('SIGKILL');
    await next.discard();
  }
}
