import type { ServerResponse } from 'node:http';
import { expectedGot } from '../core/errors.js';
import type { EventStore } from '../store/index.js';
import { readLog } from '../engine/views.js';

const PAGE = 500;
const HEARTBEAT_MS = 15_000;

/**
 * One Server-Sent-Events connection on /v1/stream. Each log entry goes out as
 * `id: <seq>` / `event: event` / `data: <LoggedEvent JSON>`, in log order, so a client that
 * reconnects with `Last-Event-ID: <seq>` (browsers' EventSource does it by itself) resumes exactly
 * after the last entry it received. The connection reads from the store, not from memory: a slow
 * client only delays itself, and resuming from any seq works, however old.
 */
/** Request header a follower node sends with its GET /v1/stream (value `follower`), so the leader can count its followers. */
export const FOLLOWER_HEADER = 'x-hindsight-role';

export class EventStream {
  #cursor: number;
  #pumping = false;
  #again = false;
  #closed = false;
  #stopListening: () => void;
  #heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: EventStore,
    private readonly res: ServerResponse,
    after: number,
    private readonly onClose: () => void,
  ) {
    this.#cursor = after;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    this.#stopListening = store.onAppend(() => void this.pump());
    this.#heartbeat = setInterval(() => {
      if (!res.destroyed && !res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    res.on('close', () => this.close());
    // A write to a connection the client dropped must end this stream, not the process.
    res.on('error', () => this.close());
    void this.pump();
  }

  /** Sends everything after the cursor; appends that arrive meanwhile trigger one more round. */
  async pump(): Promise<void> {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (;;) {
          const page = await readLog(this.store, this.#cursor, PAGE);
          if (page.length === 0 || this.#closed) break;
          const text = page.map((e) => `id: ${e.seq}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`).join('');
          this.#cursor = page[page.length - 1]!.seq;
          if (!this.res.write(text)) await new Promise<void>((resolve) => this.res.once('drain', resolve).once('close', resolve));
        }
      } while (this.#again && !this.#closed);
    } catch (error) {
      // The store closed under us (shutdown) or failed: end the stream; the client reconnects and resumes.
      if (!this.#closed) this.res.destroy(error as Error);
    } finally {
      this.#pumping = false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopListening();
    clearInterval(this.#heartbeat);
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }
}

/** Where a stream starts: the Last-Event-ID header (a reconnect) wins over ?after=. */
export function streamStart(lastEventId: string | string[] | undefined, after: number | undefined): number {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (header === undefined) return after ?? 0;
  if (!/^\d{1,15}$/.test(header.trim())) throw expectedGot('http.badLastEventId', 'Last-Event-ID', 'the seq of the last event received', header);
  return Number(header.trim());
}
