/**
 * Per-stream features in the style of Learning Relaxed Belady (LRB): the recent inter-request gaps,
 * exponentially decayed counters over several half-lives, the size, and metadata (age, and how
 * popular the stream's schema is lately). They are computed only from requests observed so far —
 * the caller feeds the requests of settled windows, never of the window being predicted.
 *
 * Every value is scaled into roughly [0, 2] so that linear models and small networks train on
 * them without further normalization; the vector's layout is FEATURE_NAMES.
 */
import { ValidationError } from '../../core/errors.js';
import type { Request } from './workload.js';

/** Half-lives of the decayed counters, in trace seconds: one hour to three days. */
export const HALF_LIVES = [3_600, 6 * 3_600, 24 * 3_600, 72 * 3_600] as const;
/** How many of the latest inter-request gaps are features (LRB uses up to 32; a few carry most). */
export const GAPS = 4;

export const FEATURE_NAMES: readonly string[] = [
  ...Array.from({ length: GAPS }, (_, i) => (i === 0 ? 'since-last' : `gap-${i}`)),
  ...HALF_LIVES.map((h) => `edc-${h / 3_600}h`),
  'size',
  'age',
  'schema-edc-24h',
  'requests',
];

/** A gap never seen (fewer requests than GAPS): larger than any real gap's value. */
const NO_GAP = 1.3;

type Tracked = { times: number[]; edc: number[]; at: number; first: number; size: number; schema: number; total: number };

const log2p = (x: number): number => Math.log2(1 + x);

export class StreamFeatures {
  readonly #streams = new Map<number, Tracked>();
  /** Per schema (the trace's `extra`): a decayed read counter at the 24-hour half-life, and its stream count. */
  readonly #schemas = new Map<number, { edc: number; at: number; streams: number }>();

  /** Adds one request; requests must come in time order. */
  observe(r: Request): void {
    let s = this.#streams.get(r.id);
    if (!s) {
      s = { times: [], edc: HALF_LIVES.map(() => 0), at: r.time, first: r.time, size: r.size, schema: r.extra, total: 0 };
      this.#streams.set(r.id, s);
      const sc = this.#schemas.get(r.extra) ?? { edc: 0, at: r.time, streams: 0 };
      sc.streams++;
      this.#schemas.set(r.extra, sc);
    }
    decay(s, r.time);
    for (let i = 0; i < HALF_LIVES.length; i++) s.edc[i]! += 1;
    s.times.unshift(r.time);
    if (s.times.length > GAPS + 1) s.times.length = GAPS + 1;
    s.size = r.size;
    s.total++;
    const sc = this.#schemas.get(s.schema)!;
    sc.edc = sc.edc * 0.5 ** ((r.time - sc.at) / 86_400) + 1;
    sc.at = r.time;
  }

  /** Streams seen so far. */
  ids(): number[] {
    return [...this.#streams.keys()];
  }

  has(id: number): boolean {
    return this.#streams.has(id);
  }

  size(id: number): number {
    return this.#streams.get(id)?.size ?? 0;
  }

  /** The decayed count at HALF_LIVES[which] as of time t (0 for an unseen stream). */
  decayed(id: number, t: number, which: number): number {
    const s = this.#streams.get(id);
    return s ? s.edc[which]! * 0.5 ** ((t - s.at) / HALF_LIVES[which]!) : 0;
  }

  /** The feature vector of a seen stream at time t (≥ its last observed request). */
  vector(id: number, t: number): number[] {
    const s = this.#streams.get(id);
    if (!s) throw new ValidationError('streams.badOption', `stream: expected a stream with an observed request, got ${id}`, { field: 'stream' });
    const gaps: number[] = [];
    let prev = t;
    for (let i = 0; i < GAPS; i++) {
      const at = s.times[i];
      gaps.push(at === undefined ? NO_GAP : log2p(prev - at) / 16);
      if (at !== undefined) prev = at;
    }
    const edcs = HALF_LIVES.map((h, i) => log2p(s.edc[i]! * 0.5 ** ((t - s.at) / h)) / 8);
    const sc = this.#schemas.get(s.schema)!;
    const schemaEdc = (sc.edc * 0.5 ** ((t - sc.at) / 86_400)) / sc.streams;
    return [...gaps, ...edcs, log2p(s.size) / 16, log2p(t - s.first) / 16, log2p(schemaEdc) / 8, log2p(s.total) / 12];
  }
}

function decay(s: Tracked, t: number): void {
  if (t === s.at) return;
  for (let i = 0; i < HALF_LIVES.length; i++) s.edc[i]! *= 0.5 ** ((t - s.at) / HALF_LIVES[i]!);
  s.at = t;
}
