import { describe, expect, it } from 'vitest';
import { privateKeyToAccount } from 'viem/accounts';
import { Engine } from './engine.js';
import { replayLog } from './replay.js';
import { systemClock, type IntakeClock } from './intake.js';
import { stateHash } from '../game/canonical.js';
import { cacaoFromSiwe, delegationMessage, type Cacao } from '../events/cacao.js';
import { eventCid } from '../events/envelope.js';
import { signDelegatedEvent, signEvent } from '../events/sign.js';
import { testKey, units } from '../../test/support/harness.js';
import { CERAMIC_AUTHOR, ceramicEvent, sessionDid, siweDelegation, siweTime, withCapability } from '../../test/support/ceramic.js';
import { getJson, postJson, startTestNode } from '../../test/support/test-node.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-intake-');

const HOUR = 3_600_000;
const admin = testKey('admin');
const bob = testKey('bob');
const session = testKey('session');
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const author = `did:pkh:eip155:1:${account.address}`;

function genesis(time: number, to = author) {
  return signEvent(admin, {
    type: 'community.create',
    community: 'tc',
    prev: null,
    nonce: 1,
    time,
    payload: { name: 'tc', config: { admins: [admin.did], resolver: admin.did }, treasury: units(100), mint: [{ to, amount: units(50) }] },
  });
}

async function delegation(from: number, to: number): Promise<Cacao> {
  const message = delegationMessage({ address: account.address, chainId: 1, sessionDid: session.did, community: 'tc', issuedAt: new Date(from), expiresAt: new Date(to) });
  return cacaoFromSiwe(message, await account.signMessage({ message }));
}

const transfer = (cacao: Cacao, time: number, nonce: number, prev: string | null) =>
  signDelegatedEvent(session, author, cacao, { type: 'ledger.transfer', community: 'tc', prev, nonce, time, payload: { to: bob.did, amount: '1' } });

/** A clock the test moves by hand. */
function handClock(start: number, maxSkewMs = 5 * 60_000): IntakeClock & { t: number } {
  const clock = { t: start, maxSkewMs, now: () => clock.t };
  return clock;
}

describe('intake judges delegations by the node clock, not the author\'s', () => {
  it('refuses a back-dated event signed with an expired delegation, which an engine without a clock takes', async () => {
    const now = Date.UTC(2026, 11, 5, 12);
    const expired = await delegation(now - 30 * 24 * HOUR, now - 7 * 24 * HOUR); // ran out a week ago
    const backDated = transfer(expired, now - 8 * 24 * HOUR, 1, null); // dated inside the old window

    // An embedded engine on simulated time judges by the event's own time, and takes it.
    const simulated = await Engine.open({ dir: tempDir() });
    await simulated.submit(genesis(now - 9 * 24 * HOUR));
    await expect(simulated.submit(backDated)).resolves.toMatchObject({ duplicate: false });
    await simulated.close();

    // A node with a clock refuses it: dated a week back is outside the skew bound...
    const node = await Engine.open({ dir: tempDir(), intakeClock: handClock(now) });
    await node.submit(genesis(now));
    await expect(node.submit(backDated)).rejects.toMatchObject({ code: 'event.timeSkew', details: { field: 'time' } });
    // ...and however large the bound, the delegation has expired by the node's clock.
    const lenient = await Engine.open({ dir: tempDir(), intakeClock: handClock(now, 365 * 24 * HOUR) });
    await lenient.submit(genesis(now));
    await expect(lenient.submit(backDated)).rejects.toMatchObject({ code: 'cacao.expired' });
    expect(await lenient.store.head()).toBe(1);
    await node.close();
    await lenient.close();
  });

  it('refuses a delegation that expired a moment ago even when the event is dated just before, and events from the future', async () => {
    const exp = Date.UTC(2026, 11, 5, 12);
    const cacao = await delegation(exp - HOUR, exp);
    const clock = handClock(exp + 1000);
    const engine = await Engine.open({ dir: tempDir(), intakeClock: clock });
    await engine.submit(genesis(exp));
    const justBefore = transfer(cacao, exp - 1000, 1, null);
    await expect(engine.submit(justBefore)).rejects.toMatchObject({ code: 'cacao.expired' });
    clock.t = exp - 2000;
    await expect(engine.submit(signEvent(bob, { type: 'ledger.transfer', community: 'tc', prev: null, nonce: 1, time: clock.t + 10 * 60_000, payload: { to: admin.did, amount: '1' } }))).rejects.toMatchObject({ code: 'event.timeSkew' });
    await expect(engine.submit(justBefore)).resolves.toMatchObject({ seq: 2 });
    await engine.close();
  });

  it('replays a log a clocked node accepted long after its delegations expired', async () => {
    const start = Date.UTC(2026, 11, 5, 12);
    const clock = handClock(start);
    const dir = tempDir();
    const engine = await Engine.open({ dir, intakeClock: clock });
    await engine.submit(genesis(start));
    const cacao = await delegation(start - HOUR, start + HOUR);
    let prev: string | null = null;
    for (let i = 0; i < 4; i++) {
      clock.t = start + i * 15 * 60_000; // every 15 minutes up to 45 minutes in, before the expiry at 60
      const e = transfer(cacao, clock.t + 50_000, i + 1, prev); // dated ahead of the node, within the bound
      await engine.submit(e);
      prev = eventCid(e);
    }
    clock.t = start + 2 * HOUR;
    await expect(engine.submit(transfer(cacao, clock.t, 5, prev))).rejects.toMatchObject({ code: 'cacao.expired' });
    const live = engine.stateHash();
    await engine.close();

    // Replay re-verifies every signature and delegation, judged by each event's own time (which
    // intake kept within the bound of its clock): today's clock has nothing to say about them.
    const reopened = await Engine.open({ dir });
    const replayed = await replayLog(reopened.store, { verifySignatures: true });
    expect(replayed.events).toBe(5);
    expect(stateHash(replayed.state)).toBe(live);
    await reopened.close();
  });
});

