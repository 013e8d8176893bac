/**
 * The streams plan and its parts: log buckets, LRB-style features that see only the past, the
 * per-window cache, and baselines scored over a later period.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketValue, expectedReads, logBoundaries, readsBucket } from './buckets.js';
import { simulate, windowCache } from './caches.js';
import { FEATURE_NAMES, StreamFeatures } from './features.js';
import { planStreams } from './plan.js';
import { generateWorkload, type Request } from './workload.js';

describe('streams: buckets, features, plan and caches', () => {
  it('buckets reads on a log scale and a bucket’s value lies in the bucket', () => {
    const B = logBoundaries(12);
    expect(B).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    expect(() => logBoundaries(1)).toThrow(/buckets: expected an integer in 2\.\.41, got 1/);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (reads) => {
        const k = readsBucket(reads, B);
        expect(k === 0 ? reads === 0 : B[k - 1]! <= reads && (k === B.length || reads < B[k]!)).toBe(true);
        expect(readsBucket(Math.floor(bucketValue(k, B)), B)).toBe(k);
        const oneHot = B.map(() => 0).concat(0);
        oneHot[k] = 1;
        expect(expectedReads(oneHot, B)).toBe(bucketValue(k, B));
      }),
    );
  });

  it('features and candidates of a window depend only on the requests before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 3, max: 5 }), (seed, cut) => {
        const w = generateWorkload({ seed, streams: 60, requests: 1_500, duration: 86_400 });
        const window = 3 * 3_600;
        const full = planStreams(w.requests, { window, warmup: 2, candidates: 20 });
        // The same trace cut at the end of window `cut`: later requests are not there at all.
        const prefix = planStreams(w.requests.filter((r) => r.time < cut * window), { window, warmup: 2, candidates: 20 });
        const strip = (p: typeof full) => p.rounds.slice(0, cut - 2).map((r) => r.items.map((i) => [i.stream, i.features, i.reads]));
        expect(prefix.rounds).toHaveLength(cut - 2);
        expect(strip(prefix)).toEqual(strip(full));
        for (const r of full.rounds) for (const i of r.items) expect(i.features).toHaveLength(FEATURE_NAMES.length);
      }),
      { numRuns: 8 },
    );
  });

  it('the decayed counters halve over their half-life and the latest gap grows with time', () => {
    const f = new StreamFeatures();
    const r = (time: number): Request => ({ time, id: 7, size: 1000, extra: 1 });
    for (const t of [0, 100, 200]) f.observe(r(t));
    const now = 1 + 2 ** (-100 / 3_600) + 2 ** (-200 / 3_600); // each request decayed by its age, 1-hour half-life
    expect(f.decayed(7, 200, 0)).toBeCloseTo(now, 9);
    expect(f.decayed(7, 200 + 3_600, 0)).toBeCloseTo(now / 2, 9);
    expect(f.vector(7, 10_000)[0]!).toBeGreaterThan(f.vector(7, 300)[0]!);
    expect(() => f.vector(8, 0)).toThrow(/stream: expected a stream with an observed request, got 8/);
  });

  it('a window cache holding every stream hits everything; baselines score only the period asked', () => {
    const w = generateWorkload({ seed: 2, streams: 80, requests: 2_000, duration: 86_400 });
    const sizes = new Map(w.requests.map((q) => [q.id, q.size]));
    const all = [...sizes.keys()];
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    const windows = [0, 1, 2, 3].map((k) => ({ start: k * 21_600, end: (k + 1) * 21_600, ranked: all }));
    expect(windowCache(w.requests, windows, total, (id) => sizes.get(id)!)).toEqual({ object: 1, byte: 1 });
    expect(windowCache(w.requests, windows, 0, (id) => sizes.get(id)!)).toEqual({ object: 0, byte: 0 });
    const everything = simulate(w.requests, total / 10, 'lru');
    expect(simulate(w.requests, total / 10, 'lru', { from: 0, until: Infinity })).toEqual(everything);
    // Scoring the second half only: the first half warms the cache, so it hits at least as often as a cold start there.
    const later = w.requests.filter((q) => q.time >= 43_200);
    expect(simulate(w.requests, total / 10, 'lru', { from: 43_200, until: Infinity }).object).toBeGreaterThanOrEqual(simulate(later, total / 10, 'lru').object);
  });
});
