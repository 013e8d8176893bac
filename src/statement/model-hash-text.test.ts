import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_R } from './field.js';
import { MODEL_HASH_PATTERN, fieldHex, isModelHashText, parseModelHash } from './model-hash-text.js';
import { pseudoModelHash } from './pseudo-model-hash.js';

describe('model hash text', () => {
  it('is 0x + 64 lowercase hex digits of a field element (vectors)', () => {
    expect(fieldHex(0n)).toBe(`0x${'0'.repeat(64)}`);
    expect(fieldHex(255n)).toBe(`0x${'0'.repeat(62)}ff`);
    expect(fieldHex(FIELD_R - 1n)).toBe('0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000');
    expect(() => fieldHex(FIELD_R)).toThrow(/expected an integer in \[0, /);
    expect(() => fieldHex(-1n)).toThrow();
  });

  it('parses back exactly what fieldHex writes (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: FIELD_R - 1n }), (v) => {
        const text = fieldHex(v);
        expect(text).toMatch(MODEL_HASH_PATTERN);
        expect(parseModelHash(text)).toBe(v);
      }),
    );
  });

  it('refuses other spellings: uppercase, short, unprefixed, CIDs, values ≥ r', () => {
    const good = fieldHex(0xabcdefn);
    for (const bad of [good.toUpperCase().replace('0X', '0x'), '0x1', good.slice(2), `0x${'f'.repeat(64)}`, fieldHex(FIELD_R - 1n).replace(/0$/, '1'), 'bafyreia2b3c4d5e6f7g8h9', 'model-alice-1']) {
      expect(isModelHashText(bad)).toBe(false);
      expect(() => parseModelHash(bad)).toThrow(/modelHash: expected a model hash/);
    }
  });
});

describe('pseudoModelHash', () => {
  it('names a non-provable model with a valid, deterministic, label-specific model hash', () => {
    expect(pseudoModelHash('copycat')).toBe(pseudoModelHash('copycat'));
    expect(pseudoModelHash('copycat')).not.toBe(pseudoModelHash('copycat2'));
    // sha256("hindsight-pseudo-model:alice") mod r, computed independently
    expect(pseudoModelHash('alice')).toBe('0x277c7ed2a2163f803599492c2e200eb4bb2dbcca43c9fa20074667586fef7b40');
    fc.assert(
      fc.property(fc.string(), (label) => {
        expect(isModelHashText(pseudoModelHash(label))).toBe(true);
      }),
    );
  });
});
