/**
 * A seeded workload of a stream network: streams with metadata (schema id, size, author, creation
 * time, update rate) and reads with Zipf-like popularity, churn (streams are born through the run
 * and their popularity fades with age), bursts (a stream's rate jumps for a while) and a diurnal
 * cycle. Written in the common cache-simulator trace format, one request per line:
 * `time id size [extra]` (as the webcachesim / LRB tools read), `extra` here the schema id.
 * Pure: the same options give the same trace.
 */
import { ValidationError } from '../../core/errors.js';
import { makeRng, permutation } from '../rng.js';

export type StreamMeta = { id: number; schema: number; size: number; author: number; created: number; updateRate: number };
export type Request = { time: number; id: number; size: number; extra: number };
export type WorkloadOptions = { seed?: number; streams?: number; requests?: number; duration?: number; zipf?: number; schemas?: number };
export type Workload = { streams: StreamMeta[]; requests: Request[]; duration: number };

const DAY = 86_400;

export function generateWorkload(options: WorkloadOptions = {}): Workload {
  const { seed = 1, streams = 5_000, requests = 200_000, duration = 7 * DAY, zipf = 0.9, schemas = 40 } = options;
  const rng = makeRng(seed);
  const rand = (): number => rng.next();
  const meta: StreamMeta[] = [];
  for (let id = 0; id < streams; id++) {
    const schema = Math.floor(schemas * rand() ** 2); // a few schemas hold most streams
    const size = Math.max(200, Math.round(Math.exp(7 + 2.5 * rand()) * (1 + (schema % 5)))); // log-spread bytes
    const created = rand() < 0.3 ? 0 : Math.floor(rand() * duration); // 30 % exist at the start, the rest are born later
    meta.push({ id, schema, size, author: Math.floor(rand() * streams / 20), created, updateRate: Math.floor(rand() * 24) });
  }
  // popularity: Zipf over a random rank, times a schema factor; fades with a per-stream half-life
  const rank = permutation(streams, seed ^ 0x5eed);
  const base = meta.map((_, i) => 1 / (rank[i]! + 1) ** zipf);
  const halfLife = meta.map(() => DAY * (0.5 + 6 * rand()));
  const burstAt = meta.map(() => (rand() < 0.05 ? Math.floor(rand() * duration) : -1));
  const out: Request[] = [];
  const slots = 96 * Math.ceil(duration / DAY); // 15-minute slots
  const slot = duration / slots;
  for (let s = 0; s < slots; s++) {
    const t0 = s * slot;
    const diurnal = 1 + 0.6 * Math.sin((2 * Math.PI * (t0 % DAY)) / DAY);
    const weights = meta.map((m, i) => {
      if (m.created > t0) return 0;
      const age = t0 - m.created;
      const burst = burstAt[i]! >= 0 && t0 >= burstAt[i]! && t0 < burstAt[i]! + 3 * 3600 ? 40 : 1;
      return base[i]! * 0.5 ** (age / halfLife[i]!) * burst * (1 + m.updateRate / 24);
    });
    const total = weights.reduce((a, w) => a + w, 0);
    if (total === 0) continue;
    const n = Math.round(((requests / slots) * diurnal) / 1);
    const cdf = new Float64Array(weights.length);
    let acc = 0;
    weights.forEach((w, i) => (cdf[i] = acc += w / total));
    for (let k = 0; k < n; k++) {
      const u = rand();
      let lo = 0, hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      const m = meta[lo]!;
      out.push({ time: Math.floor(t0 + rand() * slot), id: m.id, size: m.size, extra: m.schema });
    }
  }
  out.sort((a, b) => a.time - b.time || a.id - b.id);
  return { streams: meta, requests: out, duration };
}

/** The trace text: `time id size extra` per line. */
export function formatTrace(requests: readonly Request[]): string {
  return requests.map((r) => `${r.time} ${r.id} ${r.size} ${r.extra}`).join('\n') + '\n';
}

/**
 * Reads a `time id size [extra]` trace (CDN, Wikipedia or a node's own access log converted to it).
 * Ids that are not integers are numbered in order of first appearance. Stops at the first bad line
 * with its number.
 */
export function parseTrace(text: string): Request[] {
  const ids = new Map<string, number>();
  const out: Request[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    const time = Number(f[0]);
    const size = Number(f[2]);
    const extra = f[3] === undefined ? 0 : Number(f[3]);
    if (f.length < 3 || !Number.isFinite(time) || time < 0 || !Number.isInteger(size) || size < 0 || !Number.isFinite(extra)) {
      throw new ValidationError('trace.badLine', `trace line ${i + 1}: expected "time id size [extra]" with numbers, got ${JSON.stringify(line.slice(0, 80))}`, { line: i + 1 });
    }
    let id = ids.get(f[1]!);
    if (id === undefined) ids.set(f[1]!, (id = ids.size));
    out.push({ time, id, size, extra });
  }
  return out;
}
