import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommitAppender } from './group-commit.js';
import { openStore } from './open-store.js';
import { makeTestEvent } from '../../test/support/test-events.js';
import type { EventStore } from './types.js';

describe('GroupCommitAppender', () => {
  const dirs: string[] = [];
  const stores: EventStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  async function freshStore(): Promise<EventStore> {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-group-'));
    dirs.push(dir);
    const store = await openStore({ dir });
    stores.push(store);
    return store;
  }

  it('turns concurrent single appends into few batches, in call order', async () => {
    const store = await freshStore();
    const appender = new GroupCommitAppender(store, { maxBatch: 64 });
    const events = Array.from({ length: 300 }, (_, i) => makeTestEvent(i));
    const results = await Promise.all(events.map((event) => appender.append(event)));
    expect(results.map((r) => r.seq)).toEqual(events.map((_, i) => i + 1));
    expect(results.every((r, i) => r.cid === events[i].cid && !r.duplicate)).toBe(true);
    expect(appender.batchesWritten).toBeLessThanOrEqual(Math.ceil(300 / 64) + 1);
    expect((await store.readAfter(0)).map((e) => e.cid)).toEqual(events.map((e) => e.cid));
  });

  it('refuses a malformed event to its caller only', async () => {
    const store = await freshStore();
    const appender = new GroupCommitAppender(store);
    const bad = { ...makeTestEvent('bad'), cid: makeTestEvent('other').cid };
    const outcomes = await Promise.allSettled([appender.append(makeTestEvent(1)), appender.append(bad), appender.append(makeTestEvent(2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'store.cidMismatch' } });
    expect(await store.head()).toBe(2);
  });

  it('reports duplicates, including one queued twice', async () => {
    const store = await freshStore();
    const appender = new GroupCommitAppender(store);
    const event = makeTestEvent('same');
    const [first, second] = await Promise.all([appender.append(event), appender.append(event)]);
    expect(first).toEqual({ seq: 1, cid: event.cid, duplicate: false });
    expect(second).toEqual({ seq: 1, cid: event.cid, duplicate: true });
  });

  it('rejects every caller of a batch the store refuses, and keeps working', async () => {
    const store = await freshStore();
    const appender = new GroupCommitAppender(store);
    await appender.append(makeTestEvent(0));
    await store.close();
    const outcomes = await Promise.allSettled([appender.append(makeTestEvent(1)), appender.append(makeTestEvent(2))]);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as { code: string }).code === 'store.closed')).toBe(true);
    await appender.flush();
  });
});
