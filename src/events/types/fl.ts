/**
 * Federated-learning event payloads (docs/fl.md). Payloads carry integers and strings only:
 * real-valued task parameters are integers in millionths, binary data is base64 (model updates in
 * the HFU1 binary encoding of src/events/update-codec.ts, never JSON arrays of numbers).
 *
 *   fl.task       operator posts a task: architecture, initial model, rounds, clients per round,
 *                 clipping norm, noise multiplier, δ, payment budget, secure-aggregation settings
 *   fl.join       a data controller joins (public example count = its FedAvg weight)
 *   fl.update     one controller message of a round: a plain update, or one SecAgg stage
 *                 (keys → shares → masked input → unmask; the messages of src/fl/secagg/client.ts,
 *                 byte strings as hex when fixed-size, base64 when they grow with the neighbourhood)
 *   fl.aggregate  operator: the round's new global model hash and who was included / dropped
 *   fl.pay        operator pays controllers from the task's escrowed budget (final: the rest returns)
 *   fl.stage      operator closes a secure-aggregation stage of one group: who counts
 */
import { z } from 'zod';
import { DidText, Hash32, Micro, ModelHash, RoundNumber } from './common.js';
import { isCanonicalBase64 } from '../canonical-text.js';
import { DATA_EVENTS } from './data.js';

export const TaskId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a task id of letters, digits and ._:-');
/** A positive real as an integer number of millionths (1.5 → 1500000). */
const Millionths = z.number().int().min(1).max(1_000_000_000_000);
/** isCanonicalBase64 checks the alphabet itself: a second pass over a masked update's 5 kB cost the node's intake. */
const Base64 = (max: number) => z.string().max(max).refine(isCanonicalBase64, 'canonical padded base64 (A–Z, a–z, 0–9, +, /; unused bits zero)');
const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as lowercase hex');
const Slot = z.number().int().min(1).max(2 ** 31);
/** A content-addressed blob on the node: `sha256-` and the hex SHA-256 of its bytes. */
const BlobRef = z.string().regex(/^sha256-[0-9a-f]{64}$/, 'a blob id: sha256- and 64 lowercase hex digits');

/*
 * SecAgg sizes (src/crypto/shamir.ts, src/fl/secagg/common.ts; a test in src/game/fl.test.ts runs
 * a real session through this schema so the two cannot drift apart). A client deals its self-mask
 * seed and at most neighbours/2 + 1 pair seeds (k/2 on the SecAgg+ ring, ⌈(n−1)/2⌉ in the full
 * graph), so what it sends each holder is 1 + (pair seeds dealt) shares and as many share
 * commitments.
 */
/** Shamir prime p = 2^26 + 15. */
const FIELD_P = 67_108_879;
/** A share of one 16-byte seed: five elements of F_p as u32 little-endian. */
const SHARE_BYTES = 20;
const SHARE_COMMITMENT_BYTES = 16;
/** Neighbours per client in one SecAgg session carried over events (the full graph: group size − 1). */
export const MAX_SECAGG_NEIGHBOURS = 1024;
const MAX_DEALT = MAX_SECAGG_NEIGHBOURS / 2 + 1;
const base64Chars = (bytes: number) => 4 * Math.ceil(bytes / 3);
/** Decoded length of padded base64 (Base64 has checked the spelling). */
const base64Bytes = (text: string) => (text.length % 4 === 0 ? (3 * text.length) / 4 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0) : -1);

/** A Shamir share of one seed as 40 hex digits: five u32 little-endian, each an element of F_p (< 2^26 + 15). */
const ShareHex = z
  .string()
  .regex(/^[0-9a-f]{40}$/, `${SHARE_BYTES} bytes as lowercase hex`)
  .refine((hex) => [0, 8, 16, 24, 32].every((i) => parseInt(hex.slice(i + 6, i + 8) + hex.slice(i + 4, i + 6) + hex.slice(i + 2, i + 4) + hex.slice(i, i + 2), 16) < FIELD_P), {
    message: `five u32 little-endian elements of F_p, each < ${FIELD_P}`,
  });

const ascending = (values: readonly number[]) => values.every((v, i) => i === 0 || v > values[i - 1]!);

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
  /** The initial weights and the training recipe, as a blob the node stores (GET /v1/blobs/:id). */
  model: BlobRef.optional(),
  secureAggregation: z
    .strictObject({
      /** Shares needed, per neighbourhood. */
      threshold: z.number().int().min(1).max(MAX_SECAGG_NEIGHBOURS),
      /** SecAgg+ neighbours per client; absent = all (then a group has at most MAX_SECAGG_NEIGHBOURS + 1 clients). */
      neighbors: z.number().int().min(2).max(MAX_SECAGG_NEIGHBOURS).optional(),
      /** Random payment groups per round (one SecAgg session each). */
      groups: z.number().int().min(1).max(1000),
    })
    .optional(),
});

export const FlJoin = z.strictObject({ task: TaskId, examples: z.number().int().min(1).max(1_000_000_000) });

