import { describe, expect, it } from 'vitest';
import { simulate } from './caches.js';
import { formatTrace, generateWorkload, parseTrace } from './workload.js';

describe('stream workload and cache baselines', () => {
  const w = generateWorkload({ seed: 3, streams: 400, requests: 8_000, duration: 2 * 86_400 });

  it('is seeded, skewed, and round-trips through the trace format', () => {
    expect(generateWorkload({ seed: 3, streams: 400, requests: 8_000, duration: 2 * 86_400 }).requests).toEqual(w.requests);
    const counts = new Map<number, number>();
    for (const r of w.requests) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, v) => a + v, 0);
    expect(top / w.requests.length).toBeGreaterThan(0.4); // Zipf-like: the top tenth takes a large share
    const parsed = parseTrace(formatTrace(w.requests)); // ids renumbered by first appearance
    expect(parsed.map((r) => `${r.time} ${r.size} ${r.extra}`)).toEqual(w.requests.map((r) => `${r.time} ${r.size} ${r.extra}`));
    expect(new Set(parsed.map((r) => r.id)).size).toBe(new Set(w.requests.map((r) => r.id)).size);
    expect(() => parseTrace('1 a 10\n2 b x\n')).toThrow(/trace line 2: expected "time id size \[extra\]"/);
  });

  it('Belady beats LRU, LFU and GDSF on object hits, and a bigger cache never hurts LRU', () => {
    const total = w.streams.reduce((a, s) => a + s.size, 0);
    for (const fraction of [0.02, 0.1]) {
      const cap = total * fraction;
      const belady = simulate(w.requests, cap, 'belady').object;
      for (const p of ['lru', 'lfu', 'gdsf'] as const) expect(belady).toBeGreaterThanOrEqual(simulate(w.requests, cap, p).object);
    }
    expect(simulate(w.requests, total * 0.1, 'lru').object).toBeGreaterThanOrEqual(simulate(w.requests, total * 0.02, 'lru').object);
  });
});
