import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { HindsightError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { EventStream } from './event-stream.js';
import { HttpError, toErrorReply, type ErrorReply } from './http-errors.js';
import { DEFAULT_MAX_JSON_DEPTH, installJsonParser } from './json-body.js';
import { NodeMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { serveWebApp } from './web-app.js';
import { claimedAuthor, routes, type RouteContext } from './routes.js';
import { flRoutes, foregroundRequest } from './fl-relay.js';
import type { InferenceService } from './inference-service.js';
import { verifyHere } from '../engine/intake.js';
import { SubmitBatcher } from '../engine/submit-batcher.js';
import { VerifyPool } from '../engine/verify-pool.js';

export type RateLimits = {
  /** Requests per minute from one IP, every route (default 60,000). */
  perIpPerMinute?: number;
  /** Signed events per minute from one author DID on POST /v1/events (default 6,000). */
  perDidPerMinute?: number;
};

export type NodeServerOptions = {
  engine: Engine;
  /** Largest request body in bytes (default 256 KiB: the 64 KiB payload limit plus envelope and CACAO). */
  bodyLimit?: number;
  rateLimit?: RateLimits | false;
  /** fastify/pino logger options; false for silence (tests). Requests are logged without bodies. */
  logger?: FastifyServerOptions['logger'];
  /** Most events committed in one append transaction (default 1000). */
  maxBatch?: number;
  /** Follower mode: the leader's URL, and how far behind it this node is. */
  leader?: string;
  followerStatus?: () => { lag: number; error?: string };
  metrics?: NodeMetrics;
  /** Worker threads for signature checks (0 = verify on the main thread). */
  verifyThreads?: number;
  /** Models this node serves on POST /v1/predict. */
  inference?: InferenceService;
  /** How long close() lets in-flight requests finish before cutting connections (default 3 s). */
  shutdownGraceMs?: number;
  /** Deepest nesting of arrays/objects a JSON body may have (default 64): deeper is a 400 before parsing. */
  maxJsonDepth?: number;
};

export type NodeServer = {
  app: FastifyInstance;
  metrics: NodeMetrics;
  batcher: SubmitBatcher;
  /** Stops accepting connections, ends streams, finishes in-flight submissions. The engine stays open. */
  close(): Promise<void>;
};

export const API_VERSION = '1.0.0';

/** The HTTP node: routes.ts's table on fastify, with limits, metrics and error mapping around it. */
export async function buildNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const { engine } = options;
  const metrics = options.metrics ?? new NodeMetrics();
  const pool = options.verifyThreads ? new VerifyPool(options.verifyThreads) : undefined;
  const batcher = new SubmitBatcher(engine, {
    maxBatch: options.maxBatch,
    onBatch: (n) => metrics.batchSize.observe(n),
    // A pool whose worker died is skipped: its events are then checked on this thread.
    check: pool ? (lane) => (pool.healthy ? (raw, o) => pool.verify(raw, o, lane) : verifyHere) : undefined,
  });
  const bodyLimit = options.bodyLimit ?? 256 * 1024;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // Only idle keep-alive sockets are closed on shutdown; requests in flight are finished.
    forceCloseConnections: 'idle',
    // Errors fastify meets before routing (a path that does not percent-decode) get our error body too.
    frameworkErrors: (error, _request, reply) => {
      const { status, body, headers } = toErrorReply(error, { bodyLimit });
      if (headers) void (reply as FastifyReply).headers(headers);
      void (reply as FastifyReply).code(status).send(body);
    },
  });
  // Events are JSON only: without this, fastify would hand a text/plain body to the handler as a string.
  app.removeContentTypeParser('text/plain');
  installJsonParser(app, options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);
  const streams = new Set<EventStream>();
  let openapi: object | undefined;
  const ctx: RouteContext = {
    engine, batcher, metrics, streams, leader: options.leader, followerStatus: options.followerStatus, inference: options.inference,
    openapi: () => (openapi ??= buildOpenApi(routes, { version: API_VERSION })),
  };

  app.setErrorHandler((error, request, reply) => {
    const { status, body, headers } = toErrorReply(error, { bodyLimit });
    if (status >= 500) {
      // The answer says only "internal"; the log keeps the real code, details and stack.
      const known = error instanceof HindsightError ? { code: error.code, details: error.details } : { code: body.code };
      const e = error as Error | undefined;
      request.log.error({ ...known, err: { message: e?.message ?? String(error), stack: e?.stack } }, 'request failed');
    }
    else request.log.info({ code: body.code, status }, 'request refused');
    if (headers) void reply.headers(headers);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'http.notFound', kind: 'http', message: `route: expected one of the API's routes (see /openapi.json), got ${request.method} ${request.url.split('?')[0]}` } satisfies ErrorReply['body']);
  });

  if (options.rateLimit !== false) {
    const limits = options.rateLimit ?? {};
    const perDid = limits.perDidPerMinute ?? 6_000;
    await app.register(rateLimit, {
      global: true,
      max: limits.perIpPerMinute ?? 60_000,
      timeWindow: 60_000,
      errorResponseBuilder: (_req, c) => new HttpError(429, 'http.rateLimited', `requests: expected at most ${c.max} per minute from one IP, got more; retry in ${c.after}`, { field: 'ip' }),
    });
    const didLimiter = app.createRateLimit({ max: perDid, timeWindow: 60_000, keyGenerator: (req) => `did:${claimedAuthor(req.body)}` });
    // Only new events whose signature verified count against their DID (routes.ts), so nobody can
    // use up someone else's budget by sending garbage in their name or re-sending their logged
    // events; the check itself runs before verifying.
    ctx.limitAuthor = async (req, count) => {
      if (!claimedAuthor(req.body)) return;
      const result = await didLimiter(req, { increment: count });
      if (!count && !result.isAllowed && result.remaining <= 0) {
        const retry = String(Math.max(1, result.ttlInSeconds));
        throw new HttpError(429, 'http.rateLimited', `author: expected at most ${perDid} events per minute from one DID, got more; retry in ${retry}s`, { field: 'author' }, { 'retry-after': retry });
      }
    };
  }

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  // SSE connections never end by themselves: end them so close() can finish.
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) stream.close();
  });

  await serveWebApp(app);
  for (const route of routes) {
    const relay = flRoutes.includes(route);
    app.route({
      method: route.method, url: route.url,
      handler: (req, reply) => {
        if (!relay) foregroundRequest(ctx);
        return route.handler(ctx, req, reply);
      },
    });
  }

  return {
    app,
    metrics,
    batcher,
    close: async () => {
      // In-flight requests get a grace period; a client that holds a connection open past it
      // (a half-read long poll, a stalled upload) is cut so shutdown always finishes.
      const cut = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 3_000);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      await batcher.drain();
      await pool?.close();
    },
  };
}
