/**
 * A participant's connection to a node for federated learning: its own signed event chain (events of
 * one author are submitted one at a time, in chain order, whichever async task produced them), the
 * relay's reads (task view, a stage's messages) and the blob store.
 */
import { HindsightError, expectedGot } from '../core/errors.js';
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
export type WaitCondition =
  | { for: 'joined'; count: number }
  | { for: 'messages'; round: number; group: number; stage: string; count: number; to?: number }
  | { for: 'closed'; round: number; group: number; stage: string; to?: number }
  | { for: 'completed'; round: number }
  | { for: 'finished' };

export type WaitReply = { ready: boolean; completed: number; finished: boolean; joined: number; model: string | null; closed: number[] | null; messages: RelayMessage[] };

/**
 * Up to two more tries after a connection failure: a kept-alive socket the node closed just as a
 * request went out fails that request (EPIPE / ECONNRESET) though the node is fine.
 */
async function retryConnection<T>(run: () => Promise<T>, transient: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!transient(error) || attempt >= 3) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

const CHAIN_CONFLICT = new Set(['event.forkedPrev', 'event.nonceReplayed']);

export class FlNode {
  readonly client: HttpClient;
  readonly base: string;
  #chain: EventChain | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Bytes this participant uploaded in event and blob bodies (what the per-controller figures count). */
  sentBytes = 0;
  /** Bytes of the replies it read (relay messages, models, task views). */
  receivedBytes = 0;

  constructor(node: string, readonly signer: Signer) {
    this.base = node.replace(/\/+$/, '');
    this.client = new HttpClient(this.base);
  }

  async #json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | null> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text) this.sentBytes += text.length;
    const res = await retryConnection(() => fetch(`${this.base}${path}`, { method, ...(text ? { body: text, headers: { 'content-type': 'application/json' } } : {}) }), (e) => e instanceof TypeError);
    const raw = await res.text();
    this.receivedBytes += raw.length;
    const parsed = JSON.parse(raw) as unknown;
    if (res.status === 404 && method === 'GET') return null;
    if (!res.ok) throw errorFromBody(res.status, parsed);
    return parsed as T;
  }

  /** Signs and submits the next event of this participant's chain (serialized). */
  submit(type: string, payload: Record<string, unknown>): Promise<string> {
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
        this.sentBytes += JSON.stringify(event).length;
        try {
          // Sending the same signed event again is safe: the node answers a copy with its first receipt.
          return (await retryConnection(() => this.client.submit(event), (e) => e instanceof NodeUnavailableError && e.code === 'node.unreachable')).cid;
        } catch (error) {
          await this.#chain.sync(this.client); // the node refused it: the chain head did not move
          if (!(error instanceof HindsightError && CHAIN_CONFLICT.has(error.code)) || attempt >= 3) throw error;
        }
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
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
    return new Uint8Array(Buffer.from(reply.data, 'base64'));
  }
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
