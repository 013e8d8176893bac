/**
 * No request can take a node down or make it answer 5xx for the client's own mistake: deeply
 * nested bodies (refused before parsing), paths that do not decode, numbers a model cannot scale.
 * The deep-body tests run real node processes, with and without the verify worker thread, since
 * the failure they guard against ended the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNode, type ChildNode } from '../../test/support/child-node.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { getJson, postJson, startTestNode, type TestNode } from '../../test/support/test-node.js';
import { randomLogReg } from '../../test/support/test-models.js';
import { InferenceService } from './inference-service.js';

const DEEP = 5_000;
const TOO_DEEP = { status: 400, body: { code: 'http.tooDeep', kind: 'http', message: 'body: expected JSON nested at most 64 levels, got more', field: 'body' } };

/** An event's JSON text with `payload.to` replaced by `inner` (raw JSON text). */
function withPayloadText(event: object, inner: string): string {
  return JSON.stringify({ ...event, payload: { to: '@@inner@@', amount: '1' } }).replace('"@@inner@@"', inner);
}

for (const threads of [1, 0]) {
  describe(`a node process with --verify-threads ${threads}`, () => {
    let dir: string;
    let node: ChildNode;
    let c: TestCommunity;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hindsight-safety-'));
      c = makeTestCommunity({ members: 2 });
      node = await spawnNode({ dir: join(dir, 'log'), admin: c.admin.did, verifyThreads: threads });
      expect((await postJson(`${node.url}/v1/events`, c.genesis)).status).toBe(202);
    }, 60_000);
    afterAll(async () => {
      await node?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it(`refuses a body nested ${DEEP} levels deep with 400 http.tooDeep, and keeps serving`, async () => {
      const before = await getJson(`${node.url}/healthz`);
      const next = transfer(c.members[0]!, c.members[1]!);
      const bodies = [
        '['.repeat(DEEP) + ']'.repeat(DEEP),
        withPayloadText(next, '['.repeat(DEEP) + ']'.repeat(DEEP)),
        withPayloadText(next, '{"a":'.repeat(DEEP) + '0' + '}'.repeat(DEEP)),
      ];
      for (const body of bodies) {
        const reply = await postJson(`${node.url}/v1/events`, body);
        expect(reply).toMatchObject(TOO_DEEP);
        expect(JSON.stringify(reply.body)).not.toMatch(/call stack/i);
      }
      expect(await postJson(`${node.url}/v1/predict`, `{"input":{"features":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}}`)).toMatchObject(TOO_DEEP);
      expect(node.process.exitCode).toBeNull();
      expect(await getJson(`${node.url}/healthz`)).toEqual(before);
      expect(await postJson(`${node.url}/v1/events`, next)).toMatchObject({ status: 202, body: { seq: 2 } });
    });

    it('lets a body nest up to the limit (then the schema judges it), and refuses one level more', async () => {
      const m = c.members[1]!;
      const next = m.next('ledger.transfer', { to: c.members[0]!.did, amount: '1' });
      m.nonce -= 1;
      m.head = next.prev;
      // The envelope and payload objects are two levels: 62 more arrays make 64.
      const at = withPayloadText(next, '['.repeat(62) + ']'.repeat(62));
      expect(await postJson(`${node.url}/v1/events`, at)).toMatchObject({ status: 400, body: { code: 'event.schema', field: 'payload.to' } });
      expect(await postJson(`${node.url}/v1/events`, withPayloadText(next, '['.repeat(63) + ']'.repeat(63)))).toMatchObject(TOO_DEEP);
      expect(node.process.exitCode).toBeNull();
    });
  });
}

describe('requests the router or a model cannot take', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ rateLimit: false, models: await InferenceService.create([randomLogReg(8, 2, true, { seed: 31 })]) });
  });
  afterAll(() => node.cleanup());

  it('answers a path that does not percent-decode with 400 and a listed code', async () => {
    const reply = await getJson(`${node.url}/v1/rounds/%zz`);
    expect(reply).toMatchObject({ status: 400, body: { code: 'http.badRequest', kind: 'http', field: 'url' } });
  });

  it('answers features a model cannot scale with 400, not 500', async () => {
    for (const big of ['1e308', '-1e308', '1e400']) {
      const reply = await postJson(`${node.url}/v1/predict`, `{"input":{"features":[${big},0,0,0,0,0,0,0]}}`);
      expect(reply, big).toMatchObject({ status: 400, body: { code: 'predict.invalidBody', field: expect.stringMatching(/^body\.input/) } });
    }
    expect((await postJson(`${node.url}/v1/predict`, { input: { features: [1e15, 0, 0, 0, 0, 0, 0, 0] } })).status).toBe(200);
  });
});
