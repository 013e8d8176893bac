/**
 * A participant's connection to a node for federated learning: its own signed event chain (events of
 * one author are submitted one at a time, in chain order, whichever async task produced them), the
 * relay's reads (task view, a stage's messages) and the blob store.
 */
import { Agent, request as httpRequest } from 'node:http';
import { blobIdOf } from '../core/encoding.js';
import { HindsightError, expectedGot } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import type { Signer } from '../events/keys.js';
import { EventChain } from './operator-chain.js';
import { HttpClient, NodeUnavailableError, errorFromBody } from './http-client.js';

export type FlTaskInfo = {
  task: string;
  operator: string;
  parameters: number;
  rounds: number;
  clientsPerRound: number;
  completed: number;
  budget: string;
  paid: string;
  finished: boolean;
  secureAggregation: boolean;
  models: string[];
  modelBlobs: (string | null)[];
  controllers: { did: string; slot: number; examples: number; earned: string }[];
  closed: { group: number; stage: string; slots: number[] }[];
};

export type RelayMessage = { slot: number; author: string; body: Record<string, unknown> };

/** What a long-poll on the relay waits for (GET /v1/fl/tasks/:task/wait). */
export type WaitCondition = (
  | { for: 'joined'; count: number }
  | { for: 'messages'; round: number; group: number; stage: string; count: number; to?: number }
  | { for: 'closed'; round: number; group: number; stage: string; to?: number }
  | { for: 'completed'; round: number }
  | { for: 'finished' }
) & { include?: 'model' };

/** `modelData`: the bytes of `model` as base64, when the wait asked to include them. */
export type WaitReply = { ready: boolean; completed: number; finished: boolean; joined: number; model: string | null; closed: number[] | null; messages: RelayMessage[]; modelData?: string };

/**
 * Up to two more tries after a connection failure: a kept-alive socket the node closed just as a
 * request went out fails that request (EPIPE / ECONNRESET) though the node is fine.
 */
async function retryConnection<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof NodeUnavailableError && error.code === 'node.unreachable') || attempt >= 3) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

type Reply = { status: number; text: string };

/**
 * One request on the participant's kept-alive connection. node:http, not fetch: a controller's
 * round is a handful of small requests, and fetch's web streams cost several times the CPU of the
 * request itself (measured in `bench fl-node`, where a hundred controllers share two cores).
 */
