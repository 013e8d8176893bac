/**
 * Cuts a request trace into prediction windows for the streams game. Round n predicts how often
 * each candidate stream is read in window n; its features are computed at the window's start from
 * the requests of earlier windows only (which by then are settled rounds' public data). The first
 * `warmup` windows are history: windows 1..warmup−1 become the public bootstrap corpus.
 *
 * Candidates are the streams seen so far ranked by a public score — recent reads (the 6-hour
 * decayed counter) per byte — cut at `candidates`; the rest keep that order as a fallback that a
 * cache may fill leftover room with. Both orders use only the past, like the features.
 */
import { ValidationError } from '../../core/errors.js';
import { logBoundaries, readsBucket } from './buckets.js';
import { StreamFeatures } from './features.js';
import type { Request } from './workload.js';

export type StreamsPlanOptions = {
  /** Window length in trace seconds (default 6 hours). */
  window?: number;
  /** Windows of history before round 1 (default 4). */
  warmup?: number;
  /** Rounds to plan (default: every window after the warmup). */
  rounds?: number;
  /** Streams per round (default 800). */
  candidates?: number;
  /** Buckets per market (default 12: 0, 1, 2–3, 4–7, …, ≥ 1024 reads). */
  buckets?: number;
};

export type StreamItem = { stream: number; features: number[]; reads: number; label: number };
export type StreamWindow = { start: number; end: number; items: StreamItem[]; fallback: number[] };
export type StreamsPlan = {
  window: number;
  boundaries: number[];
  /** Windows 1..warmup−1: labeled examples published before round 1. */
  bootstrap: StreamItem[];
  /** rounds[i] is round i + 1. */
  rounds: StreamWindow[];
  /** The period the rounds cover, [from, until). */
  evaluation: { from: number; until: number };
};

export function planStreams(requests: readonly Request[], options: StreamsPlanOptions = {}): StreamsPlan {
  const window = options.window ?? 6 * 3_600;
  const warmup = options.warmup ?? 4;
  const candidates = options.candidates ?? 800;
  const boundaries = logBoundaries(options.buckets ?? 12);
  const end = requests.length ? requests[requests.length - 1]!.time + 1 : 0;
  const available = Math.ceil(end / window) - warmup; // the last window may be cut short by the trace's end
  const rounds = options.rounds ?? available;
  const bad = (field: string, expected: string, got: number) => new ValidationError('streams.badOption', `${field}: expected ${expected}, got ${got}`, { field });
  if (!Number.isInteger(window) || window < 60) throw bad('window', 'an integer ≥ 60 (seconds)', window);
  if (!Number.isInteger(warmup) || warmup < 2) throw bad('warmup', 'an integer ≥ 2 (windows)', warmup);
  if (!Number.isInteger(candidates) || candidates < 1) throw bad('candidates', 'a positive integer', candidates);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > available) throw bad('rounds', `an integer in 1..${Math.max(available, 0)} (windows after ${warmup} of warmup in this trace)`, rounds);

  const history = new StreamFeatures();
  const bootstrap: StreamItem[] = [];
  const out: StreamWindow[] = [];
  let at = 0;
  for (let w = 0; w < warmup + rounds; w++) {
    const start = w * window;
    const stop = start + window;
    const reads = new Map<number, number>();
    let j = at;
    for (; j < requests.length && requests[j]!.time < stop; j++) reads.set(requests[j]!.id, (reads.get(requests[j]!.id) ?? 0) + 1);
    if (w > 0) {
      // Public score: recent reads per byte (the 6-hour counter), ties by id.
      const score = (id: number) => history.decayed(id, start, 1) / Math.max(1, history.size(id));
      const ranked = history.ids().sort((a, b) => score(b) - score(a) || a - b);
      const items = ranked.slice(0, candidates).map((stream): StreamItem => {
        const n = reads.get(stream) ?? 0;
        return { stream, features: history.vector(stream, start), reads: n, label: readsBucket(n, boundaries) };
      });
      if (w < warmup) bootstrap.push(...items);
      else out.push({ start, end: stop, items, fallback: ranked.slice(candidates) });
    }
    for (; at < j; at++) history.observe(requests[at]!);
  }
  return { window, boundaries, bootstrap, rounds: out, evaluation: { from: warmup * window, until: (warmup + rounds) * window } };
}
