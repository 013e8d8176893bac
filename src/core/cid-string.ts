/**
 * The CID of already-encoded DAG-CBOR bytes as its base32 string, computed directly: sha2-256 via
 * node:crypto, then base32 of the 36-byte binary CID. The store re-checks every appended row's CID and verification names every event by it,
 * and this is about 2x faster than building a multiformats CID object and calling toString() (measured
 * ~11 vs ~27 µs a row on a busy 2-core box); cid-check.test.ts pins it to the library's output.
 */
import { createHash } from 'node:crypto';

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** CIDv1, dag-cbor codec (0x71), sha2-256 multihash (0x12) of 32 bytes (0x20). */
const CID_PREFIX = Uint8Array.of(0x01, 0x71, 0x12, 0x20);

export function dagCborCidString(bytes: Uint8Array): string {
  const binary = new Uint8Array(36);
  binary.set(CID_PREFIX, 0);
  binary.set(createHash('sha256').update(bytes).digest(), 4);
  let out = 'b'; // multibase prefix of base32 lower, no padding
  let value = 0;
  let bits = 0;
  for (const byte of binary) {
    value = ((value << 8) | byte) & 0xfff; // at most 12 live bits are ever needed
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(value >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
