/**
 * Federated-learning event payloads (issue 8, docs/fl.md). Payloads carry integers and strings only:
 * real-valued task parameters are integers in millionths, binary data is base64 (model updates in
 * the HFU1 binary encoding of src/fl/update-codec.ts, never JSON arrays of numbers).
 *
 *   fl.task       operator posts a task: architecture, initial model, rounds, clients per round,
 *                 clipping norm, noise multiplier, δ, payment budget, secure-aggregation settings
 *   fl.join       a data controller joins (public example count = its FedAvg weight)
 *   fl.update     one controller message of a round: a plain update, or one SecAgg stage
 *                 (keys → shares → masked input → unmask)
 *   fl.aggregate  operator: the round's new global model hash and who was included / dropped
 *   fl.pay        operator pays controllers from the task budget
 */
import { z } from 'zod';
import { registerEventType } from '../registry.js';
import { DidText, Hash32, Micro, ModelHash, RoundNumber } from './common.js';

export const TaskId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a task id of letters, digits and ._:-');
/** A positive real as an integer number of millionths (1.5 → 1500000). */
const Millionths = z.number().int().min(1).max(1_000_000_000_000);
const Base64 = (max: number) => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').max(max);
const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as lowercase hex');
/** A field element of F_(2^255−19) as 64 hex digits (Shamir shares). */
const FieldHex = Hex32;
const Slot = z.number().int().min(1).max(2 ** 31);

export const FlTask = z.strictObject({
  task: TaskId,
  architecture: z.string().min(1).max(200),
  initialModel: ModelHash,
  /** Parameter count of the model vector (updates must have exactly this many coordinates). */
  parameters: z.number().int().min(1).max(1 << 24),
  rounds: z.number().int().min(1).max(100_000),
  clientsPerRound: z.number().int().min(1).max(1_000_000),
  clipNorm: Millionths,
  noiseMultiplier: z.number().int().min(0).max(1_000_000_000_000),
  /** Target δ as a decimal string, e.g. "0.00001". */
  delta: z.string().regex(/^0\.\d{1,20}$/, 'a decimal δ in (0, 1)'),
  budget: Micro,
  secureAggregation: z
    .strictObject({
      /** Shares needed, per neighbourhood. */
      threshold: z.number().int().min(1).max(100_000),
      /** SecAgg+ neighbours per client; absent = all. */
      neighbors: z.number().int().min(2).max(100_000).optional(),
      /** Random payment groups per round (one SecAgg session each). */
      groups: z.number().int().min(1).max(1000),
    })
    .optional(),
});

export const FlJoin = z.strictObject({ task: TaskId, examples: z.number().int().min(1).max(1_000_000_000) });

const Share = z.strictObject({ of: Slot, y: FieldHex });

export const FlUpdate = z.strictObject({
  task: TaskId,
  round: RoundNumber,
  body: z.discriminatedUnion('stage', [
    /** Without SecAgg: the HFU1-encoded update, inline or by reference (CID of a blob). */
    z.strictObject({ stage: z.literal('plain'), update: Base64(12_000_000).optional(), ref: z.string().min(20).max(120).optional() }),
    z.strictObject({ stage: z.literal('keys'), group: z.number().int().min(0).max(999), slot: Slot, cPk: Hex32, sPk: Hex32 }),
    z.strictObject({
      stage: z.literal('shares'),
      seedCommitment: Hash32,
      shares: z.array(z.strictObject({ to: Slot, ciphertext: Base64(200), b: Hash32, s: Hash32 })).max(100_000),
    }),
    z.strictObject({ stage: z.literal('masked'), update: Base64(12_000_000).optional(), ref: z.string().min(20).max(120).optional() }),
    z.strictObject({ stage: z.literal('unmask'), seedShares: z.array(Share).max(100_000), keyShares: z.array(Share).max(100_000) }),
  ]),
});

export const FlAggregate = z.strictObject({
  task: TaskId,
  round: RoundNumber,
  modelHash: ModelHash,
  included: z.array(DidText).max(1_000_000),
  dropped: z.array(DidText).max(1_000_000),
});

export const FlPay = z.strictObject({
  task: TaskId,
  payments: z.array(z.strictObject({ to: DidText, amount: Micro })).min(1).max(1_000_000),
});

for (const [type, payload] of [
  ['fl.task', FlTask],
  ['fl.join', FlJoin],
  ['fl.update', FlUpdate],
  ['fl.aggregate', FlAggregate],
  ['fl.pay', FlPay],
] as const) {
  // FL rounds are per task, not the game's market rounds: keep them out of the store's round index.
  registerEventType({ type, payload, roundOf: () => null });
}
