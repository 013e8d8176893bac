import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateHash } from '../game/canonical.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { getJson, postJson, startTestNode, testBackends, type TestNode } from '../../test/support/test-node.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const T0 = 1_700_000_000_000;

for (const backend of testBackends('node server')) {
const shared = backend.name === 'postgres';

describe(`HTTP node: every endpoint (${backend.name})`, () => {
  let node: TestNode;
  let c: TestCommunity;

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: false }, backend);
    c = makeTestCommunity({ members: 2 });
  });
  afterAll(async () => node.cleanup());

  it('accepts signed events with 202 {cid, seq} and pages the log', async () => {
    const genesis = await postJson(`${node.url}/v1/events`, c.genesis);
    expect(genesis.status).toBe(202);
    expect(genesis.body).toMatchObject({ seq: 1, duplicate: false });
    const t = transfer(c.members[0]!, c.members[1]!, 5n);
    const accepted = await postJson(`${node.url}/v1/events`, t);
    expect(accepted).toMatchObject({ status: 202, body: { seq: 2, duplicate: false } });
    const again = await postJson(`${node.url}/v1/events`, t);
    expect(again).toMatchObject({ status: 202, body: { seq: 2, duplicate: true } });

    const page = await getJson(`${node.url}/v1/events?after=1&limit=10`);
    expect(page.status).toBe(200);
    expect(page.body.head).toBe(2);
    expect(page.body.events).toEqual([expect.objectContaining({ seq: 2, cid: accepted.body.cid, type: 'ledger.transfer', author: c.members[0]!.did, event: t })]);
  });

  it('serves state, community, authors, models, rounds, markets, leaderboard', async () => {
    const admin = c.admin;
    for (const event of [
      c.members[0]!.next('model.commit', { modelHash: pseudoModelHash('model-abc-123'), architecture: 'logreg', name: 'first' }),
      admin.next('treasury.fund', { amount: '0' }),
    ]) await postJson(`${node.url}/v1/events`, event);
    const state = await getJson(`${node.url}/v1/state`);
    expect(state.body).toMatchObject({ community: 'node-test', seq: node.engine.state.seq, stateHash: stateHash(node.engine.state) });

    expect((await getJson(`${node.url}/v1/community`)).body).toMatchObject({ id: 'node-test', genesis: expect.any(String) });
    const author = await getJson(`${node.url}/v1/authors/${encodeURIComponent(c.members[1]!.did)}`);
    expect(author).toMatchObject({ status: 200, body: { nonce: 0, head: null, balance: '1000000005' } });
    expect((await getJson(`${node.url}/v1/models/${pseudoModelHash('model-abc-123')}`)).body).toMatchObject({ hash: pseudoModelHash('model-abc-123'), name: 'first', architecture: 'logreg' });
    expect(await getJson(`${node.url}/v1/models/${pseudoModelHash('model-missing-1')}`)).toMatchObject({ status: 404, body: { code: 'model.notFound' } });
    expect(await getJson(`${node.url}/v1/rounds/1`)).toMatchObject({ status: 404, body: { code: 'round.notFound' } });
    expect(await getJson(`${node.url}/v1/markets/1/i1`)).toMatchObject({ status: 404, body: { code: 'market.notFound' } });
    expect((await getJson(`${node.url}/v1/leaderboard`)).body).toEqual({ rows: expect.any(Array) });
  });

  it('serves /healthz, /metrics and /openapi.json built from the zod schemas', async () => {
    expect((await getJson(`${node.url}/healthz`)).body).toMatchObject({ ok: true, role: 'leader', mode: shared ? 'shared' : 'exclusive', store: backend.name, seq: node.engine.state.seq });
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/hindsight_events_submitted_total\{outcome="accepted"\} \d+/);
    expect(metrics).toMatch(/hindsight_commit_batch_size_count \d+/);
    type ObjectSchema = { properties: object; additionalProperties: boolean };
    const doc = (await getJson(`${node.url}/openapi.json`)).body as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { anyOf: ObjectSchema[] } }> }; parameters: { name: string }[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const post = doc.paths['/v1/events']!.post!;
    // Either encoding of a signed event: the native envelope, or a Ceramic DAG-JWS.
    const [envelope, dagJws] = post.requestBody!.content['application/json']!.schema.anyOf;
    expect(Object.keys(envelope!.properties)).toEqual(expect.arrayContaining(['type', 'author', 'prev', 'nonce', 'sig']));
    expect(envelope!.additionalProperties).toBe(false);
    expect(Object.keys(dagJws!.properties)).toEqual(['jws', 'linkedBlock', 'cacaoBlock']);
    expect(dagJws!.additionalProperties).toBe(false);
    expect(doc.paths['/v1/markets/{round}/{item}']!.get!.parameters.map((p) => p.name)).toEqual(['round', 'item']);
    expect(doc.paths['/v1/events']!.get!.parameters.map((p) => p.name)).toEqual(['after', 'limit']);
  });
});

