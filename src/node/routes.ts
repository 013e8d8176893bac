import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ErrorCode } from '../core/error-codes.js';
import { ValidationError } from '../core/errors.js';
import { canonicalDid } from '../events/did.js';
import { stateHash } from '../game/canonical.js';
import type { Engine } from '../engine/engine.js';
import type { SubmitBatcher } from '../engine/submit-batcher.js';
import { AuthorView, CommitteeView, CommunityView, EventsPage, LeaderboardView, MarketView, MemberView, ModelView, RoundView, StateView, SubmissionsView, SubmitReply } from '../engine/view-schemas.js';
import { authorView, communityView, findCommittee, findMarket, findMember, findRound, findSubmissions, leaderboardView, modelView, readLogPage, stateView } from '../engine/views.js';
import { claimedAuthorOf, SignedEventSchema } from '../events/dag-jws.js';
import { AuthorParams, ErrorBody, EventsQuery, HealthBody, ReadyBody, MarketParams, ModelParams, PredictAnswer, RoundParams, StreamQuery } from './api-schemas.js';
import { EventStream, FOLLOWER_HEADER, streamStart } from './event-stream.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { HttpError, type ErrorReply } from './http-errors.js';
import { checkReadiness } from './readiness.js';
import { parseRequestPart as parse } from './request-parts.js';
import type { NodeMetrics } from './metrics.js';
import { PredictBody, type InferenceService } from './inference-service.js';
import { flRoutes } from './fl-relay.js';
import { acceptEvent } from './accept-event.js';
import { chainRoutes } from './chain-routes.js';

/** What the handlers share: one node's engine and its HTTP-side helpers. */
export type RouteContext = {
  engine: Engine;
  batcher: SubmitBatcher;
  metrics: NodeMetrics;
  streams: Set<EventStream>;
  /** Set on a follower: POST /v1/events is redirected (307) to this leader URL. */
  leader?: string;
  followerStatus?: () => { lag: number; error?: string };
  /** Per-DID rate limit: `count=false` only checks, `count=true` records a new event the DID signed. */
  limitAuthor?: (req: FastifyRequest, count: boolean) => Promise<void>;
  openapi: () => object;
  /** Set when the node serves models (node start --models DIR). */
  inference?: InferenceService;
};

/** Open /v1/stream subscriptions of follower nodes (they say so in FOLLOWER_HEADER): /healthz counts them. */
const followerStreams = new WeakSet<EventStream>();

