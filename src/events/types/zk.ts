import { z } from 'zod';
import { Groth16Proof, PublicLayout, VerificationKey } from '../../statement/index.js';

/** A Groth16 proof (snarkjs JSON) and its public signals (decimal field elements), attached to a trade. */
export const ProofAttachment = z.strictObject({
  proof: Groth16Proof,
  publicSignals: z.array(z.string().regex(/^(0|[1-9]\d{0,79})$/, 'a decimal field element without leading zeros')).min(2).max(4096),
});
export type ProofAttachment = z.infer<typeof ProofAttachment>;

/**
 * ZK events: type → payload schema. `zk.vkey` publishes a verification key and the layout of its
 * public signals (src/statement/layout.ts). `model.commit` then binds a model hash to it
 * by the key's id: the sha256 of the DAG-CBOR of this payload.
 */
export const ZK_EVENTS = {
  'zk.vkey': z.strictObject({ vkey: VerificationKey, layout: PublicLayout }),
} as const satisfies Record<string, z.ZodType>;
