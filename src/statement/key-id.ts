import { createHash } from 'node:crypto';
import { encode } from '../core/encoding.js';
import type { VerificationKey } from './groth16.js';
import type { PublicLayout } from './layout.js';

/** A published verification key: the key and the layout of the public signals it checks. */
export type ProofKey = { vkey: VerificationKey; layout: PublicLayout };

/**
 * The id `model.commit` names a verification key by: sha256 (hex) of the DAG-CBOR of the `zk.vkey`
 * payload {vkey, layout}. DAG-CBOR sorts map keys, so the id does not depend on field order.
 */
export function zkKeyId(key: ProofKey): string {
  return createHash('sha256').update(encode(key)).digest('hex');
}
