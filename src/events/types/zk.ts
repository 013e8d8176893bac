import { z } from 'zod';
import { registerEventType } from '../registry.js';

/** A Groth16 proof (snarkjs JSON) and its public signals (decimal field elements), attached to a trade. */
export const ProofAttachment = z.strictObject({
  proof: z.record(z.string(), z.unknown()),
  publicSignals: z.array(z.string().regex(/^\d{1,80}$/, 'a decimal field element')).min(2).max(4096),
});
export type ProofAttachment = z.infer<typeof ProofAttachment>;

/**
 * Publishes a verification key and the layout of its public signals (src/zk/circuit-gen.ts
 * PublicLayout). `model.commit` then binds a model hash to it by the key's id: the sha256 of the
 * DAG-CBOR of this payload.
 */
registerEventType({
  type: 'zk.vkey',
  payload: z.strictObject({ vkey: z.record(z.string(), z.unknown()), layout: z.record(z.string(), z.unknown()) }),
});
