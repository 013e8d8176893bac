import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { decodeBase64UrlCanonical, isCanonicalBase32Multibase, isCanonicalBase64, isCanonicalBase64Url, isCanonicalHex } from './canonical-text.js';
import { respellings } from '../../test/support/respell.js';
import { cidString } from '../core/encoding.js';

describe('canonical text encodings of bytes', () => {
  it('base64url: the encoding of any bytes is accepted and decodes to them; its re-spellings are refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64url');
        expect(Buffer.from(decodeBase64UrlCanonical(text)!).equals(Buffer.from(bytes))).toBe(true);
        for (const other of respellings(text)) {
          expect(Buffer.from(other, 'base64url').equals(Buffer.from(bytes))).toBe(true); // Node's decoder takes it...
          expect(isCanonicalBase64Url(other)).toBe(false); // ...we do not.
        }
      }),
      { numRuns: 300 },
    );
    expect(isCanonicalBase64Url('ab=')).toBe(false);
    expect(isCanonicalBase64Url('a')).toBe(false);
    expect(isCanonicalBase64Url('ab+/')).toBe(false);
  });

  it('padded base64 and hex: one spelling each', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64');
        expect(isCanonicalBase64(b64)).toBe(true);
        if (b64.endsWith('=')) {
          const i = b64.replace(/=+$/, '').length - 1;
          const tweaked = b64.slice(0, i) + (b64[i] === 'A' ? 'B' : String.fromCharCode(b64.charCodeAt(i) ^ 1)) + b64.slice(i + 1);
          if (Buffer.from(tweaked, 'base64').equals(Buffer.from(bytes))) expect(isCanonicalBase64(tweaked)).toBe(false);
          expect(isCanonicalBase64(b64.replace(/=+$/, ''))).toBe(bytes.length % 3 === 0);
        }
        // Spellings node's decoder accepts but which are not standard base64: base64url letters,
        // characters outside the alphabet (skipped by the decoder), padding inside the text.
        const url = Buffer.from(bytes).toString('base64url');
        if (/[-_]/.test(url)) expect(isCanonicalBase64(url.padEnd(b64.length, '='))).toBe(false);
        if (b64.length >= 4) {
          expect(isCanonicalBase64(`${b64.slice(0, 2)} ${b64.slice(3)}`)).toBe(false);
          expect(isCanonicalBase64(`${b64.slice(0, 2)}.${b64.slice(3)}`)).toBe(false);
        }
        if (b64.length >= 8) expect(isCanonicalBase64(`${b64.slice(0, 2)}==${b64.slice(4)}`)).toBe(false);
        const hex = Buffer.from(bytes).toString('hex');
        expect(isCanonicalHex(hex)).toBe(true);
        if (/[a-f]/.test(hex)) expect(isCanonicalHex(hex.toUpperCase())).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('base32 multibase: the same verdict as parsing the CID and printing it again', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 31 }), (bytes, low) => {
        const text = cidString({ bytes });
        expect(isCanonicalBase32Multibase(text)).toBe(true);
        // The CID's last base32 character carries 3 data bits and 2 unused ones.
        const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
        const last = alphabet.indexOf(text.at(-1)!);
        const other = text.slice(0, -1) + alphabet[(last & ~3) | (low & 3)];
        let reprinted: string | undefined;
        try {
          reprinted = CID.parse(other).toString();
        } catch {
          reprinted = undefined; // multiformats refuses unused bits that are set
        }
        expect(isCanonicalBase32Multibase(other)).toBe(reprinted === other);
      }),
      { numRuns: 200 },
    );
    expect(isCanonicalBase32Multibase('bafyaa')).toBe(true);
    expect(isCanonicalBase32Multibase('bafyab')).toBe(false);
    expect(isCanonicalBase32Multibase('bafy')).toBe(false); // 3 characters: no whole number of bytes
    expect(isCanonicalBase32Multibase('bafyA')).toBe(false);
    expect(isCanonicalBase32Multibase('b')).toBe(false);
  });
});
