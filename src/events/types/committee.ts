import { z } from 'zod';
import { DidText, Hash32, ItemId, Micro, RoundNumber, Salt, Time } from './common.js';
import { isCanonicalBase64Url } from '../canonical-text.js';

/**
 * Event types of the community-made validation set: membership, encrypted items,
 * committee labels. Game rules live in src/game/{membership,items,committee,labels}.ts.
 */

/** A token-gate attestation: `attestor` signs (Ed25519, base64url) the DAG-CBOR of {community, member, balance, expires}. */
export const Attestation = z.strictObject({
  balance: Micro,
  expires: Time,
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a 64-byte base64url Ed25519 signature').refine(isCanonicalBase64Url, 'a signature in canonical base64url (unused bits of the last character zero)'),
});
export type Attestation = z.infer<typeof Attestation>;

/** A label: an outcome index (categorical items) or an integer value (scalar items with buckets). */
export const LabelValue = z.number().int().min(-(2 ** 52)).max(2 ** 52);
/** A text that is bytes must be their one spelling; one of no whole length is left to the game, which calls it malformed. */
const Base64Url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/, 'base64url without padding')
  .refine((text) => text.length % 4 === 1 || isCanonicalBase64Url(text), 'canonical base64url (unused bits of the last character zero)');

/** Membership, member-submitted item and committee label events: type → payload schema. */
export const COMMITTEE_EVENTS = {
  'member.join': z.strictObject({ attestation: Attestation.optional() }),
  'member.bond': z.strictObject({ amount: Micro }),
  'member.unbond': z.strictObject({ amount: Micro }),
  'member.withdraw': z.strictObject({}),
  'member.leave': z.strictObject({}),
  'item.submit': z.strictObject({
    round: RoundNumber,
    outcomes: z.number().int().min(2).max(64),
    /** Scalar items: ascending bucket boundaries (outcomes − 1 of them); value v falls in bucket #{b ≤ v}. */
    buckets: z.array(z.number().int().min(-(2 ** 52)).max(2 ** 52)).max(63).optional(),
    /** XChaCha20-Poly1305 of DAG-CBOR {input, salt}; 64 KiB cap here, the community's maxBytes in apply. */
    ciphertext: Base64Url.max(87_400),
    nonce: z.string().regex(/^[0-9a-f]{48}$/, 'a 24-byte lowercase hex nonce'),
    /** sha256 of the plaintext bytes. */
    commitment: Hash32,
  }),
  'item.key': z.strictObject({ round: RoundNumber, item: ItemId, key: Hash32 }),
  'item.expire': z.strictObject({ round: RoundNumber, item: ItemId }),
  'label.commit': z.strictObject({ round: RoundNumber, commits: z.array(z.strictObject({ item: ItemId, commitment: Hash32 })).min(1).max(500) }),
  'label.reveal': z.strictObject({ round: RoundNumber, reveals: z.array(z.strictObject({ item: ItemId, label: LabelValue, salt: Salt })).min(1).max(500) }),
  'label.expose': z.strictObject({ round: RoundNumber, member: DidText, item: ItemId, label: LabelValue, salt: Salt }),
  'label.resolve': z.strictObject({ round: RoundNumber }),
} as const satisfies Record<string, z.ZodType>;
