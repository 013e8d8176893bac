import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fnv1a } from './hash.js';
import { hashedNgramSpec, makeFeaturizer, tokenize } from './featurizer.js';

describe('tokenize', () => {
  it('splits on non-alphanumerics, keeps money/exclamation marks, lowercases on request', () => {
    expect(tokenize('FREE $$$ money!! Café-2002', true)).toEqual(['free', '$', '$', '$', 'money', '!', '!', 'café', '2002']);
    expect(tokenize('Hi There', false)).toEqual(['Hi', 'There']);
  });
});

describe('tokenize matches its regex definition', () => {
  it('on random Unicode text', () => {
    const regex = /[\p{L}\p{N}]+|[!$%€£]/gu;
    const alphabet = fc.constantFrom('a', 'Z', '0', ' ', '!', '$', '%', '€', '£', '-', 'é', 'İ', 'ß', '日', '😀', '\ud800', '٣', '\n', "'");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), fc.boolean(), (text, lower) => {
        expect(tokenize(text, lower)).toEqual((lower ? text.toLowerCase() : text).match(regex) ?? []);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fnv1a', () => {
  it('matches the published FNV-1a test vectors and hashes UTF-8 bytes', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    // "é" is two UTF-8 bytes; hashing the string equals hashing its bytes as latin1 chars.
    const bytes = Buffer.from('é😀', 'utf8').toString('latin1');
    let h = 0x811c9dc5;
    for (const ch of bytes) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    expect(fnv1a('é😀')).toBe(h);
  });
});

describe('hashed n-gram featurizer', () => {
  it('puts every n-gram in bucket fnv1a(tokens joined by spaces) mod buckets', () => {
    const f = makeFeaturizer(hashedNgramSpec({ buckets: 1 << 16, ngrams: [1, 2, 3], transform: 'binary' }));
    const x = f.transform({ text: 'Buy cheap PÍLLS 😀!' });
    const grams = ['buy', 'cheap', 'pílls', '!', 'buy cheap', 'cheap pílls', 'pílls !', 'buy cheap pílls', 'cheap pílls !'];
    const expected = new Set(grams.map((g) => fnv1a(g) % (1 << 16)));
    expect(new Set(x.indices)).toEqual(expected);
    expect([...x.values].every((v) => v === 1)).toBe(true);
  });

  it('applies log1p / tf-l2 to counts and keeps indices sorted', () => {
    const text = 'spam spam spam eggs';
    const log = makeFeaturizer(hashedNgramSpec({ buckets: 4096, ngrams: [1], transform: 'log1p' })).transform({ text });
    const l2 = makeFeaturizer(hashedNgramSpec({ buckets: 4096, ngrams: [1], transform: 'tf-l2' })).transform({ text });
    const spam = fnv1a('spam') % 4096, eggs = fnv1a('eggs') % 4096;
    const at = (x: { indices: Int32Array; values: Float64Array }, j: number) => x.values[x.indices.indexOf(j)];
    expect(at(log, spam)).toBeCloseTo(Math.log(4));
    expect(at(log, eggs)).toBeCloseTo(Math.log(2));
    expect(at(l2, spam)).toBeCloseTo(3 / Math.sqrt(10));
    expect(at(l2, eggs)).toBeCloseTo(1 / Math.sqrt(10));
  });

  it('is a pure function of (spec, text): same vector every time, sorted unique indices in range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom(16, 4096, 1 << 14), (text, buckets) => {
        const f = makeFeaturizer(hashedNgramSpec({ buckets, ngrams: [1, 2, 3] }));
        const a = f.transform({ text }), b = f.transform({ text });
        expect(a).toEqual(b);
        for (let i = 0; i < a.indices.length; i++) {
          expect(a.indices[i]).toBeGreaterThanOrEqual(0);
          expect(a.indices[i]).toBeLessThan(buckets);
          if (i > 0) expect(a.indices[i]).toBeGreaterThan(a.indices[i - 1]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects bad specs and inputs', () => {
    expect(() => makeFeaturizer(hashedNgramSpec({ buckets: 0 }))).toThrow(/buckets: expected/);
    expect(() => makeFeaturizer(hashedNgramSpec({ ngrams: [] }))).toThrow(/ngrams: expected/);
    expect(() => makeFeaturizer(hashedNgramSpec()).transform({ features: [1] })).toThrow(/text: expected a string/);
  });
});

describe('dense featurizer', () => {
  it('passes the vector through sparsely and checks its length', () => {
    const f = makeFeaturizer({ kind: 'dense', size: 3 });
    const X = f.transformAll([{ features: [0, 2.5, -1] }, { features: [1, 0, 0] }]);
    expect(Array.from(X.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(X.indices)).toEqual([1, 2, 0]);
    expect(Array.from(X.values)).toEqual([2.5, -1, 1]);
    expect(() => f.transform({ features: [1, 2] })).toThrow(/expected 3 numbers/);
  });
});
