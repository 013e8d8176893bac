/**
 * The per-DID budget counts only new events its owner signed: re-sending someone's logged events
 * (anyone can read them from GET /v1/events) costs them nothing. A per-DID 429 says when to retry
 * (Retry-After), and a 413 says the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { postJson, startTestNode, type TestNode } from '../../test/support/test-node.js';

describe('per-DID rate limit', () => {
  let node: TestNode;
  let c: TestCommunity;

  beforeAll(async () => {
    c = makeTestCommunity({ members: 2 });
    node = await startTestNode({ admin: c.admin.did, bodyLimit: 8 * 1024, rateLimit: { perIpPerMinute: 1_000_000, perDidPerMinute: 3 } });
    expect((await postJson(`${node.url}/v1/events`, c.genesis)).status).toBe(202);
  });
  afterAll(() => node.cleanup());

  it("re-sent logged events do not use up their author's budget; the author's 4th new event gets 429 with Retry-After", async () => {
    const [alice, bob] = c.members as [typeof c.members[0], typeof c.members[0]];
    const logged = [transfer(alice, bob), transfer(alice, bob)];
    for (const event of logged) expect((await postJson(`${node.url}/v1/events`, event)).body).toMatchObject({ duplicate: false });
    // Someone else replays them from the log, again and again.
    for (let i = 0; i < 10; i++) {
      for (const event of logged) expect(await postJson(`${node.url}/v1/events`, event)).toMatchObject({ status: 202, body: { duplicate: true } });
    }
    expect(await postJson(`${node.url}/v1/events`, transfer(alice, bob))).toMatchObject({ status: 202, body: { duplicate: false, seq: 4 } });
    const refused = await postJson(`${node.url}/v1/events`, transfer(alice, bob));
    expect(refused).toMatchObject({ status: 429, body: { code: 'http.rateLimited', field: 'author' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${refused.headers.get('retry-after')}`).toBe(true);
    expect(refused.body.message).toContain(`retry in ${retryAfter}s`);
    // Bob's budget is his own.
    expect((await postJson(`${node.url}/v1/events`, transfer(bob, alice))).status).toBe(202);
  });

  it('a body over the limit gets 413 naming the limit in bytes', async () => {
    const reply = await postJson(`${node.url}/v1/events`, { padding: 'x'.repeat(10_000) });
    expect(reply).toMatchObject({ status: 413, body: { code: 'http.bodyTooLarge', field: 'body', message: 'body: expected at most 8192 bytes, got more' } });
  });
});
