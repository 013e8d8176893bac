import type { z } from 'zod';
import { isErrorCode, type ErrorCode } from '../core/error-codes.js';
import { AuthError, GameRejection, HindsightError, StoreError, ValidationError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import {
  AuthorView, CommitteeView, CommunityView, EventsPage, LeaderboardView, MarketView, MemberView, ModelView, RoundView, StateView, SubmissionsView, SubmitReply,
  type LeaderboardRow, type SubmissionView, type LoggedEvent,
} from '../engine/view-schemas.js';
import type { HindsightClient } from './client.js';

/** A failure the node reported at the HTTP level (rate limit, body size, unknown route, ...). */
export class NodeHttpError extends HindsightError {}

/** The node could not be reached or answered something that is not the API. */
export class NodeUnavailableError extends HindsightError {}

type ErrorBody = { code: string; kind?: string; message: string; field?: string; seq?: number };
export type { LeaderboardRow, LoggedEvent };

export type HttpClientOptions = { timeoutMs?: number };

/**
 * HindsightClient over a node's HTTP API: the same answers as EmbeddedClient, and failures as the
 * same HindsightError subclasses with the node's code, message and field.
 */
export class HttpClient implements HindsightClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly options: HttpClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async community(): Promise<CommunityView | null> {
    return this.#getOrNull(CommunityView, '/v1/community');
  }

  async state(): Promise<StateView> {
    return this.#request(StateView, 'GET', '/v1/state');
  }

  async author(did: string): Promise<AuthorView> {
    return this.#request(AuthorView, 'GET', `/v1/authors/${encodeURIComponent(did)}`);
  }

  async submit(event: SignedEvent): Promise<SubmitReply> {
    return this.#request(SubmitReply, 'POST', '/v1/events', event);
  }

  async round(round: number): Promise<RoundView | null> {
    return this.#getOrNull(RoundView, `/v1/rounds/${round}`);
  }

  async market(round: number, item: string): Promise<MarketView | null> {
    return this.#getOrNull(MarketView, `/v1/markets/${round}/${encodeURIComponent(item)}`);
  }

  async committee(round: number): Promise<CommitteeView | null> {
    return this.#getOrNull(CommitteeView, `/v1/rounds/${round}/committee`);
  }

  async member(did: string): Promise<MemberView | null> {
    return this.#getOrNull(MemberView, `/v1/members/${encodeURIComponent(did)}`);
  }

  async submissions(round: number): Promise<SubmissionView[]> {
    return (await this.#getOrNull(SubmissionsView, `/v1/rounds/${round}/submissions`))?.submissions ?? [];
  }

  async leaderboard(): Promise<LeaderboardRow[]> {
    return (await this.#request(LeaderboardView, 'GET', '/v1/leaderboard')).rows;
  }

  async model(hash: string): Promise<ModelView | null> {
    return this.#getOrNull(ModelView, `/v1/models/${encodeURIComponent(hash)}`);
  }

  async events(after: number, limit = 1000): Promise<LoggedEvent[]> {
    return (await this.eventsPage(after, limit)).events;
  }

  /** One page of the log plus the node's head (followers use the head to report their lag). */
  async eventsPage(after: number, limit = 1000): Promise<EventsPage> {
    return this.#request(EventsPage, 'GET', `/v1/events?after=${after}&limit=${Math.min(limit, 1000)}`);
  }

  async close(): Promise<void> {}

  async #getOrNull<S extends z.ZodType>(schema: S, path: string): Promise<z.output<S> | null> {
    try {
      return await this.#request(schema, 'GET', path);
    } catch (error) {
      if (error instanceof HindsightError && error.details.status === 404 && error.code !== 'http.notFound') return null;
      throw error;
    }
  }

  /** One call; the answer is checked against the view's schema, so a node that is not this API fails loudly. */
  async #request<S extends z.ZodType>(schema: S, method: 'GET' | 'POST', path: string, body?: unknown): Promise<z.output<S>> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new NodeUnavailableError('node.unreachable', `${method} ${this.baseUrl}${path}: expected an answer, got ${(cause as Error).message}`, { field: 'node' }, { cause });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new NodeUnavailableError('node.badResponse', `${method} ${path}: expected JSON, got ${response.status} ${text.slice(0, 80)}`, { status: response.status }, { cause });
    }
    if (!response.ok) throw errorFromBody(response.status, parsed);
    const checked = schema.safeParse(parsed);
    if (checked.success) return checked.data;
    const issue = checked.error.issues[0]!;
    throw new NodeUnavailableError('node.badResponse', `${method} ${path}: expected ${schema.description ?? 'the API view'}, got a body whose ${issue.path.join('.') || 'root'} fails: ${issue.message}`, { status: response.status, field: issue.path.join('.') });
  }
}

/**
 * Rebuilds the node's HindsightError subclass from its error body (kind says which class). A code
 * this client does not list (a 500's `internal`, or a newer node's code) becomes node.internal or
 * node.unknownCode, and the node's own code stays in details.nodeCode.
 */
export function errorFromBody(status: number, body: unknown): HindsightError {
  const b = body as Partial<ErrorBody> | undefined;
  if (!b || typeof b.code !== 'string' || typeof b.message !== 'string') {
    return new NodeUnavailableError('node.badResponse', `expected an error body {code, message}, got HTTP ${status}`, { status });
  }
  const code: ErrorCode = isErrorCode(b.code) ? b.code : b.kind === 'internal' ? 'node.internal' : 'node.unknownCode';
  const details = { field: b.field, status, ...(b.seq !== undefined ? { seq: b.seq } : {}), ...(code !== b.code ? { nodeCode: b.code } : {}) };
  switch (b.kind) {
    case 'validation':
      return new ValidationError(code, b.message, details);
    case 'auth':
      return new AuthError(code, b.message, details);
    case 'rejection':
      return new GameRejection(code, b.message, details);
    case 'store':
      return new StoreError(code, b.message, details);
    default:
      return new NodeHttpError(code, b.message, details);
  }
}
