/**
 * The node's part in federated learning: it relays secure-aggregation messages and stores opaque
 * blobs. Every SecAgg message is a signed `fl.update` event in the log; the node only indexes them
 * (fl-relay-index.ts) so a controller can fetch what concerns it (the keys of its group, the shares
 * addressed to it) instead of reading the whole log. Shares are encrypted to their holder and masked
 * inputs are masked, so the node learns nothing but the group sums the operator unmasks.
 *
 * Blobs are content-addressed bytes (`sha256-<hex>`): a member's encrypted data chunks and the
 * models an operator publishes. The node checks the address and nothing else; it never holds a key.
 */
import { z } from 'zod';
import { blobIdOf } from '../core/encoding.js';
import { ValidationError } from '../core/errors.js';
import type { GameState } from '../game/state.js';
import { HttpError } from './http-errors.js';
import type { RouteContext, RouteSpec } from './routes.js';
import { FlWaitQuery, FlWaitReply, FlWaiters, missingField } from './fl-wait.js';
import { acceptEvent } from './accept-event.js';
import { BackgroundLane } from './background-lane.js';
import { FlRelayIndex } from './fl-relay-index.js';
import { SignedEventSchema } from '../events/dag-jws.js';
import { SubmitReply } from '../engine/view-schemas.js';

export const BLOB_ID = /^sha256-[0-9a-f]{64}$/;
/** Largest blob: what fits a request body as base64 with room to spare (members split data into chunks). */
export const MAX_BLOB_BYTES = 160 * 1024;

