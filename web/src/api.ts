/** The node's public HTTP API, read from the same origin the app was served from. */
export async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${body.message ?? res.status}`);
  return body as T;
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) throw new Error(`${out.code ?? res.status}: ${out.message ?? ''}`);
  return out as T;
}

const SCALE = 1e12;
/** A probability at PROB_SCALE (10^12) as a fraction. */
export const prob = (x: string): number => Number(x) / SCALE;
/** Micro-units as units with 2 decimals (display only). */
export const units = (micro: string): string => (Number(micro) / 1e6).toFixed(2);
export const short = (s: string, n = 10): string => (s.length > n + 6 ? `${s.slice(0, n)}…${s.slice(-4)}` : s);
export const fixed = (x: number | null | undefined, d = 4): string => (x === null || x === undefined ? '–' : x.toFixed(d));

/** Subscribes to the node's SSE stream from its current head; calls back on every logged event. */
export function onLogEvent(after: number, callback: (ev: { seq: number; type: string; round: number | null }) => void): () => void {
  const source = new EventSource(`/v1/stream?after=${after}`);
  source.addEventListener('event', (e) => callback(JSON.parse((e as MessageEvent).data)));
  return () => source.close();
}
