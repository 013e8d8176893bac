/**
 * Bytes written as text are accepted in one spelling only. A base64 or base32 text whose length is
 * not a whole number of bytes leaves bits unused in its last character, and decoders ignore them:
 * 86 base64url characters carry 516 bits for a 64-byte signature, so 16 texts decode to the same
 * signature. Whatever names an event by the hash of its text (the event CID) must not let a third
 * party re-spell it, so every decoder here decodes, re-encodes and compares.
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The bytes of a base64url text (no padding), or undefined when the text is not their one spelling. */
export function decodeBase64UrlCanonical(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
}

export function isCanonicalBase64Url(text: string): boolean {
  return decodeBase64UrlCanonical(text) !== undefined;
}

/**
 * Padded standard base64 in its one spelling (unused bits of the last character zero, padding exact).
 * Re-encoding alone decides it: node's decoder also takes base64url letters and skips characters
 * outside the alphabet, but its encoder writes only the one spelling, so any of those differs from
 * the re-encoding. (A regex pass over the alphabet first cost twice the round trip on 5 kB updates.)
 */
export function isCanonicalBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  return Buffer.from(text, 'base64').toString('base64') === text;
}

/** Lowercase, even-length hex (optionally after 0x): the one spelling of its bytes. */
export function isCanonicalHex(text: string, prefixed = false): boolean {
  const body = prefixed ? (text.startsWith('0x') ? text.slice(2) : undefined) : text;
  return body !== undefined && body.length % 2 === 0 && /^[0-9a-f]*$/.test(body);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A multibase base32 (lowercase, unpadded) text such as a CIDv1 string: every character in the
 * alphabet and the bits its last character leaves over zero. Cheaper than parsing the CID and
 * printing it again, which gives the same verdict for a well-formed CID (canonical-text.test.ts
 * compares the two).
 */
export function isCanonicalBase32Multibase(text: string): boolean {
  if (text[0] !== 'b' || text.length < 2) return false;
  const chars = text.length - 1;
  const spare = (chars * 5) % 8;
  // Lengths that leave 5 or more spare bits have a character too many for any byte count.
  if (spare >= 5) return false;
  for (let i = 1; i < text.length; i++) if (BASE32.indexOf(text[i]!) < 0) return false;
  if (spare === 0) return true;
  const last = BASE32.indexOf(text[text.length - 1]!);
  return (last & ((1 << spare) - 1)) === 0;
}