export const BlobId = z.string().regex(BLOB_ID, 'a blob id: sha256- and 64 lowercase hex digits');
export const BlobBody = z.strictObject({ data: z.string().max(4 * Math.ceil(MAX_BLOB_BYTES / 3)).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64') });
export const BlobReply = z.strictObject({ id: BlobId, bytes: z.number().int() });
export const BlobData = z.strictObject({ id: BlobId, data: z.string() });
export const BlobParams = z.strictObject({ id: BlobId });

export const FlTaskParams = z.strictObject({ task: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a task id') });
export const FlMessagesQuery = z.strictObject({
  round: z.coerce.number().int().min(1).max(1_000_000_000),
  group: z.coerce.number().int().min(0).max(999),
  stage: z.enum(['keys', 'shares', 'masked', 'unmask']),
  /** Shares only: the holder whose inbox to return. */
  to: z.coerce.number().int().min(1).max(2 ** 31).optional(),
});

export const FlTaskView = z.strictObject({
  task: z.string(),
  operator: z.string(),
  parameters: z.number().int(),
  rounds: z.number().int(),
  clientsPerRound: z.number().int(),
  completed: z.number().int(),
  budget: z.string(),
  paid: z.string(),
  finished: z.boolean(),
  secureAggregation: z.boolean(),
  models: z.array(z.string()),
  modelBlobs: z.array(z.string().nullable()),
  controllers: z.array(z.strictObject({ did: z.string(), slot: z.number().int(), examples: z.number().int(), earned: z.string() })),
  /** This round's closed stages: the slots that count. */
  closed: z.array(z.strictObject({ group: z.number().int(), stage: z.string(), slots: z.array(z.number().int()) })),
});
export type FlTaskView = z.infer<typeof FlTaskView>;

/** An event and a wait in one request: what a controller sends at each SecAgg stage. */
export const FlStepBody = z.strictObject({ event: SignedEventSchema, wait: FlWaitQuery });
/** The same shape as parsed here: the event itself is checked by the node's intake (verify, apply), once. */
const FlStepShape = z.strictObject({ event: z.record(z.string(), z.unknown()), wait: FlWaitQuery });
export const FlStepReply = z.strictObject({ ...SubmitReply.shape, wait: FlWaitReply });

export const FlMessages = z.strictObject({ messages: z.array(z.strictObject({ slot: z.number().int(), author: z.string(), body: z.record(z.string(), z.unknown()) })) });
export type FlMessages = z.infer<typeof FlMessages>;

export function flTaskView(state: GameState, id: string): FlTaskView | null {
  const t = state.fl.get(id);
  if (!t) return null;
  return {
    task: t.task, operator: t.operator, parameters: t.parameters, rounds: t.rounds, clientsPerRound: t.clientsPerRound, completed: t.completed,
    budget: t.budget.toString(), paid: t.paid.toString(), finished: t.finished, secureAggregation: t.secureAggregation, models: [...t.models], modelBlobs: [...t.modelBlobs],
    controllers: [...t.controllers].map(([did, c]) => ({ did, slot: c.slot, examples: c.examples, earned: c.earned.toString() })),
    closed: [...t.closed].map(([key, slots]) => ({ group: Number(key.split('/')[0]), stage: key.split('/')[1]!, slots: [...slots] })),
  };
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, field: string, code: 'http.invalidParams' | 'http.invalidQuery' | 'data.blob.invalid' | 'fl.relay.badStep'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = [field, ...issue.path.map(String)].join('.');
  throw new ValidationError(code, `${where}: ${issue.message}`, { field: where });
}

const relays = new WeakMap<RouteContext, FlRelayIndex>();
const relayOf = (ctx: RouteContext) => {
  let r = relays.get(ctx);
  if (!r) relays.set(ctx, (r = new FlRelayIndex(ctx.engine.store, relayLaneOf(ctx))));
  return r;
};

/** The relay's lane (background-lane.ts): its requests and wake-ups let the market's requests go first. */
const lanes = new WeakMap<RouteContext, BackgroundLane>();
const relayLaneOf = (ctx: RouteContext) => {
  let l = lanes.get(ctx);
  if (!l) lanes.set(ctx, (l = new BackgroundLane()));
  return l;
};

/** A request of the market (not the relay's): the relay's lane yields to it for a while (background-lane.ts). */
export function foregroundRequest(ctx: RouteContext): void {
  lanes.get(ctx)?.foreground();
}

const waiters = new WeakMap<RouteContext, FlWaiters>();
const waitersOf = (ctx: RouteContext) => {
  let w = waiters.get(ctx);
  if (!w) waiters.set(ctx, (w = new FlWaiters(relayOf(ctx), () => ctx.engine.state, (listener) => ctx.engine.onAppended(listener), relayLaneOf(ctx))));
  return w;
};

/**
 * The latest blobs put or read, as base64, by id (content-addressed, so never stale): every
 * controller reads each round's model, and a store read plus an encoding per reader added up.
 */
class BlobCache {
  readonly #entries = new Map<string, string>();
  #chars = 0;

  constructor(private readonly maxChars = 16 * 1024 * 1024) {}

  get(id: string): string | undefined {
    return this.#entries.get(id);
  }

  set(id: string, base64: string): void {
    if (this.#entries.has(id) || base64.length > this.maxChars) return;
    this.#entries.set(id, base64);
    this.#chars += base64.length;
    for (const [old, value] of this.#entries) {
      if (this.#chars <= this.maxChars) break;
      this.#entries.delete(old);
      this.#chars -= value.length;
    }
  }
}

const blobCaches = new WeakMap<RouteContext, BlobCache>();
const blobsOf = (ctx: RouteContext) => {
  let c = blobCaches.get(ctx);
  if (!c) blobCaches.set(ctx, (c = new BlobCache()));
  return c;
};

/** A stored blob as base64 (from the cache when it is there), or undefined when the node has none. */
async function blobBase64(ctx: RouteContext, id: string): Promise<string | undefined> {
  const cached = blobsOf(ctx).get(id);
  if (cached !== undefined) return cached;
  const bytes = await ctx.engine.store.getMeta(`blob/${id}`);
  if (!bytes) return undefined;
  const data = Buffer.from(bytes).toString('base64');
  blobsOf(ctx).set(id, data);
  return data;
}

/** A wait's answer, with the model's bytes when the wait asked to include them. */
async function answerWait(ctx: RouteContext, task: string, q: FlWaitQuery): Promise<FlWaitReply> {
  const reply = await waitersOf(ctx).wait(task, q);
  if (q.include !== 'model' || reply.model === null) return reply;
  const modelData = await blobBase64(ctx, reply.model);
  return modelData === undefined ? reply : { ...reply, modelData };
}

const errorsOf = (statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { description: s === 404 ? 'no such task or blob' : 'bad parameter or body' }]));

export const flRoutes: RouteSpec[] = [
  {
    method: 'GET', url: '/v1/fl/tasks/:task', summary: 'a federated-learning task: controllers and slots, models, escrow, closed stages', params: FlTaskParams,
    responses: { 200: { description: 'FlTaskView', schema: FlTaskView }, ...errorsOf([400, 404]) },
    handler: async (ctx, req) => {
      const { task } = parseWith(FlTaskParams, req.params, 'params', 'http.invalidParams');
      return flTaskView(ctx.engine.state, task) ?? (() => { throw new HttpError(404, 'fl.relay.notFound', `task: expected an existing FL task, got ${JSON.stringify(task)}`); })();
    },
  },
  {
    method: 'GET', url: '/v1/fl/tasks/:task/messages', summary: "the relay: one stage's fl.update messages of a group (shares: only those addressed to `to`)", params: FlTaskParams, query: FlMessagesQuery,
    responses: { 200: { description: 'FlMessages', schema: FlMessages }, ...errorsOf([400, 404]) },
    handler: (ctx, req) => relayLaneOf(ctx).run(async () => {
      const { task } = parseWith(FlTaskParams, req.params, 'params', 'http.invalidParams');
      const q = parseWith(FlMessagesQuery, req.query, 'query', 'http.invalidQuery');
      if (!ctx.engine.state.fl.has(task)) throw new HttpError(404, 'fl.relay.notFound', `task: expected an existing FL task, got ${JSON.stringify(task)}`);
      const relay = relayOf(ctx);
      await relay.refresh(ctx.engine.state);
      return { messages: relay.messages(task, q.round, q.group, q.stage, q.to) };
    }),
  },
  {
    method: 'GET', url: '/v1/fl/tasks/:task/wait', summary: 'long-poll: answers once the cohort joined, a stage has its messages or its closing, a round ended or the task finished (or when waitMs runs out, ready false)', params: FlTaskParams, query: FlWaitQuery,
    responses: { 200: { description: 'FlWaitReply', schema: FlWaitReply }, ...errorsOf([400, 404]) },
    handler: (ctx, req) => relayLaneOf(ctx).run(() => {
      const { task } = parseWith(FlTaskParams, req.params, 'params', 'http.invalidParams');
      const q = parseWith(FlWaitQuery, req.query, 'query', 'http.invalidQuery');
      const missing = missingField(q);
      if (missing) throw new ValidationError('http.invalidQuery', `query.${missing}: expected a value when waiting for ${q.for}, got none`, { field: `query.${missing}` });
      if (!ctx.engine.state.fl.has(task)) throw new HttpError(404, 'fl.relay.notFound', `task: expected an existing FL task, got ${JSON.stringify(task)}`);
      return answerWait(ctx, task, q);
    }),
  },
  {
    method: 'POST', url: '/v1/fl/tasks/:task/step', summary: 'submit one signed event, then wait as GET …/wait would, in one request (a controller\'s SecAgg stage)', params: FlTaskParams, body: FlStepBody,
    responses: { 200: { description: 'the receipt and the wait\'s answer', schema: FlStepReply }, 307: { description: 'a read-only follower: submit to the leader' }, ...errorsOf([400, 404]) },
    handler: (ctx, req, reply) => relayLaneOf(ctx).run(async () => {
      const { task } = parseWith(FlTaskParams, req.params, 'params', 'http.invalidParams');
      // Everything about the wait is checked before the event is taken in: a bad request changes nothing.
      const { event, wait } = parseWith(FlStepShape, req.body, 'body', 'fl.relay.badStep');
      const missing = missingField(wait);
      if (missing) throw new ValidationError('fl.relay.badStep', `body.wait.${missing}: expected a value when waiting for ${wait.for}, got none`, { field: `body.wait.${missing}` });
      if (!ctx.engine.state.fl.has(task)) throw new HttpError(404, 'fl.relay.notFound', `task: expected an existing FL task, got ${JSON.stringify(task)}`);
      if (ctx.leader) {
        const location = new URL('/v1/events', ctx.leader).toString();
        reply.code(307).header('location', location);
        return { code: 'node.readOnly', kind: 'http', message: `POST ${req.url.split('?')[0]}: expected a leader node, got a read-only follower; submit to ${location}` };
      }
      const receipt = await acceptEvent(ctx, req, event, 'background');
      return { ...receipt, wait: await answerWait(ctx, task, wait) };
    }),
  },
  {
    method: 'POST', url: '/v1/blobs', summary: 'store opaque bytes under their SHA-256 (encrypted data chunks, published models)', body: BlobBody,
    responses: { 200: { description: 'its id', schema: BlobReply }, ...errorsOf([400]) },
    handler: (ctx, req) => relayLaneOf(ctx).run(async () => {
      const { data } = parseWith(BlobBody, req.body, 'body', 'data.blob.invalid');
      const bytes = new Uint8Array(Buffer.from(data, 'base64'));
      if (Buffer.from(bytes).toString('base64') !== data) throw new ValidationError('data.blob.invalid', 'body.data: expected canonical padded base64, got another spelling', { field: 'body.data' });
      const id = blobIdOf(bytes);
      await ctx.engine.store.putMeta(`blob/${id}`, bytes);
      blobsOf(ctx).set(id, data);
      return { id, bytes: bytes.length };
    }),
  },
  {
    method: 'GET', url: '/v1/blobs/:id', summary: 'a stored blob', params: BlobParams,
    responses: { 200: { description: 'the bytes as base64', schema: BlobData }, ...errorsOf([400, 404]) },
    handler: (ctx, req) => relayLaneOf(ctx).run(async () => {
      const { id } = parseWith(BlobParams, req.params, 'params', 'http.invalidParams');
      const data = await blobBase64(ctx, id);
      if (data === undefined) throw new HttpError(404, 'data.blob.notFound', `blob: expected a stored blob, got none for ${id}`);
      return { id, data };
    }),
  },
];