const SharesStage = z
  .strictObject({
    stage: z.literal('shares'),
    /** SHA-256 commitment to the self-mask seed b_u. */
    seedCommitment: Hash32,
    /** SHA-256 commitments to the pair seeds this client deals, by partner (ascending). */
    pairCommitments: z.array(z.strictObject({ partner: Slot, commitment: Hash32 })).max(MAX_DEALT),
    /** Per neighbour with keys (ascending): its shares XOR a pad (b-share, then one per dealt pair seed) and a commitment to each. */
    shares: z
      .array(
        z.strictObject({
          to: Slot,
          ciphertext: Base64(base64Chars(SHARE_BYTES * (1 + MAX_DEALT))),
          digests: Base64(base64Chars(SHARE_COMMITMENT_BYTES * (1 + MAX_DEALT))),
        }),
      )
      .min(1)
      .max(MAX_SECAGG_NEIGHBOURS),
  })
  .superRefine((body, ctx) => {
    const cells = 1 + body.pairCommitments.length;
    const partners = body.pairCommitments.map((c) => c.partner);
    const holders = body.shares.map((s) => s.to);
    if (!ascending(holders)) ctx.addIssue({ code: 'custom', path: ['shares'], message: 'holders (to) in strictly ascending order' });
    if (!ascending(partners)) ctx.addIssue({ code: 'custom', path: ['pairCommitments'], message: 'partners in strictly ascending order' });
    const known = new Set(holders);
    if (!partners.every((v) => known.has(v))) ctx.addIssue({ code: 'custom', path: ['pairCommitments'], message: 'partners among the holders (a client deals only seeds of neighbours it shares with)' });
    body.shares.forEach((s, i) => {
      const bytes = base64Bytes(s.ciphertext);
      if (bytes !== SHARE_BYTES * cells) {
        ctx.addIssue({ code: 'custom', path: ['shares', i, 'ciphertext'], message: `expected ${SHARE_BYTES * cells} bytes (${cells} shares), got ${bytes < 0 ? 'unpadded base64' : bytes}` });
      }
      const digestBytes = base64Bytes(s.digests);
      if (digestBytes !== SHARE_COMMITMENT_BYTES * cells) {
        ctx.addIssue({ code: 'custom', path: ['shares', i, 'digests'], message: `expected ${SHARE_COMMITMENT_BYTES * cells} bytes (${cells} commitments), got ${digestBytes < 0 ? 'unpadded base64' : digestBytes}` });
      }
    });
  });

/** A keys message: a fresh X25519 public key for one round's SecAgg session, in one group, from one slot. */
const KeysFields = { group: z.number().int().min(0).max(999), slot: Slot, publicKey: Hex32 };

export const FlUpdate = z.strictObject({
  task: TaskId,
  round: RoundNumber,
  body: z.discriminatedUnion('stage', [
    /** Without SecAgg: the HFU1-encoded update, inline or by reference (CID of a blob). */
    z.strictObject({ stage: z.literal('plain'), update: Base64(12_000_000).optional(), ref: z.string().min(20).max(120).optional() }),
    /** One X25519 public key per client: share channels and pair seeds both derive from it. */
    z.strictObject({ stage: z.literal('keys'), ...KeysFields }),
    SharesStage,
    z.strictObject({ stage: z.literal('masked'), update: Base64(12_000_000).optional(), ref: z.string().min(20).max(120).optional() }),
    /** Shares of survivors' self-mask seeds, and of the pair seeds of pairs with exactly one survivor. */
    z.strictObject({
      stage: z.literal('unmask'),
      seedShares: z.array(z.strictObject({ of: Slot, y: ShareHex })).max(MAX_SECAGG_NEIGHBOURS),
      pairShares: z.array(z.strictObject({ dealer: Slot, partner: Slot, y: ShareHex })).max(MAX_SECAGG_NEIGHBOURS * MAX_DEALT),
      /** The controller's keys for the next round, sent early: that round's keys stage then needs no message of its own. */
      next: z.strictObject(KeysFields).optional(),
    }),
  ]),
});

export const FlAggregate = z.strictObject({
  task: TaskId,
  round: RoundNumber,
  modelHash: ModelHash,
  /** The round's weights as a blob, for controllers to download. */
  model: BlobRef.optional(),
  included: z.array(DidText).max(1_000_000),
  dropped: z.array(DidText).max(1_000_000),
});

export const FlPay = z
  .strictObject({
    task: TaskId,
    payments: z.array(z.strictObject({ to: DidText, amount: Micro })).max(1_000_000),
    /** The task's last payment: what is left of the escrowed budget returns to the operator, and nothing more is paid. */
    final: z.literal(true).optional(),
  })
  .refine((p) => p.final === true || p.payments.length > 0, { path: ['payments'], message: 'at least one payment (or final: true)' });

/**
 * The operator closes one secure-aggregation stage of a round's group: `slots` are the controllers
 * whose message of that stage counts (ascending). After it, that stage is refused for the group, and
 * the next stage is accepted only from the slots listed, so the log alone says who took part.
 */
export const FlStage = z
  .strictObject({
    task: TaskId,
    round: RoundNumber,
    group: z.number().int().min(0).max(999),
    stage: z.enum(['keys', 'shares', 'masked']),
    slots: z.array(Slot).max(1_000_000),
  })
  .refine((p) => ascending(p.slots), { path: ['slots'], message: 'slots in strictly ascending order' });

/** Federated-learning events: type → payload schema. Their `round` is a task's round, not a market round. */
export const FL_EVENTS = {
  'fl.task': FlTask,
  'fl.join': FlJoin,
  'fl.update': FlUpdate,
  'fl.aggregate': FlAggregate,
  'fl.pay': FlPay,
  'fl.stage': FlStage,
  // Members' sealed training data travels with FL (types/data.ts).
  ...DATA_EVENTS,
} as const satisfies Record<string, z.ZodType>;
