/**
 * Clients that keep submitting through a fault, as a well-behaved client would: each signs the next
 * transfer of its own chain and posts it; on a 202 it goes on, on a 503 it waits a little and sends
 * the *same* event again (it may have been stored although the answer was lost; then the retry is a
 * duplicate and gets a 202 with the original seq). Anything else stops that client and is reported.
 * Every answer is kept in a timeline so a test can measure outages.
 */
import { Http1Connection } from '../../src/node/http1-connection.js';
import type { SignedEvent } from '../../src/events/envelope.js';
import { transfer, type ChainedSigner } from './test-community.js';

/** One answer: when its request was sent and when the answer came (performance.now()). */
export type Answer = { sentAt: number; at: number; status: number; code?: string };

export type SteadyClients = {
  /** cid → seq of every event that got a 202. */
  acked: Map<string, number>;
  /** Every answer (and every request left unanswered, as status 0), in order of arrival. */
  timeline: Answer[];
  /** Resolves once `n` events have been acknowledged since this call (rejects after `timeoutMs`). */
  acks(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves at the first answer matching `match` from now on (rejects after `timeoutMs`). */
  answer(match: (a: Answer) => boolean, timeoutMs?: number): Promise<Answer>;
  /** Stops sending (requests in flight are answered first) and resolves when every client is idle. */
  stop(): Promise<void>;
};

export function steadyClients(options: { urls: string[]; members: ChainedSigner[]; sink: ChainedSigner; retryDelayMs?: number }): SteadyClients {
  const acked = new Map<string, number>();
  const timeline: Answer[] = [];
  const waiters = new Set<(a: Answer) => void>();
  let stopped = false;
  const record = (answer: Answer) => {
    timeline.push(answer);
    for (const waiter of [...waiters]) waiter(answer);
  };
  const retryDelayMs = options.retryDelayMs ?? 50;
  const running = options.members.map(async (member, i) => {
    const connections = options.urls.map((url) => new Http1Connection(url));
    let pending: SignedEvent | undefined;
    try {
      for (let k = 0; !stopped; k++) {
        const event = (pending ??= transfer(member, options.sink));
        const slot = (i + k) % connections.length;
        const sentAt = performance.now();
        let status = 0;
        let body: { cid?: string; seq?: number; code?: string } = {};
        try {
          const reply = await connections[slot]!.request('POST', '/v1/events', JSON.stringify(event));
          status = reply.status;
          body = JSON.parse(reply.body) as typeof body;
        } catch {
          connections[slot]!.close();
          connections[slot] = new Http1Connection(options.urls[slot]!);
        }
        record({ sentAt, at: performance.now(), status, code: body.code });
        if (status === 202) {
          acked.set(body.cid!, body.seq!);
          pending = undefined;
        } else if (status === 503 || status === 0) {
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        } else {
          return; // unexpected: the test sees it in the timeline
        }
      }
    } finally {
      for (const c of connections) c.close();
    }
  });
  const wait = <T>(timeoutMs: number, what: string, check: (a: Answer, done: (value: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`steady clients: expected ${what} within ${timeoutMs} ms, got none (last answers: ${JSON.stringify(timeline.slice(-5))})`));
      }, timeoutMs);
      const waiter = (a: Answer) =>
        check(a, (value) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(value);
        });
      waiters.add(waiter);
    });
  return {
    acked,
    timeline,
    acks: (n, timeoutMs = 30_000) => {
      let seen = 0;
      return wait<void>(timeoutMs, `${n} acknowledgements`, (a, done) => {
        if (a.status === 202 && ++seen >= n) done();
      });
    },
    answer: (match, timeoutMs = 30_000) => wait<Answer>(timeoutMs, 'a matching answer', (a, done) => match(a) && done(a)),
    stop: async () => {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** Answers counted by status and code ("202", "503 store.unavailable", …), for reports and assertions. */
export function tally(timeline: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of timeline) {
    const key = a.status === 202 ? '202' : `${a.status} ${a.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
