import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BackgroundLane } from './background-lane.js';

/** Counts turns of the event loop (one setImmediate each) until `stop` is called. */
function turnCounter(keepGoing: () => boolean = () => true) {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    turns += 1;
    if (!stopped && keepGoing()) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turns, stop: () => (stopped = true) };
}

describe('BackgroundLane', () => {
  it('runs pieces in order and resolves each with its own result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 40 }), async (values) => {
        const lane = new BackgroundLane();
        const order: number[] = [];
        const results = await Promise.all(values.map((v, i) => lane.run(() => (order.push(i), v * 2))));
        expect(results).toEqual(values.map((v) => v * 2));
        expect(order).toEqual(values.map((_, i) => i));
        expect(lane.ran).toBe(values.length);
        expect(lane.waiting).toBe(0);
      }),
    );
  });

  it('lets work that arrives between two slices run before the next slice', async () => {
    const lane = new BackgroundLane(0);
    const seen: string[] = [];
    const pieces = Array.from({ length: 5 }, (_, i) =>
      lane.run(() => {
        seen.push(`piece ${i}`);
        // Something the loop receives while the lane is busy, as a trade's request would be.
        if (i === 0) setImmediate(() => seen.push('other'));
      }),
    );
    await Promise.all(pieces);
    expect(seen.indexOf('other')).toBeGreaterThan(seen.indexOf('piece 0'));
    expect(seen.indexOf('other')).toBeLessThan(seen.indexOf('piece 2'));
  });

  it('with a zero slice, takes one piece per turn of the event loop', async () => {
    const lane = new BackgroundLane(0);
    const turns = turnCounter(() => lane.waiting > 0 || turns.now() < 3);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => lane.run(() => at.push(turns.now()))));
    // Each piece sees a later turn than the one before it.
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThan(at[i - 1]!);
  });

  it('runs pieces of a slice in one turn, and ends the slice when its time is up', async () => {
    // A clock that each piece moves on by its length, so the slices do not depend on the machine's speed.
    let clock = 0;
    const busy = (ms: number) => (clock += ms);
    const run = async (lane: BackgroundLane, pieceMs: number) => {
      const turns = turnCounter();
      const at: number[] = [];
      await Promise.all(Array.from({ length: 6 }, () => lane.run(() => (busy(pieceMs), at.push(turns.now())))));
      turns.stop();
      return new Set(at).size;
    };
    // Quick pieces share a turn; 3 ms pieces in a 5 ms slice go two to a turn.
    expect(await run(new BackgroundLane(1000, () => clock), 0)).toBe(1);
    expect(await run(new BackgroundLane(5, () => clock), 3)).toBe(3);
    expect(await run(new BackgroundLane(5, () => clock), 6)).toBe(6);
  });

  it('counts what a piece\'s caller does with its result towards the slice', async () => {
    // The piece itself is instant; its caller then spends 3 ms (a reply serialized, say).
    let clock = 0;
    const turns = turnCounter();
    const lane = new BackgroundLane(5, () => clock);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => lane.run(() => at.push(turns.now())).then(async () => {
      await Promise.resolve();
      clock += 3;
    })));
    turns.stop();
    expect(new Set(at).size).toBe(3);
  });

  it('passes a piece\'s failure to its caller and goes on with the next', async () => {
    const lane = new BackgroundLane();
    const failing = lane.run(() => {
      throw new Error('expected a valid piece, got a broken one');
    });
    const rejected = lane.run(async () => Promise.reject(new Error('async failure')));
    const fine = lane.run(() => 'ok');
    await expect(failing).rejects.toThrow('expected a valid piece, got a broken one');
    await expect(rejected).rejects.toThrow('async failure');
    await expect(fine).resolves.toBe('ok');
  });

  it('after foreground traffic, starts each slice only after a timer, and goes back to immediates once it is quiet', async () => {
    let clock = 0;
    const lane = new BackgroundLane(1, () => clock);
    /** Whether a piece ran before an immediate queued just after it (the same check phase). */
    const pieceFirst = async () => {
      const seen: string[] = [];
      const piece = lane.run(() => seen.push('piece'));
      setImmediate(() => seen.push('immediate'));
      await piece;
      await new Promise((resolve) => setImmediate(resolve));
      return seen[0] === 'piece';
    };
    expect(await pieceFirst()).toBe(true);
    // Foreground traffic just arrived: the slice waits for a timer, so the loop polls first.
    lane.foreground();
    expect(await pieceFirst()).toBe(false);
    clock += 50;
    expect(await pieceFirst()).toBe(false);
    // Long after it, the lane is back to immediates.
    clock += 10_000;
    expect(await pieceFirst()).toBe(true);
  });
});