describe(`HTTP node: refusals store nothing (${backend.name})`, () => {
  let node: TestNode;
  let c: TestCommunity;
  const head = () => node.engine.store.head();

  beforeAll(async () => {
    node = await startTestNode({ bodyLimit: 8 * 1024, rateLimit: { perIpPerMinute: 1_000_000, perDidPerMinute: 3 } }, backend);
    c = makeTestCommunity({ members: 3, balance: 10n });
    await postJson(`${node.url}/v1/events`, c.genesis);
  });
  afterAll(async () => node.cleanup());

  async function refused(body: unknown, status: number, code: string, field?: string, headers?: Record<string, string>, stored = 0): Promise<void> {
    const before = await head();
    const reply = await postJson(`${node.url}/v1/events`, body, headers);
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ code, message: expect.any(String), ...(field ? { field } : {}) });
    expect(await head()).toBe(before + stored);
  }

  it('malformed JSON → 400 http.malformedJson', () => refused('{"type": "ledger.transfer",', 400, 'http.malformedJson', 'body'));
  it('empty body → 400', () => refused('', 400, 'http.emptyBody', 'body'));
  it('not JSON → 415', () => refused('hello', 415, 'http.unsupportedMediaType', 'content-type', { 'content-type': 'text/plain' }));

  it('wrong schema → 400 with the field at fault', async () => {
    const m = c.members[0]!;
    const good = m.next('ledger.transfer', { to: c.members[1]!.did, amount: '1' });
    m.nonce -= 1;
    m.head = good.prev;
    const { sig: _s, ...noSig } = good;
    await refused(noSig, 400, 'event.schema', 'event.sig');
    await refused({ ...good, extra: 1 }, 400, 'event.unknownField');
    await refused({ ...good, payload: { to: c.members[1]!.did, amount: 'ten' } }, 400, 'event.schema', 'payload.amount');
    await refused({ ...good, type: 'no.suchType' }, 400, 'event.unknownType', 'type');
  });

  it('bad signature → 401 sig.invalid', async () => {
    const m = c.members[0]!;
    const good = m.next('ledger.transfer', { to: c.members[1]!.did, amount: '1' });
    m.nonce -= 1;
    m.head = good.prev;
    await refused({ ...good, payload: { to: c.members[1]!.did, amount: '2' } }, 401, 'sig.invalid', 'sig');
  });

  it('oversized body → 413', async () => {
    const m = c.members[0]!;
    await refused({ ...m.next('ledger.transfer', { to: c.members[1]!.did, amount: '1' }), padding: 'x'.repeat(10_000) }, 413, 'http.bodyTooLarge');
    m.nonce -= 1;
  });

  it('a game rule refusal → 422 with the game code (exclusive: stored nowhere; shared: kept with its rejection receipt)', async () => {
    const m = c.members[2]!;
    await refused(m.next('ledger.transfer', { to: c.members[1]!.did, amount: '1000' }), 422, 'ledger.insufficientFunds', 'amount', undefined, shared ? 1 : 0);
    m.nonce -= 1;
    m.head = null;
  });

  it('bad query and params → 400; unknown route → 404', async () => {
    expect(await getJson(`${node.url}/v1/events?after=-1`)).toMatchObject({ status: 400, body: { code: 'http.invalidQuery', field: 'query.after' } });
    expect(await getJson(`${node.url}/v1/events?limit=5000`)).toMatchObject({ status: 400, body: { code: 'http.invalidQuery', field: 'query.limit' } });
    expect(await getJson(`${node.url}/v1/events?sneaky=1`)).toMatchObject({ status: 400, body: { code: 'http.invalidQuery' } });
    expect(await getJson(`${node.url}/v1/rounds/zero`)).toMatchObject({ status: 400, body: { code: 'http.invalidParams', field: 'params.round' } });
    expect(await getJson(`${node.url}/v1/authors/alice`)).toMatchObject({ status: 400, body: { code: 'http.invalidParams', field: 'params.did' } });
    expect(await getJson(`${node.url}/v1/nothing`)).toMatchObject({ status: 404, body: { code: 'http.notFound' } });
  });

  it('per-DID rate limit → 429 once a DID signed its quota; forged events in its name do not count', async () => {
    const m = c.members[1]!;
    const forged = { ...m.next('ledger.transfer', { to: c.members[0]!.did, amount: '1' }), sig: 'A'.repeat(86) };
    m.nonce -= 1;
    m.head = null;
    for (let i = 0; i < 5; i++) await refused(forged, 401, 'sig.invalid');
    for (let i = 0; i < 3; i++) expect((await postJson(`${node.url}/v1/events`, transfer(m, c.members[0]!))).status).toBe(202);
    await refused(transfer(m, c.members[0]!), 429, 'http.rateLimited', 'author');
  });
});

}

