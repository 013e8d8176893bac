import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { AppendFeed, type AppendedEvent } from './append-feed.js';
import { signEvent } from '../events/sign.js';
import { eventBytes, eventCid } from '../events/envelope.js';
import { openStore } from '../store/index.js';
import type { AppendResult, EventStore } from '../store/types.js';
import { testKey, units } from '../../test/support/harness.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-append-feed-');
const admin = testKey('feed-admin');
const alice = testKey('feed-alice');

const genesis = signEvent(admin, { type: 'community.create', community: 'feed', prev: null, nonce: 1, time: 1, payload: { name: 'feed', config: { admins: [admin.did], resolver: admin.did }, treasury: units(10), mint: [{ to: alice.did, amount: units(5) }] } });
const pay = (nonce: number, prev: string | null = null) => signEvent(alice, { type: 'ledger.transfer', community: 'feed', prev, nonce, time: 1 + nonce, payload: { to: admin.did, amount: '1' } });

describe('Engine.onAppended', () => {
  for (const writerThread of [false, true]) {
    it(`gives its own appends with their events and seqs once per batch, others' as the head alone (writer thread: ${writerThread})`, async () => {
      const dir = tempDir();
      const engine = await Engine.open({ dir, writerThread });
      const heard: { head: number; events: AppendedEvent[] }[] = [];
      const stop = engine.onAppended((head, events) => heard.push({ head, events: [...events] }));
      const p1 = pay(1);
      const p2 = pay(2, eventCid(p1));
      await engine.submitMany([genesis, p1, genesis, p2]);
      expect(heard).toEqual([{ head: 3, events: [{ seq: 1, event: genesis }, { seq: 2, event: p1 }, { seq: 3, event: p2 }] }]);
      // A copy and a refusal append nothing: nothing is heard.
      await engine.submit(p1);
      await expect(engine.submit(pay(3, eventCid(p1)))).rejects.toMatchObject({ code: 'event.forkedPrev' });
      expect(heard).toHaveLength(1);
      // Another store on the same file appends: only the head arrives.
      const other = await openStore({ dir });
      const p3 = pay(3, eventCid(p2));
      await other.append([{ cid: eventCid(p3), type: p3.type, author: p3.author, round: null, bytes: eventBytes(p3) }]);
      await other.close();
      await expect.poll(() => heard.length).toBe(2);
      expect(heard[1]).toEqual({ head: 4, events: [] });
      stop();
      await engine.close();
    });
  }
});

describe('AppendFeed', () => {
  it("holds the store's announcement of its own append and delivers it with the events, in seq order", async () => {
    let announce: (head: number) => void = () => {};
    const feed = new AppendFeed({ onAppend: (listener) => ((announce = listener), () => {}) } as Pick<EventStore, 'onAppend'>);
    const heard: [number, number[]][] = [];
    feed.subscribe((head, events) => heard.push([head, events.map((e) => e.seq)]));
    const [a, b, c] = [pay(1), pay(2), pay(3)];
    const results: AppendResult[] = [{ seq: 9, cid: 'x', duplicate: false }, { seq: 4, cid: 'y', duplicate: true }, { seq: 8, cid: 'z', duplicate: false }];
    await feed.append(async () => {
      announce(9); // the store announces before append returns
      return results;
    }, [a, b, c]);
    expect(heard).toEqual([[9, [8, 9]]]);
    announce(10);
    expect(heard).toEqual([[9, [8, 9]], [10, []]]);
  });
});
