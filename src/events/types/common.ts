import { z } from 'zod';
import { CANONICAL_INTEGER_RULE } from '../../core/money.js';
import { MODEL_HASH_PATTERN, isModelHashText } from '../../statement/model-hash-text.js';

/** Shared payload pieces. Payloads carry integers and strings only: no floats, so replay is exact. */

/**
 * Amounts: integer micro-units as decimal text with exactly one spelling per value ("0", "5",
 * "-5"; never "0005", "-0", "+5" or " 5"), at most 24 digits. The one spelling matters because the
 * text is signed: a second spelling of the same amount would be a second event with its own CID.
 */
export const Micro = z.string().regex(/^(0|[1-9]\d{0,23})$/, 'expected a canonical decimal integer of micro-units: no leading zeros, no sign, at most 24 digits');
export const SignedMicro = z.string().regex(/^(0|-?[1-9]\d{0,23})$/, `expected ${CANONICAL_INTEGER_RULE} (micro-units, at most 24 digits)`);
export const DidText = z.string().regex(/^did:(key:z[1-9A-HJ-NP-Za-km-z]{40,60}|pkh:eip155:\d+:0x[0-9a-fA-F]{40})$/, 'a did:key or did:pkh');
export const RoundNumber = z.number().int().min(1).max(1_000_000_000);
export const ItemId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'an item id of letters, digits and ._:-');
/**
 * A model hash: the Poseidon commitment of a model artifact's weights (src/ml/commitment), or the
 * pseudoModelHash of a model that is not a provable artifact. Either way a BN254 field element,
 * written 0x + 64 lowercase hex digits (src/statement/model-hash-text.ts).
 */
export const ModelHash = z.string().regex(MODEL_HASH_PATTERN, 'a model hash: 0x and 64 lowercase hex digits').refine(isModelHashText, 'a BN254 field element');
export const Hash32 = z.string().regex(/^[0-9a-f]{64}$/, 'a 32-byte lowercase hex hash');
export const Salt = z.string().regex(/^[0-9a-f]{32,128}$/, 'a lowercase hex salt of 16–64 bytes');
export const Time = z.number().int().min(0).max(8_640_000_000_000_000);
/** A probability vector at scale 10^12 (PROB_SCALE): integers, each ≥ 0. */
export const Belief = z.array(z.number().int().min(0).max(1_000_000_000_000)).min(2).max(64);