describe('HTTP node: per-IP rate limit', () => {
  it('answers 429 with Retry-After past the per-IP quota', async () => {
    const node = await startTestNode({ rateLimit: { perIpPerMinute: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await fetch(`${node.url}/v1/state`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const reply = await fetch(`${node.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(reply.status).toBe(429);
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await reply.json()).toMatchObject({ code: 'http.rateLimited', field: 'ip' });
      expect(await node.engine.store.head()).toBe(0);
    } finally {
      await node.cleanup();
    }
  });
});

describe('HTTP node: signature checks on worker threads', () => {
  it('answers exactly as main-thread verification does', async () => {
    const c = makeTestCommunity({ members: 2, salt: 9 });
    const node = await startTestNode({ rateLimit: false, verifyThreads: 2, admin: c.admin.did });
    try {
      expect((await postJson(`${node.url}/v1/events`, c.genesis)).status).toBe(202);
      const events = Array.from({ length: 20 }, (_, i) => transfer(c.members[i % 2]!, c.members[(i + 1) % 2]!));
      const replies = await Promise.all(events.map((e) => postJson(`${node.url}/v1/events`, e)));
      expect(replies.map((r) => r.status).filter((s) => s !== 202)).toEqual([]);
      const m = c.members[0]!;
      const next = m.next('ledger.transfer', { to: c.members[1]!.did, amount: '1' });
      expect(await postJson(`${node.url}/v1/events`, { ...next, payload: { to: c.members[1]!.did, amount: '2' } })).toMatchObject({ status: 401, body: { code: 'sig.invalid', kind: 'auth', field: 'sig' } });
      expect(await postJson(`${node.url}/v1/events`, { ...next, nonce: -1 })).toMatchObject({ status: 400, body: { code: 'event.schema', kind: 'validation', field: 'event.nonce' } });
      expect(await postJson(`${node.url}/v1/events`, next)).toMatchObject({ status: 202, body: { seq: 22 } });
      expect(node.engine.stateHash()).toBe(stateHash(node.engine.state));
    } finally {
      await node.cleanup();
    }
  });
});
