import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { encodeCanonicalSubset } from './canonical-cbor.js';
import { encode } from './encoding.js';

/** The reference encoder's verdict: its bytes, or the fact that it refused. */
function reference(value: unknown): Uint8Array | 'refused' {
  try {
    return dagCbor.encode(value);
  } catch {
    return 'refused';
  }
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme-ascii' }),
  fc.string({ unit: 'binary', maxLength: 40 }), // any code point, surrogates alone included
  fc.string({ unit: 'binary-ascii', minLength: 200, maxLength: 600 }),
  fc.constantFrom('\ufeff', '\ufeffbom', 'a\ufeffb', '\ud800', 'x\udc00', '😀', 'é', '/', 'asCID'),
);
const number = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, -24, -25, -(2 ** 32), -(2 ** 32) - 1, 2 ** 53, 1.5, NaN, Infinity),
  fc.double(),
);
/** Values of the kinds events carry, and of kinds they do not (floats, undefined, Maps, CIDs, typed arrays). */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 40 }), fc.constantFrom(undefined, new Map([['a', 1]]), new Uint32Array([1]), Buffer.from('ab'), CID.parse('bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmi7qd4mzu'), { '/': 'x' })),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(text, tie('node'), { maxKeys: 6 })),
})).node;

describe('canonical DAG-CBOR subset encoder', () => {
  it('gives the reference bytes for every value it takes, and never takes one the reference refuses', () => {
    fc.assert(
      fc.property(value, (v) => {
        const fast = encodeCanonicalSubset(v);
        if (fast === undefined) return;
        const expected = reference(v);
        expect(expected).not.toBe('refused');
        expect(Buffer.from(fast).equals(Buffer.from(expected as Uint8Array))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes every value of the kinds events are made of, and encode() gives the reference bytes through it', () => {
    const wellFormed = fc.string({ unit: 'grapheme' }).filter((s) => !s.startsWith('\ufeff'));
    const eventLike = fc.letrec((tie) => ({
      leaf: fc.oneof(wellFormed, fc.string({ unit: 'binary-ascii', maxLength: 400 }), fc.maxSafeInteger(), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 40 })),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(fc.string({ unit: 'grapheme-ascii' }).filter((k) => k !== '/' && k !== 'asCID'), tie('node'), { maxKeys: 6 })),
    })).node;
    fc.assert(
      fc.property(eventLike, (v) => {
        const expected = dagCbor.encode(v);
        expect(encodeCanonicalSubset(v)).toBeDefined();
        expect(Buffer.from(encode(v)).equals(Buffer.from(expected))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts map keys by length, then bytes, and writes every length form of a head', () => {
    const v = { bb: 1, a: 2, ccc: [24, 255, 256, 65_536, 2 ** 32, -1, -25, -(2 ** 40)], ab: 'x'.repeat(24), b: 'y'.repeat(300), c: new Uint8Array(70_000) };
    const fast = encodeCanonicalSubset(v)!;
    expect(Buffer.from(fast).equals(Buffer.from(dagCbor.encode(v)))).toBe(true);
    expect(Object.keys(dagCbor.decode(fast) as object)).toEqual(['a', 'b', 'c', 'ab', 'bb', 'ccc']);
  });

  it('hands values outside the subset back (undefined) instead of guessing', () => {
    const cid = CID.parse('bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmi7qd4mzu');
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    for (const v of [1.5, -0, 2 ** 53, undefined, { a: undefined }, [undefined], '\ufeffbom', { '\ufeffkey': 1 }, '\ud800', { é: 1 }, cid, { link: cid }, new Map(), Buffer.from('x'), new Uint32Array(1), new Date(0), deep, 1n]) {
      expect(encodeCanonicalSubset(v)).toBeUndefined();
    }
    // The reference still encodes the ones DAG-CBOR allows, so encode() loses nothing by the fallback.
    expect(Buffer.from(encode({ link: cid })).equals(Buffer.from(dagCbor.encode({ link: cid })))).toBe(true);
    expect(Buffer.from(encode(deep)).equals(Buffer.from(dagCbor.encode(deep)))).toBe(true);
  });

  it('grows for text longer than its buffer, ASCII or not, and starts small again after', () => {
    for (const v of [{ big: 'é'.repeat(700_000) }, { big: 'a'.repeat(1_500_000), tail: '😀'.repeat(30) }, { small: 'after' }]) {
      expect(Buffer.from(encodeCanonicalSubset(v)!).equals(Buffer.from(dagCbor.encode(v)))).toBe(true);
    }
  });

  it('returns bytes that own their buffer, untouched by later calls', () => {
    const first = encodeCanonicalSubset({ a: 'first' })!;
    const copy = Uint8Array.from(first);
    encodeCanonicalSubset({ a: 'second', b: 'x'.repeat(40_000) });
    expect(first).toEqual(copy);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
  });
});
