import { afterAll, describe, expect, it } from 'vitest';
import { privateKeyToAccount } from 'viem/accounts';
import { HindsightError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import { cacaoFromSiwe, delegationMessage } from '../events/cacao.js';
import { signDelegatedEvent } from '../events/sign.js';
import { makeTestCommunity, transfer } from '../../test/support/test-community.js';
import { testKey } from '../../test/support/harness.js';
import { verifyHere } from './intake.js';
import { VerifyPool } from './verify-pool.js';

function nest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** What a verification gave, in a form two runs can be compared by: the event's id and payload, or the error's class and code. */
const verdict = (v: unknown) => (v instanceof HindsightError ? { error: v.name, code: v.code } : { cid: (v as { cid: string }).cid, payload: (v as { payload: unknown }).payload });

async function delegatedEvent(): Promise<SignedEvent> {
  const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
  const session = testKey('pool-session');
  const message = delegationMessage({ address: account.address, chainId: 1, sessionDid: session.did, community: 'c1', issuedAt: new Date(Date.UTC(2026, 10, 24)), expiresAt: new Date(Date.UTC(2026, 10, 26)) });
  const cacao = cacaoFromSiwe(message, await account.signMessage({ message }));
  return signDelegatedEvent(session, `did:pkh:eip155:1:${account.address}`, cacao, { type: 'ledger.transfer', community: 'c1', prev: null, nonce: 1, time: Date.UTC(2026, 10, 25), payload: { to: testKey('pool-to').did, amount: '5' } });
}

describe('VerifyPool', () => {
  const pool = new VerifyPool(2);
  afterAll(() => pool.close());

  it('gives the verdict verification on this thread gives, for a batch of good, forged, malformed and delegated events', async () => {
    const c = makeTestCommunity({ members: 3 });
    const good = Array.from({ length: 12 }, (_, i) => transfer(c.members[i % 3]!, c.members[(i + 1) % 3]!));
    const forged = { ...good[0]!, payload: { ...good[0]!.payload, amount: '999' } };
    const wrongKey = { ...good[1]!, author: c.members[2]!.signer.did };
    const shortSig = { ...good[2]!, sig: good[2]!.sig.slice(0, 40) };
    const deep = { ...good[3]!, payload: { to: nest(20_000), amount: '1' } };
    const delegated = await delegatedEvent();
    const forgedDelegated = { ...delegated, payload: { ...delegated.payload, amount: '6' } };
    const all: unknown[] = [...good, forged, wrongKey, shortSig, deep, delegated, forgedDelegated];
    // Asked for together: their checks travel to the workers in one turn.
    const pooled = await Promise.all(all.map((raw) => pool.verify(raw, {})));
    const here = await Promise.all(all.map((raw) => verifyHere(raw, {})));
    expect(pooled.map(verdict)).toEqual(here.map(verdict));
    expect(pooled.slice(0, 12).every((v) => !(v instanceof HindsightError))).toBe(true);
    expect(pooled.slice(12).map((v) => (v as HindsightError).code)).toEqual(['sig.invalid', 'sig.invalid', 'sig.malformed', 'event.tooDeep', undefined, 'sig.invalid']);
    expect(pool.healthy).toBe(true);
  }, 20_000);

  it('lets a foreground check pass a backlog of background ones: at most 32 of them are at the worker ahead of it', async () => {
    const one = new VerifyPool(1);
    const c = makeTestCommunity({ members: 2 });
    const order: string[] = [];
    const background = Array.from({ length: 300 }, () => transfer(c.members[0]!, c.members[1]!)).map((e, i) => one.verify(e, {}, 'background').then(() => order.push(`b${i}`)));
    // Once the worker answers the first background checks, the rest of the backlog is queued here, not there.
    await expect.poll(() => order.length, { timeout: 10_000, interval: 1 }).toBeGreaterThan(0);
    const queuedAhead = order.length;
    await one.verify(transfer(c.members[1]!, c.members[0]!), {}, 'foreground').then(() => order.push('market'));
    await Promise.all(background);
    await one.close();
    expect(order).toHaveLength(301);
    expect(order.indexOf('market') - queuedAhead).toBeLessThanOrEqual(32 + 8);
  }, 20_000);

  it('checks on this thread, with the same verdicts, once its workers are gone', async () => {
    const alone = new VerifyPool(1);
    const c = makeTestCommunity({ members: 2 });
    const good = transfer(c.members[0]!, c.members[1]!);
    const forged = { ...good, payload: { ...good.payload, amount: '7' } };
    const inFlight = [alone.verify(good, {}), alone.verify(forged, {})];
    await alone.close();
    expect(alone.healthy).toBe(false);
    const after = [await alone.verify(good, {}), await alone.verify(forged, {})];
    for (const results of [await Promise.all(inFlight), after]) {
      expect(results.map(verdict)).toEqual((await Promise.all([verifyHere(good, {}), verifyHere(forged, {})])).map(verdict));
    }
  }, 20_000);
});
