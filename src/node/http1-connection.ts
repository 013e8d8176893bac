/**
 * One keep-alive HTTP/1.1 connection that sends a request and reads its answer, nothing more: the
 * load driver's client. The bench runs the driver on the same two cores as the node, so every
 * microsecond the client spends is taken from the node. Client CPU per request, measured against the
 * same node in one session (docs/api.md, "Benchmark"): node:http 0.34 ms, undici 0.26 ms, autocannon 0.26 ms,
 * this 0.11 ms.
 * It handles what a node answers with (a status line, headers, a Content-Length body) and refuses
 * anything else with a clear error rather than guessing.
 */
import { connect, type Socket } from 'node:net';
import { ValidationError } from '../core/errors.js';
import { NodeUnavailableError } from '../sdk/http-client.js';

export type Http1Reply = { status: number; body: string };

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^content-length:[ \t]*(\d+)[ \t]*$/im;
const CONNECTION_CLOSE = /^connection:[ \t]*close[ \t]*$/im;

type Waiting = { resolve: (reply: Http1Reply) => void; reject: (error: Error) => void };

export class Http1Connection {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: Waiting | undefined;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:') throw new ValidationError('node.badUrl', `Http1Connection: expected an http:// URL, got ${baseUrl}`, { field: 'url' });
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
  }

  /** Sends one request and resolves its reply; one request at a time per connection. */
  request(method: 'GET' | 'POST', path: string, body?: string | Buffer, contentType = 'application/json'): Promise<Http1Reply> {
    if (this.#waiting) {
      return Promise.reject(new ValidationError('node.requestInFlight', 'Http1Connection: expected one request at a time, got a second while the first is open'));
    }
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${this.#host}:${this.#port}\r\n${payload ? `Content-Type: ${contentType}\r\nContent-Length: ${payload.length}\r\n` : ''}\r\n`;
    return new Promise<Http1Reply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      const socket = this.#connected();
      socket.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head);
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connected(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = connect(this.#port, this.#host);
    socket.setNoDelay(true);
    this.#buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Events of a socket this connection already replaced concern no request of ours.
    socket.on('error', (error) => {
      if (this.#socket === socket) this.#fail(new NodeUnavailableError('node.unreachable', `Http1Connection ${this.#host}:${this.#port}: expected a connection, got ${error.message}`, {}, { cause: error }));
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#fail(new NodeUnavailableError('node.unreachable', 'Http1Connection: expected an answer, got the connection closed by the server'));
    });
    this.#socket = socket;
    return socket;
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.#buffer.toString('latin1', 0, headerEnd);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) {
      this.#fail(new NodeUnavailableError('node.badResponse', `Http1Connection: expected a Content-Length reply, got headers ${JSON.stringify(head.slice(0, 200))}`));
      this.close();
      return;
    }
    const bodyStart = headerEnd + HEADER_END.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.#buffer.length < bodyEnd) return;
    const status = Number(head.slice(9, 12));
    const body = this.#buffer.toString('utf8', bodyStart, bodyEnd);
    this.#buffer = this.#buffer.subarray(bodyEnd);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (CONNECTION_CLOSE.test(head)) this.close();
    waiting?.resolve({ status, body });
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }
}