function send(agent: Agent, url: URL, method: 'GET' | 'POST', path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = httpRequest({ agent, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, method, path: `${url.pathname.replace(/\/+$/, '')}${path}`, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(new NodeUnavailableError('node.unreachable', `${method} ${path}: the connection failed mid-reply (${e.message})`)));
    });
    req.on('error', (e) => reject(new NodeUnavailableError('node.unreachable', `${method} ${path}: expected a reachable node at ${url.origin}, got ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.end(payload);
  });
}

const CHAIN_CONFLICT = new Set(['event.forkedPrev', 'event.nonceReplayed']);

export class FlNode {
  readonly client: HttpClient;
  readonly base: string;
  readonly #url: URL;
  readonly #agent = new Agent({ keepAlive: true });
  #chain: EventChain | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Bytes this participant uploaded in event and blob bodies (what the per-controller figures count). */
  sentBytes = 0;
  /** Bytes of the replies it read (relay messages, models, task views). */
  receivedBytes = 0;

  constructor(node: string, readonly signer: Signer) {
    this.base = node.replace(/\/+$/, '');
    this.#url = new URL(this.base);
    this.client = new HttpClient(this.base);
  }

  /** Closes the kept-alive connections (a participant that is done). */
  close(): void {
    this.#agent.destroy();
  }

  async #json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text) this.sentBytes += text.length;
    const res = await retryConnection(() => send(this.#agent, this.#url, method, path, text));
    this.receivedBytes += res.text.length;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new NodeUnavailableError('node.badResponse', `${method} ${path}: expected a JSON reply, got HTTP ${res.status} ${res.text.slice(0, 80)}`, { status: res.status });
    }
    if (res.status === 404 && method === 'GET') return null;
    if (res.status < 200 || res.status >= 300) throw errorFromBody(res.status, parsed);
    return parsed as T;
  }

  /**
   * Signs the next event of this participant's chain and hands it to `deliver` (serialized: the
   * next event waits until this one's request ended, so the node sees them in chain order).
   */
  #signed<T>(type: string, payload: Record<string, unknown>, deliver: (event: SignedEvent) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (!this.#chain) {
        const community = await this.client.community();
        if (!community) throw expectedGot('fl.controller.invalid', 'node', 'a node serving a community', 'none');
        this.#chain = new EventChain(this.signer, community.id);
        await this.#chain.sync(this.client);
      }
      // The member's other work (e.g. `member run` labelling) may have written to the same chain in
      // between: a chain conflict is re-signed on the fresh head, a few times; any other refusal is final.
      for (let attempt = 1; ; attempt++) {
        const event = this.#chain.next(type, payload, Date.now());
        try {
          // Sending the same signed event again is safe: the node answers a copy with its first receipt.
          return await retryConnection(() => deliver(event));
        } catch (error) {
          await this.#chain.sync(this.client); // the node refused it: the chain head did not move
          if (!(error instanceof HindsightError && CHAIN_CONFLICT.has(error.code)) || attempt >= 3) throw error;
        }
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Signs and submits the next event of this participant's chain (serialized). */
  async submit(type: string, payload: Record<string, unknown>): Promise<string> {
    return (await this.#signed(type, payload, (event) => this.#json<{ cid: string }>('POST', '/v1/events', event)))!.cid;
  }

  /**
   * Submits the next event and waits on the relay in the same request
   * (POST /v1/fl/tasks/:task/step): the node appends the event, then answers the wait as GET …/wait
   * would. One request per stage instead of two. The chain stays held until the reply, so use it
   * from a participant with one flow of events (a controller), not for concurrent groups.
   */
  async step(type: string, payload: Record<string, unknown>, task: string, condition: WaitCondition, timeoutMs: number): Promise<WaitReply> {
    const deadline = Date.now() + timeoutMs;
    const waitMs = Math.max(0, Math.min(25_000, timeoutMs));
    const path = `/v1/fl/tasks/${encodeURIComponent(task)}/step`;
    const first = await this.#signed(type, payload, (event) => this.#json<{ cid: string; wait: WaitReply }>('POST', path, { event, wait: { ...condition, waitMs } }));
    if (first!.wait.ready || Date.now() >= deadline) return first!.wait;
    return this.waitUntil(task, condition, Math.max(0, deadline - Date.now()));
  }

  task(id: string): Promise<FlTaskInfo | null> {
    return this.#json<FlTaskInfo>('GET', `/v1/fl/tasks/${encodeURIComponent(id)}`);
  }

  async messages(task: string, round: number, group: number, stage: string, to?: number): Promise<RelayMessage[]> {
    const q = `round=${round}&group=${group}&stage=${stage}${to === undefined ? '' : `&to=${to}`}`;
    return (await this.#json<{ messages: RelayMessage[] }>('GET', `/v1/fl/tasks/${encodeURIComponent(task)}/messages?${q}`))?.messages ?? [];
  }

  /**
   * Waits on the node until `condition` holds, asking again while a single wait runs out; returns the
   * last answer, whose `ready` is false if `timeoutMs` passed first.
   */
  async waitUntil(task: string, condition: WaitCondition, timeoutMs: number): Promise<WaitReply> {
    const deadline = Date.now() + timeoutMs;
    const fields = Object.entries(condition).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
    for (;;) {
      const waitMs = Math.max(0, Math.min(25_000, deadline - Date.now()));
      const reply = await this.#json<WaitReply>('GET', `/v1/fl/tasks/${encodeURIComponent(task)}/wait?${fields}&waitMs=${waitMs}`);
      if (!reply) throw expectedGot('fl.relay.notFound', 'task', 'an existing FL task', task);
      if (reply.ready || Date.now() >= deadline) return reply;
    }
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const reply = await this.#json<{ id: string }>('POST', '/v1/blobs', { data: Buffer.from(bytes).toString('base64') });
    return reply!.id;
  }

  async getBlob(id: string): Promise<Uint8Array> {
    const reply = await this.#json<{ data: string }>('GET', `/v1/blobs/${id}`);
    if (!reply) throw expectedGot('data.blob.notFound', 'blob', 'a blob the node stores', id);
    return blobBytes(id, reply.data);
  }
}

/** A blob's bytes from its base64, checked against its content address (a node cannot swap a model). */
export function blobBytes(id: string, base64: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  const actual = blobIdOf(bytes);
  if (actual !== id) throw expectedGot('data.blob.mismatch', 'blob bytes', `bytes hashing to ${id}`, actual);
  return bytes;
}

/** Polls `probe` every `everyMs` until it returns a value, or throws fl.controller.timeout after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 40): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw expectedGot('fl.controller.timeout', what, `within ${timeoutMs} ms`, 'nothing');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
