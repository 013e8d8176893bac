import { z } from 'zod';
import { EnvelopeSchema } from '../events/envelope.js';
import { DidText, ItemId, ModelHash } from '../events/types/common.js';

/**
 * The zod schemas of the HTTP API: the route handlers validate requests with them and
 * openapi.ts turns the same objects into /openapi.json, so the document cannot drift from the code.
 */

/** Query numbers arrive as text; coerce, then insist on a non-negative integer. */
const QueryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ErrorBody = z
  .object({
    code: z.string().describe('stable error code, e.g. sig.invalid, event.schema, http.rateLimited'),
    kind: z.enum(['validation', 'auth', 'rejection', 'store', 'http', 'internal']).describe('which HindsightError class the code belongs to'),
    message: z.string().describe('"field: expected X, got Y"'),
    field: z.string().optional().describe('the request field at fault, when there is one'),
    seq: z.number().int().optional().describe('shared mode: where a rejected event sits in the log'),
  })
  .describe('every 4xx/5xx answer');

export const AcceptedBody = z.strictObject({
  cid: z.string().describe('the event id (CIDv1, dag-cbor, sha2-256)'),
  seq: z.number().int().min(1).describe('its position in the log'),
  duplicate: z.boolean().describe('true when the same event was already stored (idempotent resubmission)'),
});

export const EventsQuery = z.strictObject({
  after: QueryInt(0, Number.MAX_SAFE_INTEGER).default(0).describe('return events with seq > after'),
  limit: QueryInt(1, 1000).default(100),
});

export const StreamQuery = z.strictObject({
  after: QueryInt(0, Number.MAX_SAFE_INTEGER).optional().describe('start after this seq; the Last-Event-ID header wins when both are given'),
});

export const RoundParams = z.strictObject({ round: QueryInt(1, 1_000_000_000) });
export const MarketParams = z.strictObject({ round: QueryInt(1, 1_000_000_000), item: ItemId });
export const ModelParams = z.strictObject({ hash: ModelHash });
export const AuthorParams = z.strictObject({ did: DidText });

export const LoggedEventBody = z.strictObject({
  seq: z.number().int().min(1),
  cid: z.string(),
  type: z.string(),
  author: z.string(),
  round: z.number().int().nullable(),
  event: EnvelopeSchema,
});
export const EventsPage = z.strictObject({ events: z.array(LoggedEventBody), head: z.number().int().min(0) });

export const HealthBody = z.strictObject({
  ok: z.boolean(),
  role: z.enum(['leader', 'follower']),
  mode: z.enum(['exclusive', 'shared']),
  store: z.enum(['sqlite', 'postgres']),
  seq: z.number().int(),
  stateHash: z.string(),
  leader: z.string().optional(),
  lag: z.number().int().optional().describe('follower: events the leader has that this node has not applied'),
  error: z.string().optional(),
});

/** Read models come from src/game/views.ts; described loosely (money is decimal strings of micro-units). */
export const ViewBody = (what: string) => z.looseObject({}).describe(what);

export { EnvelopeSchema };
