import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_R, fromField, isFieldElement, toField } from './field.js';

const half = FIELD_R / 2n;

describe('BN254 field', () => {
  it('is the BN254 scalar field order', () => {
    expect(FIELD_R).toBe(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    expect(FIELD_R.toString(16)).toBe('30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001');
  });

  it('encodes signed integers as residues and decodes them back (vectors)', () => {
    expect(toField(0n)).toBe(0n);
    expect(toField(-1n)).toBe(FIELD_R - 1n);
    expect(toField(FIELD_R)).toBe(0n);
    expect(fromField(FIELD_R - 1n)).toBe(-1n);
    expect(fromField(half)).toBe(half);
    expect(fromField(half + 1n)).toBe(half + 1n - FIELD_R);
    expect(isFieldElement(FIELD_R)).toBe(false);
    expect(isFieldElement(-1n)).toBe(false);
  });

  it('fromField ∘ toField is the identity on [−⌊r/2⌋, ⌊r/2⌋] and toField lands in the field (property)', () => {
    expect(fromField(toField(-half))).toBe(-half);
    fc.assert(
      fc.property(fc.bigInt({ min: -half, max: half }), (v) => {
        const f = toField(v);
        expect(isFieldElement(f)).toBe(true);
        expect(fromField(f)).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: FIELD_R - 1n }), (f) => {
        expect(toField(fromField(f))).toBe(f);
      }),
    );
  });
});
