/**
 * Taking one signed event in over HTTP: the per-author rate limit, the submit batcher (verify,
 * apply, append) and the submission metrics. POST /v1/events and the FL relay's step route (an
 * event and a wait in one request) share it.
 */
import type { FastifyRequest } from 'fastify';
import { GameRejection } from '../core/errors.js';
import type { SubmitReply } from '../engine/view-schemas.js';
import type { VerifyLane } from '../engine/verify-pool.js';
import type { RouteContext } from './routes.js';

/**
 * Appends `event` (or finds it already logged) and returns the receipt; a refusal is thrown as is.
 * `lane`: background for the relay's bulk traffic, whose signature checks let the market's go first.
 */
export async function acceptEvent(ctx: RouteContext, req: FastifyRequest, event: unknown, lane: VerifyLane = 'foreground'): Promise<SubmitReply> {
  // The rate limiter reads the author from the request body: give it the event itself.
  const asEvent = req.body === event ? req : (Object.create(req, { body: { value: event } }) as FastifyRequest);
  await ctx.limitAuthor?.(asEvent, false);
  const outcome = await ctx.batcher.submit(event, lane);
  if (!outcome.ok) {
    ctx.metrics.submitted.inc({ outcome: outcome.error.code });
    if (outcome.error instanceof GameRejection) await ctx.limitAuthor?.(asEvent, true);
    throw outcome.error;
  }
  // A duplicate (an event already in the log, which anyone can read and re-send) costs its author nothing.
  if (!outcome.result.duplicate) await ctx.limitAuthor?.(asEvent, true);
  ctx.metrics.submitted.inc({ outcome: outcome.result.duplicate ? 'duplicate' : 'accepted' });
  return outcome.result;
}
