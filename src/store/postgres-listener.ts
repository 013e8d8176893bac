/**
 * A dedicated connection that LISTENs on the log's channel and reports each NOTIFY (payload: the new
 * head seq). A pooled connection cannot LISTEN reliably (it is handed to other queries), hence its
 * own pg.Client. If the connection drops it reconnects with backoff; after every (re)connect it
 * reports the current head, because notifications sent while nobody listened are lost.
 */
import pg from 'pg';

const RECONNECT_MIN_MS = 100;
const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_MAX_MS = 5000;

export class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Resolves once the first LISTEN is in place (tests and callers that must not miss an append). */
  readonly ready: Promise<void>;
  private markReady: () => void = () => {};

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onHead: (head: number) => void,
    private readonly readHead: () => Promise<number>,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', () => this.scheduleReconnect(client));
    client.on('end', () => this.scheduleReconnect(client));
    client.on('notification', (message) => {
      const head = Number(message.payload);
      if (Number.isSafeInteger(head)) this.onHead(head);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.retryMs = RECONNECT_MIN_MS;
      this.markReady();
      // Appends committed before LISTEN took effect (right after subscribing, or while reconnecting)
      // sent their NOTIFY to nobody; report the head now so the subscriber misses nothing.
      // (A failed read is not a LISTEN failure: the next NOTIFY will carry the head anyway.)
      this.readHead().then(this.onHead, () => {});
    } catch {
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(failed: pg.Client): void {
    if (this.stopped || this.retryTimer) return;
    if (this.client && this.client !== failed) return; // a stale client's late event
    this.client = undefined;
    failed.end().catch(() => {});
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.markReady();
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }
}
