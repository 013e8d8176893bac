import { z } from 'zod';
import { EnvelopeSchema } from '../events/envelope.js';
import { DidText, ItemId, ModelHash } from '../events/types/common.js';
import { ServedAnswer } from '../zk/served-answer.js';

/**
 * The HTTP-only zod schemas of the API (parameters, errors, health): the route handlers validate
 * requests with them and openapi.ts turns the same objects into /openapi.json, so the document
 * cannot drift from the code. Response bodies of the read routes are the engine's views
 * (src/engine/view-schemas.ts), shared with EmbeddedClient and HttpClient.
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

export const HealthBody = z.strictObject({
  ok: z.boolean(),
  role: z.enum(['leader', 'follower']),
  mode: z.enum(['exclusive', 'shared']),
  store: z.enum(['sqlite', 'postgres']),
  seq: z.number().int(),
  stateHash: z.string(),
  followers: z.number().int().min(0).describe('follower nodes subscribed to this node\'s stream right now'),
  leader: z.string().optional(),
  lag: z.number().int().optional().describe('follower: events the leader has that this node has not applied'),
  error: z.string().optional(),
});

export const ReadyBody = z.strictObject({
  ready: z.boolean(),
  reason: z.string().optional().describe('why not: the store is away, or the follower halted'),
  code: z.string().optional().describe("the store's error code when it refused"),
});

const Groth16ProofBody = z.looseObject({ pi_a: z.array(z.string()), pi_b: z.array(z.array(z.string())), pi_c: z.array(z.string()), protocol: z.string(), curve: z.string() });

/** POST /v1/predict: the answer, which model gave it and why that one, and on request its proof. */
export const PredictReply = z
  .strictObject({
    prediction: z.string().describe('the predicted class label'),
    predictedClass: z.number().int(),
    probabilities: z.array(z.number()).describe('softmax of the fixed-point scores (display only)'),
    modelHash: z.string().describe('the Poseidon commitment of the weights that answered'),
    scores: z.array(z.string()),
    x: z.array(z.string()).describe('the quantized integer input the prediction (and proof) is about'),
    proof: Groth16ProofBody.optional(),
    publicSignals: z.array(z.string()).optional(),
    layout: z.looseObject({}).optional().describe('the public-signal layout of the proof'),
    vkey: z.looseObject({}).optional().describe('self-asserted verification key; check it against the zk.vkey event the model was committed with'),
    insecureSetup: z.boolean().optional(),
    model: z.string().describe('the model name'),
    route: z.enum(['requested', 'leaderboard', 'held']).describe('why this model answered'),
  })
  .describe('a served prediction');

/** POST /v1/predict answers: one model's (serve = model), or the served answer with its proofs and weights (blend | leader). */
export const PredictAnswer = z.union([PredictReply, ServedAnswer]);

export { EnvelopeSchema };
