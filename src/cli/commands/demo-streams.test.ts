/**
 * `hindsight demo --usecase streams` at a small size, through the CLI and an imported trace file:
 * every market settles on the bucket of the stream's true reads although one reporter lies (the
 * median of three), the books balance, the log replays to the same state, and the summary carries
 * the cache comparison with its chart in the report.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { Engine } from '../../engine/engine.js';
import { replayLog } from '../../engine/replay.js';
import { stateHash } from '../../game/canonical.js';
import { planStreams } from '../../ml/streams/plan.js';
import { formatTrace, generateWorkload, parseTrace } from '../../ml/streams/workload.js';
import type { StreamsSummary } from '../../sim/demo-streams.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-demo-streams-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('demo --usecase streams', () => {
  it('settles K-bucket markets from signed access reports and compares the market’s cache with LRU, LFU, GDSF and Belady', async () => {
    const trace = join(work, 'trace.txt');
    writeFileSync(trace, formatTrace(generateWorkload({ seed: 5, streams: 250, requests: 9_000, duration: 2 * 86_400 }).requests));
    const out = join(work, 'out');
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    try {
      await main(['node', 'hindsight', 'demo', '--usecase', 'streams', '--trace', trace, '--rounds', '2', '--items', '40', '--out', out, '--json']);
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    const s = JSON.parse(chunks.join('').trim().split('\n').pop()!) as StreamsSummary;
    expect(s).toMatchObject({ usecase: 'streams', rounds: 2, items: 80, conservation: true, streams: { candidates: 40, buckets: 12, reporters: 3, voided: 0 } });
    for (const k of ['market', 'served', 'recent', 'lru', 'lfu', 'gdsf', 'belady'] as const) {
      expect(s.cache[k]).toHaveLength(s.cache.sizes.length);
      for (const h of s.cache[k]) for (const v of [h.object, h.byte]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    }
    s.cache.belady.forEach((b, i) => expect(b.object).toBeGreaterThanOrEqual(s.cache.lru[i]!.object));
    expect(s.market.logLoss).toBeGreaterThan(0);
    expect(s.models.map((m) => m.name).sort()).toEqual(['logreg', 'mlp-16', 'naive-bayes']);
    expect(readFileSync(join(out, 'report', 'report.md'), 'utf8')).toMatch(/## Streams: what the market is worth as a cache[\s\S]*\| 2 \|/);
    expect(existsSync(join(out, 'report', 'hitratio.png'))).toBe(true);

    // Every outcome is the bucket of the true reads in the window: the inflating reporter was outvoted.
    const plan = planStreams(parseTrace(readFileSync(trace, 'utf8')), { rounds: 2, candidates: 40 });
    const engine = await Engine.open({ dir: out });
    try {
      for (const [i, win] of plan.rounds.entries()) {
        const markets = engine.state.rounds.get(i + 1)!.markets;
        expect(engine.state.rounds.get(i + 1)!.phase).toBe('settled');
        expect(win.items.map((it) => markets.get(`r${i + 1}-s${it.stream}`)!.outcome)).toEqual(win.items.map((it) => it.label));
      }
      const replay = await replayLog(engine.store);
      expect(stateHash(replay.state)).toBe(s.stateHash);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
