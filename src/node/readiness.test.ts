import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestNode, type TestNode } from '../../test/support/test-node.js';
import { checkReadiness, READINESS_TIMEOUT_MS } from './readiness.js';
import { StoreError } from '../core/errors.js';

describe('readiness', () => {
  it('is ready when the store answers; names the store failure or a timeout otherwise', async () => {
    expect(await checkReadiness({ head: async () => 3 })).toEqual({ ready: true });
    expect(await checkReadiness({ head: async () => { throw new StoreError('store.unavailable', 'postgres: expected a reachable server, got ECONNREFUSED'); } }))
      .toMatchObject({ ready: false, code: 'store.unavailable', reason: expect.stringContaining('ECONNREFUSED') });
    const slow = await checkReadiness({ head: () => new Promise<number>((resolve) => setTimeout(() => resolve(1), READINESS_TIMEOUT_MS + 500)) });
    expect(slow).toMatchObject({ ready: false, reason: expect.stringContaining(`within ${READINESS_TIMEOUT_MS} ms`) });
    expect(await checkReadiness({ head: async () => 3 }, 'leader history differs at seq 4')).toMatchObject({ ready: false, reason: expect.stringContaining('follower halted') });
  });
});

describe('GET /readyz against a node (SQLite)', () => {
  let node: TestNode;
  beforeAll(async () => { node = await startTestNode({ rateLimit: false }); });
  afterAll(async () => node.cleanup());

  it('answers 200 while the store works, then 503 with Retry-After once it is gone, while /healthz stays 200', async () => {
    expect(await getJson(`${node.url}/readyz`)).toMatchObject({ status: 200, body: { ready: true } });
    await node.engine.store.close();
    const down = await fetch(`${node.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await down.json()).toMatchObject({ ready: false, code: 'store.closed' });
    expect((await getJson(`${node.url}/healthz`)).status).toBe(200);
  });
});
