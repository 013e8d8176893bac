/**
 * The HindsightClient contract, run against both implementations: the same signed events go to an
 * embedded engine and to an HTTP node, and every read and every refusal must come back identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, GameRejection, HindsightError, ValidationError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import { Engine } from '../engine/engine.js';
import { makeTestCommunity, transfer, type TestCommunity } from '../../test/support/test-community.js';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import type { HindsightClient } from './client.js';
import { EmbeddedClient } from './embedded-client.js';
import { HttpClient, NodeHttpError } from './http-client.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const T0 = 1_700_000_000_000;

describe('HindsightClient contract: EmbeddedClient and HttpClient answer the same', () => {
  let node: TestNode;
  let dir: string;
  let clients: [string, HindsightClient][];
  let c: TestCommunity;

  async function both<T>(call: (client: HindsightClient) => Promise<T>): Promise<T> {
    const [embedded, http] = await Promise.all(clients.map(([, client]) => call(client)));
    expect(http).toEqual(embedded);
    return embedded as T;
  }

  async function refusedByBoth(event: unknown): Promise<HindsightError> {
    const errors = await Promise.all(clients.map(([, client]) => client.submit(event as SignedEvent).then(() => undefined, (e: unknown) => e)));
    const [embedded, http] = errors as HindsightError[];
    expect(embedded).toBeInstanceOf(HindsightError);
    expect(http).toBeInstanceOf(embedded!.constructor);
    expect({ code: http!.code, message: http!.message, field: http!.details.field }).toEqual({ code: embedded!.code, message: embedded!.message, field: embedded!.details.field });
    return http!;
  }

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: false });
    dir = mkdtempSync(join(tmpdir(), 'hindsight-embedded-'));
    clients = [
      ['embedded', new EmbeddedClient(await Engine.open({ dir }), true)],
      ['http', new HttpClient(node.url)],
    ];
    c = makeTestCommunity({ members: 2, id: 'contract-test' });
  });
  afterAll(async () => {
    for (const [, client] of clients) await client.close();
    await node.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('before genesis: no community, empty state', async () => {
    expect(await both((cl) => cl.community())).toBeNull();
    expect((await both((cl) => cl.state())).seq).toBe(0);
  });

  it('submits the same events with the same replies and reads the same state', async () => {
    const admin = c.admin;
    const [alice, bob] = c.members as [typeof admin, typeof admin];
    const events: SignedEvent[] = [
      c.genesis,
      transfer(alice, bob, 7n),
      alice.next('treasury.fund', { amount: '50000000' }),
      bob.next('model.commit', { modelHash: pseudoModelHash('model-contract-1'), architecture: 'logreg', name: 'bob-1' }),
      admin.next('round.schedule', { round: 1, subsidyPerItem: '1000000', tradingDeadline: T0 + 1000, revealDeadline: T0 + 2000, seedCommitment: 'ab'.repeat(32) }),
      admin.next('round.items', { round: 1, items: [{ id: 'i1', outcomes: 2, input: { text: 'is this spam?' } }] }),
      admin.next('round.open', { round: 1 }),
    ];
    for (const [i, event] of events.entries()) expect(await both((cl) => cl.submit(event))).toEqual({ cid: expect.any(String), seq: i + 1, duplicate: false });
    expect(await both((cl) => cl.submit(events[1]!))).toMatchObject({ seq: 2, duplicate: true });

    expect(await both((cl) => cl.community())).toMatchObject({ id: 'contract-test', name: 'contract-test' });
    const state = await both((cl) => cl.state());
    expect(state).toMatchObject({ community: 'contract-test', seq: 7, accepted: 7, rejected: 0, stateHash: expect.stringMatching(/^b[a-z2-7]{20,}$/) });
    expect(await both((cl) => cl.author(alice.did))).toMatchObject({ nonce: 2, head: alice.head, balance: (1_000_000_000n - 7n - 50_000_000n).toString() });
    expect(await both((cl) => cl.model(pseudoModelHash('model-contract-1')))).toMatchObject({ owner: bob.did, name: 'bob-1' });
    expect(await both((cl) => cl.model(pseudoModelHash('model-unknown-1')))).toBeNull();
    expect(await both((cl) => cl.round(1))).toMatchObject({ round: 1, phase: 'trading', items: [{ id: 'i1', outcomes: 2 }] });
    expect(await both((cl) => cl.round(2))).toBeNull();
    expect(await both((cl) => cl.market(1, 'i1'))).toMatchObject({ round: 1, item: 'i1', outcomes: 2, trades: 0 });
    expect(await both((cl) => cl.market(1, 'nope'))).toBeNull();
    await both((cl) => cl.leaderboard());
    const log = await both((cl) => cl.events(0));
    expect(log.map((e) => e.event)).toEqual(events);
    expect((await both((cl) => cl.events(3, 2))).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('refuses the same way: schema, signature, game rule', async () => {
    const [alice, bob] = c.members as [TestCommunity['admin'], TestCommunity['admin']];
    const good = transfer(alice, bob, 1n);
    alice.nonce -= 1;
    alice.head = good.prev;
    expect(await refusedByBoth({ ...good, nonce: 'x' })).toBeInstanceOf(ValidationError);
    expect(await refusedByBoth({ ...good, sig: good.sig.replace(/^./, good.sig[0] === 'A' ? 'B' : 'A') })).toBeInstanceOf(AuthError);
    const broke = transfer(alice, bob, 10n ** 15n);
    expect(await refusedByBoth(broke)).toBeInstanceOf(GameRejection);
    expect((await both((cl) => cl.state())).seq).toBe(7);
  });

  it('HTTP-only failures are NodeHttpError / NodeUnavailableError with stable codes', async () => {
    const down = new HttpClient('http://127.0.0.1:1');
    await expect(down.state()).rejects.toMatchObject({ code: 'node.unreachable' });
    const limited = await startTestNode({ bodyLimit: 1024 });
    try {
      const error = await new HttpClient(limited.url).submit({ ...c.genesis, payload: { big: 'x'.repeat(4096) } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeHttpError);
      expect(error).toMatchObject({ code: 'http.bodyTooLarge', details: { status: 413 } });
    } finally {
      await limited.cleanup();
    }
  });
});