type Response = { description: string; schema?: z.ZodType; contentType?: string };
export type RouteSpec = {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, Response>;
  handler: (ctx: RouteContext, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
};

const errors = (...statuses: number[]): Record<number, Response> =>
  Object.fromEntries(statuses.map((s) => [s, { description: ERROR_TEXT[s] ?? 'error', schema: ErrorBody }]));
const ERROR_TEXT: Record<number, string> = {
  307: 'follower: resubmit to the leader named in Location',
  400: 'malformed JSON, schema, size or parameter error',
  401: 'the signature (or delegation) does not verify',
  404: 'no such resource',
  413: 'body larger than the node accepts',
  415: 'content-type is not application/json',
  422: 'a game rule refused the event (balance, phase, prev/nonce, ...)',
  429: 'rate limit (per IP, or per signing DID) exceeded',
};

function notFound(code: ErrorCode, what: string): never {
  throw new HttpError(404, code, `${what}: expected an existing one, got none`);
}

/** Reads the claimed author without verifying anything: enough to key a rate limit. */
export function claimedAuthor(body: unknown): string | undefined {
  const author = claimedAuthorOf(body);
  return author === undefined ? undefined : canonicalDid(author);
}

export const routes: RouteSpec[] = [
  {
    method: 'POST', url: '/v1/events', summary: 'submit one signed event (native envelope or DAG-JWS)', body: SignedEventSchema,
    responses: { 202: { description: 'stored in the log', schema: SubmitReply }, ...errors(307, 400, 401, 413, 415, 422, 429) },
    handler: async (ctx, req, reply) => {
      if (ctx.leader) {
        const location = new URL('/v1/events', ctx.leader).toString();
        reply.code(307).header('location', location);
        return { code: 'node.readOnly', kind: 'http', message: `POST /v1/events: expected a leader node, got a read-only follower; resubmit to ${location}` } satisfies ErrorReply['body'];
      }
      const result = await acceptEvent(ctx, req, req.body);
      reply.code(202);
      return result;
    },
  },
  {
    method: 'GET', url: '/v1/events', summary: 'a page of the log, in order', query: EventsQuery,
    responses: { 200: { description: 'events with seq > after', schema: EventsPage }, ...errors(400) },
    handler: async (ctx, req) => {
      const q = parse(EventsQuery, req.query, 'query');
      return readLogPage(ctx.engine.store, q.after, q.limit);
    },
  },
  {
    method: 'GET', url: '/v1/stream', summary: 'Server-Sent Events of the log (id = seq; resume with Last-Event-ID)', query: StreamQuery,
    responses: { 200: { description: 'text/event-stream; each `event: event` carries a LoggedEvent as data', contentType: 'text/event-stream' }, ...errors(400) },
    handler: async (ctx, req, reply) => {
      const q = parse(StreamQuery, req.query, 'query');
      const after = streamStart(req.headers['last-event-id'], q.after);
      reply.hijack();
      ctx.metrics.streamClients.inc();
      const stream: EventStream = new EventStream(ctx.engine.store, reply.raw, after, () => {
        ctx.streams.delete(stream);
        ctx.metrics.streamClients.dec();
      });
      ctx.streams.add(stream);
      if (req.headers[FOLLOWER_HEADER] === 'follower') followerStreams.add(stream);
      return reply;
    },
  },
  {
    method: 'GET', url: '/v1/state', summary: 'state summary and stateHash',
    responses: { 200: { description: 'StateView', schema: StateView } },
    handler: async (ctx) => stateView(ctx.engine.state),
  },
  {
    method: 'GET', url: '/v1/community', summary: 'the community this node serves',
    responses: { 200: { description: 'CommunityView', schema: CommunityView }, ...errors(404) },
    handler: async (ctx) => communityView(ctx.engine.state) ?? notFound('community.notFound', 'community'),
  },
  {
    method: 'GET', url: '/v1/authors/:did', summary: "an author's chain head, nonce and balance", params: AuthorParams,
    responses: { 200: { description: 'AuthorView', schema: AuthorView }, ...errors(400) },
    handler: async (ctx, req) => authorView(ctx.engine.state, parse(AuthorParams, req.params, 'params').did),
  },
  {
    method: 'GET', url: '/v1/rounds/:round', summary: 'one round', params: RoundParams,
    responses: { 200: { description: 'RoundView', schema: RoundView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { round } = parse(RoundParams, req.params, 'params');
      return findRound(ctx.engine.state, round) ?? notFound('round.notFound', `round ${round}`);
    },
  },
  {
    method: 'GET', url: '/v1/rounds/:round/committee', summary: "a round's labelling committee", params: RoundParams,
    responses: { 200: { description: 'CommitteeView', schema: CommitteeView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { round } = parse(RoundParams, req.params, 'params');
      return findCommittee(ctx.engine.state, round) ?? notFound('round.notFound', `committee of round ${round}`);
    },
  },
  {
    method: 'GET', url: '/v1/rounds/:round/submissions', summary: "members' item submissions to a round", params: RoundParams,
    responses: { 200: { description: 'SubmissionsView', schema: SubmissionsView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { round } = parse(RoundParams, req.params, 'params');
      return findSubmissions(ctx.engine.state, round) ?? notFound('round.notFound', `round ${round}`);
    },
  },
  {
    method: 'GET', url: '/v1/members/:did', summary: 'one member: bond, unbonding, slashes, rewards', params: AuthorParams,
    responses: { 200: { description: 'MemberView', schema: MemberView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { did } = parse(AuthorParams, req.params, 'params');
      return findMember(ctx.engine.state, did) ?? notFound('member.notMember', `member ${did}`);
    },
  },
  {
    method: 'GET', url: '/v1/markets/:round/:item', summary: 'one market: prices, volume, positions', params: MarketParams,
    responses: { 200: { description: 'MarketView', schema: MarketView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { round, item } = parse(MarketParams, req.params, 'params');
      return findMarket(ctx.engine.state, round, item) ?? notFound('market.notFound', `market ${round}/${item}`);
    },
  },
  {
    method: 'GET', url: '/v1/leaderboard', summary: 'models ranked by profit',
    responses: { 200: { description: 'LeaderboardView', schema: LeaderboardView } },
    handler: async (ctx) => ({ rows: leaderboardView(ctx.engine.state) }),
  },
  {
    method: 'GET', url: '/v1/models/:hash', summary: 'a committed model', params: ModelParams,
    responses: { 200: { description: 'ModelView', schema: ModelView }, ...errors(400, 404) },
    handler: async (ctx, req) => {
      const { hash } = parse(ModelParams, req.params, 'params');
      return modelView(ctx.engine.state, hash) ?? notFound('model.notFound', `model ${hash}`);
    },
  },
  {
    method: 'POST', url: '/v1/predict', summary: 'inference: the best-ranked model this node serves (or the one named), optionally with a ZK proof', body: PredictBody,
    responses: { 200: { description: 'PredictReply, or ServedReply when serve = blend | leader', schema: PredictAnswer }, ...errors(400, 404, 413, 415) },
    handler: async (ctx, req) => {
      if (!ctx.inference) throw new HttpError(404, 'predict.disabled', 'inference: expected a node started with --models DIR, got one serving no models');
      const body = PredictBody.safeParse(req.body);
      if (!body.success) {
        const issue = body.error.issues[0]!;
        const field = ['body', ...issue.path.map(String)].join('.');
        throw new ValidationError('predict.invalidBody', `${field}: ${issue.message}`, { field });
      }
      return ctx.inference.predict(ctx.engine.state, body.data);
    },
  },
  {
    method: 'GET', url: '/healthz', summary: 'liveness and position',
    responses: { 200: { description: 'healthy', schema: HealthBody }, 503: { description: 'follower halted (see error)', schema: HealthBody } },
    handler: async (ctx, _req, reply) => {
      const f = ctx.followerStatus?.();
      const body = {
        ok: !f?.error, role: ctx.leader ? 'follower' : 'leader', mode: ctx.engine.mode, store: ctx.engine.store.kind,
        seq: ctx.engine.state.seq, stateHash: stateHash(ctx.engine.state),
        followers: [...ctx.streams].filter((s) => followerStreams.has(s)).length,
        ...(ctx.leader ? { leader: ctx.leader, lag: f?.lag ?? 0 } : {}), ...(f?.error ? { error: f.error } : {}),
      };
      if (!body.ok) reply.code(503);
      return body;
    },
  },
  {
    method: 'GET', url: '/readyz', summary: 'readiness: the store answers and the follower runs',
    responses: { 200: { description: 'ready', schema: ReadyBody }, 503: { description: 'not ready (reason; Retry-After)', schema: ReadyBody } },
    handler: async (ctx, _req, reply) => {
      const readiness = await checkReadiness(ctx.engine.store, ctx.followerStatus?.().error);
      if (readiness.ready) return { ready: true };
      reply.code(503).header('retry-after', String(readiness.retryAfterSeconds));
      return { ready: false, reason: readiness.reason, ...(readiness.code ? { code: readiness.code } : {}) };
    },
  },
  {
    method: 'GET', url: '/metrics', summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
    handler: async (ctx, _req, reply) => {
      ctx.metrics.head.set(ctx.engine.state.seq);
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  },
  {
    method: 'GET', url: '/openapi.json', summary: 'this document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
    handler: async (ctx) => ctx.openapi(),
  },
  // Federated learning: the SecAgg relay and the blob store (fl-relay.ts).
  ...flRoutes,
  ...chainRoutes,
  // Read views for the web dashboard (dashboard-routes.ts).
  ...dashboardRoutes,
];
