/**
 * Members' training data (src/fl/data): what the log records about it is only ciphertext names and
 * wrapped keys, never data or a usable key.
 *
 *   data.put     a member announces chunks it sealed under its data key of `epoch` (blob ids, sizes)
 *   data.grant   a member wraps data keys of some epochs to an operator's X25519 public key
 *   data.revoke  a member rotates to a fresh key at `epoch`: the operator named gets nothing sealed from then on
 */
import { z } from 'zod';
import { DidText } from './common.js';

const BlobRef = z.string().regex(/^sha256-[0-9a-f]{64}$/, 'a blob id: sha256- and 64 lowercase hex digits');
const Epoch = z.number().int().min(0).max(1_000_000);
const hexBytes = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${2 * n}}$`), `${n} bytes as lowercase hex`);

export const DataPut = z.strictObject({
  chunks: z.array(z.strictObject({ id: BlobRef, epoch: Epoch, bytes: z.number().int().min(1).max(1 << 30) })).min(1).max(1000),
});

export const DataGrant = z.strictObject({
  to: DidText,
  /** The operator's X25519 public key the data keys are wrapped to. */
  recipientKey: hexBytes(32),
  /** One wrapped 32-byte key per epoch: ephemeral X25519 key, XChaCha20 nonce, ciphertext + tag. */
  keys: z.array(z.strictObject({ epoch: Epoch, ephemeral: hexBytes(32), nonce: hexBytes(24), wrapped: hexBytes(48) })).min(1).max(1000),
});

export const DataRevoke = z.strictObject({ to: DidText, epoch: Epoch });

export const DATA_EVENTS = {
  'data.put': DataPut,
  'data.grant': DataGrant,
  'data.revoke': DataRevoke,
} as const satisfies Record<string, z.ZodType>;
