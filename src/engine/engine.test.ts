import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { replayLog } from './replay.js';
import { signEvent } from '../events/sign.js';
import { testKey, units } from '../../test/support/harness.js';
import { stateHash } from '../game/canonical.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-engine-');

const admin = testKey('admin');
const alice = testKey('alice');
const bob = testKey('bob');

function genesis(snapshotEvery = 10_000) {
  return signEvent(admin, {
    type: 'community.create',
    community: 'eng',
    prev: null,
    nonce: 1,
    time: 1,
    payload: { name: 'eng', config: { admins: [admin.did], resolver: admin.did, snapshotEvery }, treasury: units(100), mint: [{ to: alice.did, amount: units(50) }] },
  });
}

function transfers(n: number, from = alice, startNonce = 1, prev: string | null = null) {
  const events = [];
  for (let i = 0; i < n; i++) {
    const e = signEvent(from, { type: 'ledger.transfer', community: 'eng', prev, nonce: startNonce + i, time: 2 + i, payload: { to: bob.did, amount: '1' } });
    events.push(e);
    prev = null;
  }
  return events;
}

describe('Engine on the embedded store', () => {
  it('appends accepted events, stores no rejected event, and treats a duplicate CID as idempotent', async () => {
    const dir = tempDir();
    const engine = await Engine.open({ dir });
    const g = genesis();
    const first = await engine.submit(g);
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(await engine.submit(g)).toMatchObject({ seq: 1, duplicate: true });
    const overdraft = signEvent(bob, { type: 'ledger.transfer', community: 'eng', prev: null, nonce: 1, time: 3, payload: { to: alice.did, amount: '1' } });
    await expect(engine.submit(overdraft)).rejects.toMatchObject({ code: 'ledger.insufficientFunds' });
    expect(await engine.store.head()).toBe(1);
    const forged = { ...signEvent(alice, { type: 'ledger.transfer', community: 'eng', prev: null, nonce: 1, time: 3, payload: { to: bob.did, amount: '1' } }), author: bob.did };
    await expect(engine.submit(forged)).rejects.toMatchObject({ code: 'sig.invalid' });
    expect(await engine.store.head()).toBe(1);
    await engine.close();
  });

  it('answers a copy sent in the same batch, or after, with the seq of the stored event', async () => {
    const engine = await Engine.open({ dir: tempDir(), writerThread: true });
    const g = genesis();
    const [pay] = transfers(1);
    const outcomes = await engine.submitMany([g, pay, g, pay]);
    expect(outcomes.map((o) => (o.ok ? [o.result.seq, o.result.duplicate] : o.error.code))).toEqual([[1, false], [2, false], [1, true], [2, true]]);
    expect(await engine.submit(pay!)).toMatchObject({ seq: 2, duplicate: true });
    expect(await engine.store.head()).toBe(2);
    await engine.close();
  });

  it('restarts from a snapshot to the same stateHash as a full replay', async () => {
    const dir = tempDir();
    const engine = await Engine.open({ dir });
    await engine.submit(genesis(100));
    let prev: string | null = null;
    for (let i = 0; i < 250; i++) {
      const e = signEvent(alice, { type: 'ledger.transfer', community: 'eng', prev, nonce: i + 1, time: 10 + i, payload: { to: bob.did, amount: '1' } });
      prev = (await engine.submit(e)).cid;
    }
    const hash = engine.stateHash();
    await engine.close();
    const reopened = await Engine.open({ dir });
    expect((await reopened.store.latestSnapshot())!.seq).toBeGreaterThanOrEqual(200);
    expect(reopened.stateHash()).toBe(hash);
    const { state, events } = await replayLog(reopened.store, { verifySignatures: true });
    expect(events).toBe(251);
    expect(stateHash(state)).toBe(hash);
    await reopened.close();
  });

  it('submitMany applies a batch in order and reports each outcome', async () => {
    const engine = await Engine.open({ dir: tempDir() });
    await engine.submit(genesis());
    const [a] = transfers(1);
    const second = signEvent(alice, { type: 'ledger.transfer', community: 'eng', prev: null, nonce: 2, time: 5, payload: { to: bob.did, amount: '1' } });
    const outcomes = await engine.submitMany([a, second, { nonsense: true }]);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'event.forkedPrev' } });
    expect(outcomes[2]).toMatchObject({ ok: false, error: { code: 'event.schema' } });
    expect(await engine.store.head()).toBe(2);
    await engine.close();
  });
});
