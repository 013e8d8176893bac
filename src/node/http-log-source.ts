import type { LoggedEvent } from '../sdk/client.js';
import { HindsightError } from '../core/errors.js';
import { HttpClient, NodeUnavailableError } from '../sdk/http-client.js';
import type { LogSource } from './log-source.js';
import { readSse } from './sse-reader.js';
import { FOLLOWER_HEADER } from './event-stream.js';

/** A leader node's log over HTTP: pages from GET /v1/events, live entries from GET /v1/stream. */
export class HttpLogSource implements LogSource {
  readonly #client: HttpClient;

  constructor(readonly name: string) {
    this.#client = new HttpClient(name);
  }

  pull(after: number, limit = 1000): Promise<{ events: LoggedEvent[]; head: number }> {
    return this.#client.eventsPage(after, limit);
  }

  subscribe(after: number, onEvent: (event: LoggedEvent) => void, onError: (error: Error) => void): () => void {
    const abort = new AbortController();
    void (async () => {
      const response = await fetch(`${this.#client.baseUrl}/v1/stream`, {
        headers: { accept: 'text/event-stream', 'last-event-id': String(after), [FOLLOWER_HEADER]: 'follower' },
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        throw new NodeUnavailableError('node.badResponse', `GET /v1/stream: expected 200 text/event-stream, got ${response.status}`, { status: response.status });
      }
      for await (const message of readSse(response.body)) {
        if (message.event === 'event') onEvent(JSON.parse(message.data) as LoggedEvent);
      }
      throw new NodeUnavailableError('node.streamEnded', 'GET /v1/stream: expected an endless stream, got its end from the leader');
    })().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      onError(error instanceof HindsightError ? error : new NodeUnavailableError('node.unreachable', `GET /v1/stream: expected a stream, got ${(error as Error)?.message ?? String(error)}`, {}, { cause: error }));
    });
    return () => abort.abort();
  }
}
