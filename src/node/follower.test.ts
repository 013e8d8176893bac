import { join } from 'node:path';
import type { SignedEvent } from '../events/envelope.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../sdk/client.js';
import { HttpClient } from '../sdk/http-client.js';
import { replayLog } from '../engine/replay.js';
import { stateHash } from '../game/canonical.js';
import type { LogSource } from './log-source.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { getJson, postJson, startTestNode, type TestNode } from '../../test/support/test-node.js';

async function logCids(node: TestNode): Promise<string[]> {
  return (await node.engine.store.readAfter(0, 10_000)).map((e) => e.cid);
}

describe('follower node (--follow URL)', () => {
  let leader: TestNode;
  let c: TestCommunity;
  const post = async (body: unknown) => expect((await postJson(`${leader.url}/v1/events`, body)).status).toBe(202);

  beforeAll(async () => {
    leader = await startTestNode({ rateLimit: false });
    c = makeTestCommunity({ members: 3 });
    await post(c.genesis);
    for (let i = 0; i < 30; i++) await post(transfer(c.members[i % 3]!, c.members[(i + 1) % 3]!));
  });
  afterAll(async () => leader.cleanup());

  it('catches up, follows live appends, verifies everything itself and reaches the same stateHash', async () => {
    const follower = await startTestNode({ follow: leader.url, rateLimit: false });
    try {
      await follower.follower!.waitFor(31);
      const writes = (async () => {
        for (let i = 0; i < 40; i++) await post(transfer(c.members[i % 3]!, c.members[(i + 2) % 3]!));
      })();
      await writes;
      await follower.follower!.waitFor(71);
      expect(follower.engine.stateHash()).toBe(leader.engine.stateHash());
      expect(await logCids(follower)).toEqual(await logCids(leader));
      const fresh = await replayLog(follower.engine.store, { verifySignatures: true });
      expect(stateHash(fresh.state)).toBe(leader.engine.stateHash());

      const health = await getJson(`${follower.url}/healthz`);
      expect(health.body).toMatchObject({ ok: true, role: 'follower', seq: 71, lag: 0, leader: leader.url });
      // The leader counts the follower's open stream (the dashboard shows it); the follower has none.
      expect((await getJson(`${leader.url}/healthz`)).body).toMatchObject({ role: 'leader', followers: 1 });
      expect(health.body).toMatchObject({ followers: 0 });
      // Reads are served locally, writes are redirected to the leader (307 keeps method and body).
      expect((await getJson(`${follower.url}/v1/state`)).body.stateHash).toBe(leader.engine.stateHash());
      const event = transfer(c.members[0]!, c.members[1]!);
      const redirect = await postJson(`${follower.url}/v1/events`, event);
      expect(redirect.status).toBe(307);
      expect(redirect.headers.get('location')).toBe(`${leader.url}/v1/events`);
      expect(redirect.body).toMatchObject({ code: 'node.readOnly' });
      expect(await follower.engine.store.head()).toBe(71);
      const viaFollower = await new HttpClient(follower.url).submit(event);
      expect(viaFollower.seq).toBe(72);
      await follower.follower!.waitFor(72);
    } finally {
      await follower.cleanup();
    }
  });

  it('resumes from its own log after a restart', async () => {
    const first = await startTestNode({ follow: leader.url, rateLimit: false });
    const dir = join(first.dir, 'log');
    await first.follower!.waitFor(await leader.engine.store.head());
    await first.close();
    for (let i = 0; i < 5; i++) await post(transfer(c.members[i % 3]!, c.members[(i + 1) % 3]!));
    const again = await startTestNode({ dir, follow: leader.url, rateLimit: false });
    try {
      await again.follower!.waitFor(await leader.engine.store.head());
      expect(again.engine.stateHash()).toBe(leader.engine.stateHash());
    } finally {
      await again.cleanup();
      await first.cleanup();
    }
  });

  it('halts (healthz 503) instead of applying an entry that does not verify', async () => {
    const entries = (await new HttpClient(leader.url).events(0, 10)).map((e) => ({ ...e }));
    const victim = entries[5]!;
    const native = victim.event as SignedEvent; // a native envelope (the union also admits a DAG-JWS)
    entries[5] = { ...victim, event: { ...native, payload: { ...native.payload, amount: '999' } } };
    const source: LogSource = {
      name: 'http://tampered.invalid',
      pull: async (after) => ({ events: entries.filter((e) => e.seq > after), head: entries.length }),
      subscribe: () => () => {},
    };
    const follower = await startTestNode({ source, rateLimit: false });
    try {
      await expect(follower.follower!.waitFor(10, 5_000)).rejects.toThrow(/halted: leader entry 6: expected an event that verifies, got sig.invalid/);
      expect(follower.engine.state.seq).toBe(5);
      const health = await getJson(`${follower.url}/healthz`);
      expect(health).toMatchObject({ status: 503, body: { ok: false, error: expect.stringContaining('sig.invalid') } });
    } finally {
      await follower.cleanup();
    }
  });
});

export type { LoggedEvent };
