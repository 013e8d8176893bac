/**
 * The behaviour every EventStore backend must have, as one parameterized vitest suite. Backend test
 * files call `describeStoreContract` with a factory for fresh, isolated logs.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HindsightError } from '../../src/core/errors.js';
import { makeTestEvent } from './test-events.js';
import type { EventStore } from '../../src/store/types.js';

/** A fresh empty log; `open` may be called several times to get independent instances on it. */
export type TestLog = { open(): Promise<EventStore>; drop(): Promise<void> };

function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, `expected rejection with ${code}`).toBeInstanceOf(HindsightError);
  expect((error as HindsightError).code).toBe(code);
}

export function describeStoreContract(name: string, newLog: () => Promise<TestLog>, options: { propertyRuns: number }): void {
  describe(`EventStore contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    async function freshLog(): Promise<TestLog> {
      const log = await newLog();
      const opened: EventStore[] = [];
      cleanups.push(async () => {
        for (const store of opened) await store.close();
        await log.drop();
      });
      return {
        open: async () => {
          const store = await log.open();
          opened.push(store);
          return store;
        },
        drop: log.drop,
      };
    }
    const freshStore = async (): Promise<EventStore> => (await freshLog()).open();

    it('starts empty', async () => {
      const store = await freshStore();
      expect(await store.head()).toBe(0);
      expect(await store.readAfter(0)).toEqual([]);
      expect(await store.get(makeTestEvent(1).cid)).toBeUndefined();
      expect(await store.latestSnapshot()).toBeUndefined();
    });

    it('assigns seq 1..n in batch order and reads back identical rows', async () => {
      const store = await freshStore();
      const events = [makeTestEvent(1, { round: 3 }), makeTestEvent(2), makeTestEvent(3, { type: 'other', author: 'did:key:z6MkB' })];
      const results = await store.append(events);
      expect(results).toEqual(events.map((e, i) => ({ seq: i + 1, cid: e.cid, duplicate: false })));
      const more = await store.append([makeTestEvent(4)]);
      expect(more[0].seq).toBe(4);
      expect(await store.head()).toBe(4);
      const read = await store.readAfter(0);
      expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(read.slice(0, 3)).toEqual(events.map((e, i) => ({ ...e, seq: i + 1 })));
      expect(await store.get(events[2].cid)).toEqual({ ...events[2], seq: 3 });
    });

    it('pages with afterSeq and limit', async () => {
      const store = await freshStore();
      await store.append(Array.from({ length: 25 }, (_, i) => makeTestEvent(i)));
      expect((await store.readAfter(10, 5)).map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
      expect((await store.readAfter(23, 100)).map((e) => e.seq)).toEqual([24, 25]);
      expect(await store.readAfter(25)).toEqual([]);
      await expectCode(store.readAfter(0, 0), 'store.invalidInput');
      await expectCode(store.readAfter(-1, 5), 'store.invalidInput');
    });

    it('treats a stored CID as idempotent, within and across batches', async () => {
      const store = await freshStore();
      const [a, b, c] = [makeTestEvent('a'), makeTestEvent('b'), makeTestEvent('c')];
      await store.append([a, b]);
      const results = await store.append([b, c, c, a]);
      expect(results).toEqual([
        { seq: 2, cid: b.cid, duplicate: true },
        { seq: 3, cid: c.cid, duplicate: false },
        { seq: 3, cid: c.cid, duplicate: true },
        { seq: 1, cid: a.cid, duplicate: true },
      ]);
      expect(await store.head()).toBe(3);
      expect((await store.append([a]))[0]).toEqual({ seq: 1, cid: a.cid, duplicate: true });
    });

    it('refuses a whole batch when one row is invalid', async () => {
      const store = await freshStore();
      await store.append([makeTestEvent(0)]);
      const good = [makeTestEvent(1), makeTestEvent(2)];
      const wrongCid = { ...makeTestEvent(3), cid: makeTestEvent(4).cid };
      await expectCode(store.append([...good, wrongCid]), 'store.cidMismatch');
      await expectCode(store.append([good[0], { ...good[1], round: -1 }]), 'store.invalidInput');
      await expectCode(store.append([good[0], { ...good[1], author: '' }]), 'store.invalidInput');
      await expectCode(store.append([good[0], { ...good[1], round: 2 ** 31 }]), 'store.invalidInput');
      await expectCode(store.append([good[0], { ...good[1], type: 'a\0b' }]), 'store.invalidInput');
      expect(await store.head()).toBe(1);
      expect(await store.get(good[0].cid)).toBeUndefined();
    });

    it('reads by author, type and round in log order', async () => {
      const store = await freshStore();
      const events = Array.from({ length: 30 }, (_, i) =>
        makeTestEvent(i, { author: `did:key:z6Mk${i % 3}`, type: i % 2 ? 'trade' : 'vote', round: i % 5 === 0 ? null : i % 4 }),
      );
      await store.append(events);
      const seqsWhere = (pred: (i: number) => boolean) => events.map((_, i) => i + 1).filter((seq) => pred(seq - 1));
      expect((await store.readByAuthor('did:key:z6Mk1')).map((e) => e.seq)).toEqual(seqsWhere((i) => i % 3 === 1));
      expect((await store.readByType('trade', 10)).map((e) => e.seq)).toEqual(seqsWhere((i) => i % 2 === 1 && i + 1 > 10));
      expect((await store.readByRound(2, 0, 3)).map((e) => e.seq)).toEqual(seqsWhere((i) => i % 5 !== 0 && i % 4 === 2).slice(0, 3));
      expect((await store.readByRound(0)).every((e) => e.round === 0)).toBe(true);
      expect(await store.readByAuthor('did:key:nobody')).toEqual([]);
      expect(await store.readByRound(2 ** 31 - 1)).toEqual([]);
      await expectCode(store.readByRound(2 ** 31), 'store.invalidInput');
    });

    it('keeps the latest snapshot and refuses one beyond the head', async () => {
      const store = await freshStore();
      await store.append(Array.from({ length: 10 }, (_, i) => makeTestEvent(i)));
      await store.saveSnapshot(4, new Uint8Array([4]));
      await store.saveSnapshot(8, new Uint8Array([8, 8]));
      await store.saveSnapshot(6, new Uint8Array([6]));
      expect(await store.latestSnapshot()).toEqual({ seq: 8, bytes: new Uint8Array([8, 8]) });
      await store.saveSnapshot(8, new Uint8Array([9]));
      expect(await store.latestSnapshot()).toEqual({ seq: 8, bytes: new Uint8Array([9]) });
      await expectCode(store.saveSnapshot(11, new Uint8Array([1])), 'store.invalidInput');
    });

    it('stores and overwrites meta blobs', async () => {
      const store = await freshStore();
      expect(await store.getMeta('genesis')).toBeUndefined();
      await store.putMeta('genesis', new Uint8Array([1, 2, 3]));
      await store.putMeta('other', new Uint8Array([]));
      await store.putMeta('genesis', new Uint8Array([4]));
      expect(await store.getMeta('genesis')).toEqual(new Uint8Array([4]));
      expect(await store.getMeta('other')).toEqual(new Uint8Array([]));
    });

    it('persists across reopen and rejects calls after close', async () => {
      const log = await freshLog();
      const first = await log.open();
      await first.append([makeTestEvent(1), makeTestEvent(2)]);
      await first.putMeta('k', new Uint8Array([7]));
      await first.close();
      await expectCode(first.head(), 'store.closed');
      const second = await log.open();
      expect(await second.head()).toBe(2);
      expect(await second.getMeta('k')).toEqual(new Uint8Array([7]));
      expect((await second.append([makeTestEvent(3)]))[0].seq).toBe(3);
    });

    it('finishes an in-flight append when closed, then refuses new ones', async () => {
      const log = await freshLog();
      const store = await log.open();
      const pending = store.append([makeTestEvent(1), makeTestEvent(2)]);
      await store.close();
      expect((await pending).map((r) => r.seq)).toEqual([1, 2]);
      await expectCode(store.append([makeTestEvent(3)]), 'store.closed');
      const reopened = await log.open();
      expect(await reopened.head()).toBe(2);
    });

    it('notifies onAppend listeners of another instance on the same log', async () => {
      const log = await freshLog();
      const writer = await log.open();
      const reader = await log.open();
      const heads: number[] = [];
      let wake: (head: number) => void = () => {};
      const stop = reader.onAppend((head) => {
        heads.push(head);
        wake(head);
      });
      const seen = (target: number) => new Promise<number>((resolve) => {
        if (heads.includes(target)) resolve(target);
        wake = (head) => head >= target && resolve(head);
      });
      // No pause here on purpose: an append right after subscribing must still be reported (the
      // PostgreSQL LISTEN connection comes up asynchronously and then reports the head it missed).
      await writer.append([makeTestEvent(1), makeTestEvent(2)]);
      expect(await waitFor(seen(2), 5000, 'first notification')).toBe(2);
      await writer.append([makeTestEvent(3)]);
      expect(await waitFor(seen(3), 5000, 'second notification')).toBe(3);
      stop();
      await writer.append([makeTestEvent(4)]);
      await new Promise((r) => setTimeout(r, 300));
      expect(heads.at(-1)).toBe(3);
      expect(heads).toEqual([...heads].sort((x, y) => x - y));
    });

    it('gives concurrent appenders distinct, gapless seqs', async () => {
      const log = await freshLog();
      const stores = [await log.open(), await log.open()];
      const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 1 + (b % 4) }, (_, i) => makeTestEvent(`${b}-${i}`)));
      const results = await Promise.all(batches.map((batch, b) => stores[b % 2].append(batch)));
      const seqs = results.flat().map((r) => r.seq).sort((x, y) => x - y);
      const total = batches.flat().length;
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      for (const batchResults of results) {
        // A batch occupies consecutive seqs: nothing interleaves with it.
        batchResults.forEach((r, i) => expect(r.seq).toBe(batchResults[0].seq + i));
      }
      expect((await stores[1].readAfter(0, 1000)).map((e) => e.seq)).toEqual(seqs);
    });

    it('never shows a reader seq N+1 before N while two writers append', async () => {
      const log = await freshLog();
      const [writerA, writerB, reader] = [await log.open(), await log.open(), await log.open()];
      let writing = true;
      const write = async (store: EventStore, tag: string) => {
        for (let b = 0; b < 25; b++) await store.append(Array.from({ length: 1 + (b % 5) }, (_, i) => makeTestEvent(`${tag}-${b}-${i}`)));
      };
      const writers = Promise.all([write(writerA, 'a'), write(writerB, 'b')]).finally(() => (writing = false));
      let last = 0;
      let reads = 0;
      while (writing || last < (await reader.head())) {
        const page = await reader.readAfter(last, 7);
        reads += 1;
        page.forEach((event, i) => expect(event.seq, `read after ${last}`).toBe(last + 1 + i));
        if (page.length > 0) last = page[page.length - 1].seq;
        else await new Promise((r) => setImmediate(r));
      }
      await writers;
      expect(last).toBe(2 * (5 * 15)); // 25 batches of sizes 1..5 cycling, per writer
      expect(reads).toBeGreaterThan(1);
    });

    it('matches a model log under random batches with duplicates (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 6 }), { maxLength: 6 }), async (batches) => {
          const store = await freshStore();
          const model: string[] = [];
          for (const batch of batches) {
            const events = batch.map((id) => makeTestEvent(id));
            const results = await store.append(events);
            events.forEach((event, i) => {
              const known = model.indexOf(event.cid);
              if (known < 0) model.push(event.cid);
              expect(results[i]).toEqual({ seq: (known < 0 ? model.length : known + 1), cid: event.cid, duplicate: known >= 0 });
            });
          }
          expect((await store.readAfter(0)).map((e) => e.cid)).toEqual(model);
        }),
        { numRuns: options.propertyRuns, seed: 42 },
      );
    });
  });
}
