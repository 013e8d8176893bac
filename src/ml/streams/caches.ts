/**
 * Cache baselines over a request trace, for the streams use case: LRU, LFU (in-cache counts),
 * GDSF (Greedy-Dual-Size-Frequency) and Belady's offline rule (evict the object whose next request
 * is farthest; with unequal sizes this is the usual heuristic bound, as webcachesim reports it).
 * Capacity in bytes; an object larger than the cache is never stored. Returns object and byte hit ratios.
 */
import type { Request } from './workload.js';

export type HitRatios = { object: number; byte: number };
export type Policy = 'lru' | 'lfu' | 'gdsf' | 'belady';

/** A min-priority structure good enough for simulation: a Map of priorities and a lazy sorted scan. */
class PriorityCache {
  readonly pri = new Map<number, number>();
  readonly sizes = new Map<number, number>();
  used = 0;
  constructor(readonly capacity: number) {}
  has(id: number): boolean {
    return this.pri.has(id);
  }
  evictUntil(need: number): number {
    let clock = 0;
    while (this.used + need > this.capacity && this.pri.size > 0) {
      let victim = -1;
      let low = Infinity;
      for (const [id, p] of this.pri) if (p < low) [low, victim] = [p, id];
      clock = low;
      this.used -= this.sizes.get(victim)!;
      this.pri.delete(victim);
      this.sizes.delete(victim);
    }
    return clock;
  }
  set(id: number, size: number, p: number): void {
    if (!this.sizes.has(id)) {
      this.sizes.set(id, size);
      this.used += size;
    }
    this.pri.set(id, p);
  }
}

/**
 * Runs a policy over the whole trace; with `count`, only requests with from ≤ time < until are
 * scored (the cache is warmed by the requests before, as a comparison over a later period needs).
 */
export function simulate(requests: readonly Request[], capacity: number, policy: Policy, count?: { from: number; until: number }): HitRatios {
  const cache = new PriorityCache(capacity);
  const nextUse = policy === 'belady' ? nextUses(requests) : null;
  const freq = new Map<number, number>();
  let L = 0;
  let hits = 0, bytesHit = 0, bytes = 0, counted = 0;
  requests.forEach((r, i) => {
    const scored = !count || (r.time >= count.from && r.time < count.until);
    if (scored) {
      bytes += r.size;
      counted++;
    }
    const hit = cache.has(r.id);
    if (hit && scored) {
      hits++;
      bytesHit += r.size;
    }
    const f = (freq.get(r.id) ?? 0) + 1;
    freq.set(r.id, f);
    const priority =
      policy === 'lru' ? i
      : policy === 'lfu' ? (hit ? f : 1) + i / (requests.length + 1)
      : policy === 'gdsf' ? L + (hit ? f : 1) / r.size
      : -nextUse![i]!; // belady: farthest next use has the lowest priority
    if (!hit) {
      if (r.size > capacity) return;
      const evicted = cache.evictUntil(r.size);
      if (policy === 'gdsf') L = Math.max(L, evicted);
      if (policy === 'lfu') freq.set(r.id, 1);
    }
    cache.set(r.id, r.size, policy === 'gdsf' ? L + f / r.size : priority);
  });
  return { object: counted ? hits / counted : 0, byte: bytes ? bytesHit / bytes : 0 };
}

/** For each request, the index of the same object's next request (Infinity if none). */
function nextUses(requests: readonly Request[]): number[] {
  const out = new Array<number>(requests.length);
  const seen = new Map<number, number>();
  for (let i = requests.length - 1; i >= 0; i--) {
    out[i] = seen.get(requests[i]!.id) ?? Infinity;
    seen.set(requests[i]!.id, i);
  }
  return out;
}

/**
 * A cache filled once per window from predictions: streams ranked by predicted reads per byte
 * (what maximizes object hits for a given capacity), taken greedily while they fit, then held for
 * the whole window. `windows[i].ranked` lists stream ids best first. Scores the requests of each
 * window [start, end) against that window's contents.
 */
export function windowCache(requests: readonly Request[], windows: readonly { start: number; end: number; ranked: readonly number[] }[], capacity: number, sizeOf: (id: number) => number): HitRatios {
  let hits = 0, n = 0, bytesHit = 0, bytes = 0;
  let at = 0;
  for (const w of windows) {
    const inCache = new Set<number>();
    let used = 0;
    for (const id of w.ranked) {
      const size = sizeOf(id);
      if (used + size <= capacity) {
        used += size;
        inCache.add(id);
      }
    }
    while (at < requests.length && requests[at]!.time < w.start) at++;
    for (; at < requests.length && requests[at]!.time < w.end; at++) {
      const r = requests[at]!;
      n++;
      bytes += r.size;
      if (inCache.has(r.id)) {
        hits++;
        bytesHit += r.size;
      }
    }
  }
  return { object: n ? hits / n : 0, byte: bytes ? bytesHit / bytes : 0 };
}
