import { afterAll, describe, expect, it } from 'vitest';
import { HindsightError } from '../core/errors.js';
import { eventCid } from '../events/envelope.js';
import { makeTestCommunity, transfer } from '../../test/support/test-community.js';
import { verifyHere } from './intake.js';
import { VerifyPool } from './verify-pool.js';

function nest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('VerifyPool', () => {
  const pool = new VerifyPool(1);
  afterAll(() => pool.close());

  it('answers a value structured clone cannot send (too deep) as verification on this thread does, and the rest of its batch on the worker', async () => {
    const c = makeTestCommunity({ members: 2 });
    const good = transfer(c.members[0]!, c.members[1]!);
    const deep = { ...transfer(c.members[1]!, c.members[0]!), payload: { to: nest(20_000), amount: '1' } };
    // Both join one message to the worker: the deep one makes postMessage throw for the batch.
    const [a, b] = await Promise.all([pool.verify(good, {}), pool.verify(deep, {})]);
    expect(a).not.toBeInstanceOf(Error);
    expect((a as { cid: string }).cid).toBe(eventCid(good));
    const here = await verifyHere(deep, {}).catch((error: unknown) => error);
    expect(b).toBeInstanceOf(HindsightError);
    expect((b as HindsightError).code).toBe((here as HindsightError).code);
    expect(pool.healthy).toBe(true);
    const again = transfer(c.members[0]!, c.members[1]!);
    expect(((await pool.verify(again, {})) as { cid: string }).cid).toBe(eventCid(again));
  }, 20_000);
});
