import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../sdk/client.js';
import { readSse } from './sse-reader.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { postJson, startTestNode, testBackends, type TestNode } from '../../test/support/test-node.js';

/** Reads the stream until `count` events arrived, then disconnects; returns them with their SSE ids. */
async function readEvents(url: string, count: number, headers: Record<string, string> = {}): Promise<{ id: string; entry: LoggedEvent }[]> {
  const abort = new AbortController();
  const response = await fetch(`${url}/v1/stream`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: { id: string; entry: LoggedEvent }[] = [];
  try {
    for await (const message of readSse(response.body!)) {
      if (message.event !== 'event') continue;
      out.push({ id: message.id!, entry: JSON.parse(message.data) as LoggedEvent });
      if (out.length >= count) break;
    }
  } finally {
    abort.abort();
  }
  return out;
}

for (const backend of testBackends('node stream')) describe(`GET /v1/stream (SSE, ${backend.name})`, () => {
  let node: TestNode;
  let c: TestCommunity;
  const post = async (body: unknown) => expect((await postJson(`${node.url}/v1/events`, body)).status).toBe(202);

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: false }, backend);
    c = makeTestCommunity({ members: 4 });
    await post(c.genesis);
    for (let i = 0; i < 20; i++) await post(transfer(c.members[i % 4]!, c.members[(i + 1) % 4]!));
  });
  afterAll(async () => node.cleanup());

  it('resumes after a disconnect with Last-Event-ID and misses no event, while writers keep appending', async () => {
    const first = await readEvents(node.url, 8);
    expect(first.map((m) => m.entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(first.map((m) => m.id)).toEqual(first.map((m) => String(m.entry.seq)));

    // Events appended while the client is away, and during its second connection.
    for (let i = 0; i < 10; i++) await post(transfer(c.members[i % 4]!, c.members[(i + 2) % 4]!));
    const writing = (async () => {
      for (let i = 0; i < 15; i++) await post(transfer(c.members[i % 4]!, c.members[(i + 3) % 4]!));
    })();
    const second = await readEvents(node.url, 46 - 8, { 'last-event-id': first.at(-1)!.id });
    await writing;
    const seqs = [...first, ...second].map((m) => m.entry.seq);
    expect(seqs).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
    expect(await node.engine.store.head()).toBe(46);
    const stored = await node.engine.store.readAfter(0, 100);
    expect([...first, ...second].map((m) => m.entry.cid)).toEqual(stored.map((s) => s.cid));
  });

  it('starts after ?after= and refuses a malformed Last-Event-ID', async () => {
    const tail = await readEvents(node.url, 3, {});
    expect(tail[0]!.entry.seq).toBe(1);
    const fromQuery = await (async () => {
      const abort = new AbortController();
      const response = await fetch(`${node.url}/v1/stream?after=44`, { signal: abort.signal });
      const got: number[] = [];
      for await (const m of readSse(response.body!)) {
        got.push((JSON.parse(m.data) as LoggedEvent).seq);
        if (got.length === 2) break;
      }
      abort.abort();
      return got;
    })();
    expect(fromQuery).toEqual([45, 46]);
    const bad = await fetch(`${node.url}/v1/stream`, { headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'http.badLastEventId', field: 'Last-Event-ID' });
  });

  it('ends open streams on shutdown so the node can stop', async () => {
    const other = await startTestNode({ rateLimit: false });
    const response = await fetch(`${other.url}/v1/stream`);
    const reading = (async () => {
      for await (const _ of readSse(response.body!)) void _;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.cleanup();
    await reading;
  });
});