describe('Ceramic DAG-JWS events through the engine and over HTTP', () => {
  async function ceramicSigner(now: number) {
    const did = await sessionDid('alice');
    const d = await siweDelegation({ audience: did.id, community: 'tc', issuedAt: siweTime(now - HOUR), expirationTime: siweTime(now + HOUR) });
    return withCapability(did, d.cacao);
  }

  it('Engine.submit takes them, chains them by prev, and replay re-verifies them', async () => {
    const now = Date.now();
    const signer = await ceramicSigner(now);
    const dir = tempDir();
    const engine = await Engine.open({ dir, intakeClock: systemClock() });
    await engine.submit(genesis(now, CERAMIC_AUTHOR));
    const first = await engine.submit(await ceramicEvent(signer, { type: 'ledger.transfer', community: 'tc', prev: null, nonce: 1, time: now, payload: { to: bob.did, amount: units(2) } }));
    const second = await engine.submit(await ceramicEvent(signer, { type: 'ledger.transfer', community: 'tc', prev: first.cid, nonce: 2, time: now + 1, payload: { to: bob.did, amount: units(3) } }));
    expect(second.seq).toBe(3);
    expect(engine.state.ledger.balances.get(bob.did)).toBe(5_000_000n);
    // The same event again is a duplicate; a stale prev is refused as for any event.
    await expect(engine.submit(await ceramicEvent(signer, { type: 'ledger.transfer', community: 'tc', prev: null, nonce: 3, time: now + 2, payload: { to: bob.did, amount: '1' } }))).rejects.toMatchObject({ code: 'event.forkedPrev' });
    const live = engine.stateHash();
    await engine.close();
    const reopened = await Engine.open({ dir, useSnapshot: false });
    expect(reopened.stateHash()).toBe(live);
    expect(stateHash((await replayLog(reopened.store, { verifySignatures: true })).state)).toBe(live);
    await reopened.close();
  });

  it('POST /v1/events takes them (checked on a verify worker thread) and GET /v1/events shows the signed form', async () => {
    const now = Date.now();
    const signer = await ceramicSigner(now);
    const node = await startTestNode({ admin: admin.did, verifyThreads: 1, intakeClock: systemClock() });
    try {
      expect((await postJson(`${node.url}/v1/events`, genesis(now, CERAMIC_AUTHOR))).status).toBe(202);
      const wire = await ceramicEvent(signer, { type: 'ledger.transfer', community: 'tc', prev: null, nonce: 1, time: now, payload: { to: bob.did, amount: units(2) } });
      const posted = await postJson(`${node.url}/v1/events`, wire);
      expect(posted).toMatchObject({ status: 202, body: { seq: 2, duplicate: false } });
      expect((await postJson(`${node.url}/v1/events`, wire)).body).toMatchObject({ seq: 2, duplicate: true });
      const stale = await ceramicEvent(signer, { type: 'ledger.transfer', community: 'tc', prev: null, nonce: 2, time: now - HOUR, payload: { to: bob.did, amount: '1' } });
      expect((await postJson(`${node.url}/v1/events`, stale)).body).toMatchObject({ code: 'event.timeSkew' });

      const page = await getJson(`${node.url}/v1/events?after=1`);
      const logged = (page.body.events as { cid: string; author: string; type: string; event: unknown }[])[0]!;
      expect(logged).toMatchObject({ cid: posted.body.cid, author: CERAMIC_AUTHOR, type: 'ledger.transfer' });
      expect(logged.event).toEqual({ jws: { payload: wire.jws.payload, signatures: wire.jws.signatures }, linkedBlock: wire.linkedBlock, cacaoBlock: wire.cacaoBlock });
      const author = await getJson(`${node.url}/v1/authors/${encodeURIComponent(CERAMIC_AUTHOR)}`);
      expect(author.body).toMatchObject({ head: posted.body.cid, nonce: 1 });
    } finally {
      await node.cleanup();
    }
  });
});
