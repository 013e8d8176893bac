/**
 * Concurrent signed-event writers for tests and the bench: each client owns a key and a chain and
 * posts its events one after the other (it needs the previous 202 before its next event is
 * meaningful); many clients run at once. Events can be pre-signed so the driver measures the node,
 * not the signing.
 */
import { Agent, request } from 'node:http';
import type { SignedEvent } from '../../src/events/envelope.js';
import { Http1Connection } from '../../src/node/http1-connection.js';

export type LoadResult = {
  /** cid → seq of every event that got a 202. */
  acked: Map<string, number>;
  /** Milliseconds from send to 202, one entry per accepted event. */
  latenciesMs: number[];
  refused: Map<string, number>;
  /** Requests that got no HTTP answer (node killed, connection reset). */
  unanswered: number;
  elapsedMs: number;
};

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/** POST /v1/events with node:http (less client CPU than fetch); resolves {status, body} or rejects on a dead connection. */
export function postEvent(baseUrl: string, event: SignedEvent | string): Promise<{ status: number; body: { cid?: string; seq?: number; code?: string } }> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const url = new URL('/v1/events', baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as { cid?: string; seq?: number; code?: string } });
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `chains` (one array of pre-signed events per client) against the nodes; client i sends its
 * k-th event to `urls[(i + k) % urls.length]`. A client stops at its first unanswered request (its
 * chain is then unknown) or when `stop()` turns true.
 */
export async function driveLoad(options: { urls: string[]; chains: (SignedEvent | string)[][]; stop?: () => boolean; onAck?: (acked: number) => void }): Promise<LoadResult> {
  const result: LoadResult = { acked: new Map(), latenciesMs: [], refused: new Map(), unanswered: 0, elapsedMs: 0 };
  const bodies = options.chains.map((chain) => chain.map((e) => Buffer.from(typeof e === 'string' ? e : JSON.stringify(e))));
  const started = performance.now();
  await Promise.all(
    bodies.map(async (chain, i) => {
      // A client keeps one connection per node, as an operator's HTTP client would.
      const connections = options.urls.map((url) => new Http1Connection(url));
      try {
        for (let k = 0; k < chain.length; k++) {
          if (options.stop?.()) return;
          const sent = performance.now();
          let reply: { status: number; body: { cid?: string; seq?: number; code?: string } };
          try {
            const answer = await connections[(i + k) % connections.length]!.request('POST', '/v1/events', chain[k]!);
            reply = { status: answer.status, body: JSON.parse(answer.body) as { cid?: string; seq?: number; code?: string } };
          } catch {
            result.unanswered += 1;
            return;
          }
          if (reply.status === 202) {
            result.latenciesMs.push(performance.now() - sent);
            result.acked.set(reply.body.cid!, reply.body.seq!);
            options.onAck?.(result.acked.size);
          } else {
            const code = reply.body.code ?? String(reply.status);
            result.refused.set(code, (result.refused.get(code) ?? 0) + 1);
            return;
          }
        }
      } finally {
        for (const c of connections) c.close();
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  return result;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
