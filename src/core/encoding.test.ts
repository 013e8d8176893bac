import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from './encoding.js';
import { ValidationError } from './errors.js';

describe('canonical encoding', () => {
  it('refuses text that starts with U+FEFF, which decoding would drop, and names where it is', () => {
    for (const [value, field] of [
      ['\ufeffbom', 'value'],
      [{ payload: { name: '\ufeffbom' } }, 'value.payload.name'],
      [{ list: [1, 'ok', '\ufeff'] }, 'value.list[2]'],
      [{ '\ufeffkey': 1 }, 'value.\ufeffkey'],
    ] as const) {
      const error = (() => {
        try {
          encode(value);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details.field).toBe(field);
    }
  });

  it('keeps U+FEFF elsewhere in a string, and every accepted value decodes back to itself', () => {
    expect(decode(encode({ name: 'a\ufeffb' }))).toEqual({ name: 'a\ufeffb' });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encode(value);
        } catch {
          return true; // floats and the like are not DAG-CBOR; the property is about round trips
        }
        // Compared as JSON: DAG-CBOR has one zero, and JSON (where event values come from) has no -0.
        expect(decode(bytes)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
