import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEvent } from '../events/sign.js';
import { hex32, testKey, units } from '../../test/support/harness.js';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { EmbeddedClient } from './embedded-client.js';
import { HttpClient } from './http-client.js';
import { CommitteeMember, LogFollower, resolveDueRounds } from './member.js';

/**
 * The committee, member and submission views a member process needs, read over HTTP and in process
 * from the same node after one full round of member bots: both clients answer identically.
 */
describe('committee, member and submission views', () => {
  let node: TestNode;
  let http: HttpClient;
  let embedded: EmbeddedClient;
  const admin = testKey('admin');
  const names = ['m0', 'm1', 'm2', 'm3'];

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: false, admin: admin.did });
    http = new HttpClient(node.url);
    embedded = new EmbeddedClient(node.engine);
    let time = 1_000_000;
    const send = async (type: string, payload: Record<string, unknown>) => {
      const a = await http.author(admin.did);
      return http.submit(signEvent(admin, { type, community: 'views', payload, prev: a.head, nonce: a.nonce + 1, time }));
    };
    await http.submit(signEvent(admin, {
      type: 'community.create', community: 'views', prev: null, nonce: 1, time,
      payload: {
        name: 'views',
        config: { trading: 'sealed', admins: [admin.did], resolver: admin.did, committee: { size: 3, minBond: units(50) }, items: { bond: units(1), perMemberQuota: 1 } },
        treasury: units(100_000),
        mint: names.map((n) => ({ to: testKey(n).did, amount: units(500) })),
      },
    }));
    const follower = new LogFollower(http);
    let counter = 0;
    const random = (n: number) => createHash('sha256').update(`views-${counter++}`).digest().subarray(0, n);
    const bots = names.map((n) => new CommitteeMember({
      client: http, signer: testKey(n), follower, random,
      label: (item) => ('text' in item.input && item.input.text.includes('free') ? 1 : 0),
      items: (round) => [{ input: { text: `round ${round} from ${n}: free` }, outcomes: 2 }],
    }));
    for (const bot of bots) await bot.start(time);
    await send('round.schedule', { round: 1, subsidyPerItem: units(5), tradingDeadline: time + 1000, revealDeadline: time + 2000, seedCommitment: hex32('views-1') });
    for (const bot of bots) await bot.step(time);
    await send('round.open', { round: 1 });
    for (const bot of bots) await bot.step(time + 1);
    time += 1000;
    await send('round.close', { round: 1 });
    for (const bot of bots) await bot.step(time);
    time += 1000;
    for (const bot of bots) await bot.step(time);
    expect(await resolveDueRounds(http, admin, follower, time)).toEqual([1]);
  }, 60_000);

  afterAll(async () => {
    await http.close();
    await node.cleanup();
  });

  it('committee(round): seats drawn from bonded members, every seat committed and revealed, labels resolved', async () => {
    const c = await http.committee(1);
    expect(c).toEqual(await embedded.committee(1));
    expect(c!.members).toHaveLength(3);
    for (const did of c!.members) expect(names.map((n) => testKey(n).did)).toContain(did);
    expect(new Set(c!.committed)).toEqual(new Set(c!.members));
    expect(c!.resolved).toBe(true);
    expect(c!.labels.length).toBe(4);
    expect(c!.labels.every((l) => l.label === 1)).toBe(true);
    expect(await http.committee(2)).toBeNull();
    expect(await embedded.committee(2)).toBeNull();
  });

  it('member(did): bond as micro-unit text; an unknown DID is null on both clients', async () => {
    const did = testKey('m0').did;
    const m = await http.member(did);
    expect(m).toEqual(await embedded.member(did));
    expect(m).toMatchObject({ did, left: false, bond: units(50) });
    expect(await http.member(admin.did)).toBeNull();
    expect(await embedded.member(admin.did)).toBeNull();
  });

  it('submissions(round): one valid submission per member; [] for an unknown round', async () => {
    const subs = await http.submissions(1);
    expect(subs).toEqual(await embedded.submissions(1));
    expect(subs.map((s) => s.submitter).sort()).toEqual(names.map((n) => testKey(n).did).sort());
    expect(subs.every((s) => s.status === 'valid' && s.outcomes === 2)).toBe(true);
    expect(await http.submissions(9)).toEqual([]);
  });

  it('a malformed round is a 400, not an empty answer', async () => {
    const res = await fetch(`${node.url}/v1/rounds/zero/committee`);
    expect(res.status).toBe(400);
  });
});
