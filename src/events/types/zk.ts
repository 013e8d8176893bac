import { z } from 'zod';
import { Groth16Proof, PublicLayout, VerificationKey } from '../../statement/index.js';
import { ItemId, ModelHash, RoundNumber } from './common.js';

/** A Groth16 proof (snarkjs JSON) and its public signals (decimal field elements), attached to a trade. */
export const ProofAttachment = z.strictObject({
  proof: Groth16Proof,
  publicSignals: z.array(z.string().regex(/^(0|[1-9]\d{0,79})$/, 'a decimal field element without leading zeros')).min(2).max(4096),
});
export type ProofAttachment = z.infer<typeof ProofAttachment>;

/**
 * A model's featurizer (src/ml/features/featurizer.ts), committed beside its hash in `model.commit`:
 * what the node featurizes an item's text with to bind a proof to that text.
 */
export const FeaturizerSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('hashed-ngrams'),
    buckets: z.number().int().min(2).max(1 << 20),
    ngrams: z.array(z.number().int().min(1).max(5)).min(1).max(5),
    lowercase: z.boolean(),
    transform: z.enum(['log1p', 'binary', 'tf-l2']),
  }),
  z.strictObject({ kind: z.literal('dense'), size: z.number().int().min(1).max(1 << 20) }),
]);

export type FeaturizerSpecPayload = z.infer<typeof FeaturizerSpecSchema>;

/** One round batch proof (src/zk/batch.ts): the proof, its signals (2 digest, 7 fold) and the claimed scores of every slot. */
export const BatchProofAttachment = z.strictObject({
  proof: Groth16Proof,
  publicSignals: z.array(z.string().regex(/^(0|[1-9]\d{0,79})$/, 'a decimal field element without leading zeros')).min(2).max(7),
  scores: z.array(z.array(z.string().regex(/^(0|-?[1-9]\d{0,79})$/, 'a signed decimal integer')).min(1).max(64)).min(1).max(4096),
});
export type BatchProofAttachment = z.infer<typeof BatchProofAttachment>;

/**
 * ZK events: type → payload schema. `zk.vkey` publishes a verification key and the layout of its
 * public signals (src/statement/layout.ts). `model.commit` then binds a model hash to it
 * by the key's id: the sha256 of the DAG-CBOR of this payload.
 */
export const ZK_EVENTS = {
  'zk.vkey': z.strictObject({ vkey: VerificationKey, layout: PublicLayout }),
  /** An operator's proven scores for the items it trades in a round (in slot order), before its reveals. */
  'zk.batch': z.strictObject({ round: RoundNumber, model: ModelHash, items: z.array(ItemId).min(1).max(4096), batch: BatchProofAttachment }),
} as const satisfies Record<string, z.ZodType>;
