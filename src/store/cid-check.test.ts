import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidOfBytes, encode } from '../core/encoding.js';
import { dagCborCidString } from './cid-check.js';

describe('dagCborCidString', () => {
  it('equals the multiformats CID string for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(dagCborCidString(bytes)).toBe(cidOfBytes(bytes).toString());
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('matches a known event CID and changes when one byte flips', () => {
    const bytes = encode({ type: 'x', n: 1 });
    const cid = cidOfBytes(bytes).toString();
    expect(dagCborCidString(bytes)).toBe(cid);
    const flipped = bytes.slice();
    flipped[bytes.length - 1] ^= 1;
    expect(dagCborCidString(flipped)).not.toBe(cid);
  });
});
