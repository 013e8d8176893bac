import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_R, toField } from './field.js';
import { segmentLayout } from './packing.js';
import type { PublicLayout } from './layout.js';
import { decodePublicSignals, encodePublicSignals, publicInputSignals, type DecodedSignals } from './signals.js';

/** A layout as the circuit generator writes it (binary logreg over 8 signed 14-bit features). */
const exampleLayout: PublicLayout = {
  version: 1, kind: 'logreg', items: 1, scores: 1, classes: 2, binding: 'public', input: { count: 8, bits: 14, signed: true },
  inputWords: 1, scaleBits: 6, weightBits: 8, scoreBits: 30, modelHeader: '1234567890',
};

const field = fc.bigInt({ min: 0n, max: FIELD_R - 1n });
const signed = fc.bigInt({ min: -(1n << 120n), max: 1n << 120n });

const layoutArb = fc
  .record({
    items: fc.integer({ min: 1, max: 4 }),
    classes: fc.integer({ min: 2, max: 5 }),
    binary: fc.boolean(),
    binding: fc.constantFrom('public' as const, 'hash' as const, 'packed' as const),
    count: fc.integer({ min: 1, max: 40 }),
    bits: fc.integer({ min: 1, max: 40 }),
  })
  .map(({ items, classes, binary, binding, count, bits }): PublicLayout => ({
    ...exampleLayout,
    items,
    classes,
    scores: binary ? 1 : classes,
    binding,
    input: { count, bits, signed: true },
    inputWords: segmentLayout({ name: 'x', count, bits, signed: true }).words,
  }));

function decodedArb(l: PublicLayout): fc.Arbitrary<DecodedSignals> {
  const per = l.binding === 'public' ? l.input.count : l.inputWords;
  const item = fc.record({
    predicted: fc.integer({ min: 0, max: l.classes - 1 }),
    scores: fc.array(signed, { minLength: l.scores, maxLength: l.scores }),
    bound: l.binding === 'hash' ? field.map((h) => [h]) : fc.array(field, { minLength: per, maxLength: per }),
  });
  return fc.record({ modelHash: field, items: fc.array(item, { minLength: l.items, maxLength: l.items }) }).map((d) => ({
    modelHash: d.modelHash,
    items: d.items.map(({ predicted, scores, bound }) => (l.binding === 'hash' ? { predicted, scores, inputHash: bound[0]! } : { predicted, scores, inputs: bound })),
  }));
}

describe('public signals', () => {
  it('decode ∘ encode is the identity for every layout (property)', () => {
    fc.assert(
      fc.property(layoutArb.chain((l) => fc.tuple(fc.constant(l), decodedArb(l))), ([l, d]) => {
        const signals = encodePublicSignals(l, d);
        expect(signals.length).toBe(1 + l.items * (1 + l.scores + (l.binding === 'public' ? l.input.count : l.binding === 'packed' ? l.inputWords : 1)));
        expect(decodePublicSignals(l, signals)).toEqual(d);
      }),
    );
  });

  it('reads a one-item proof: [modelHash, predicted, scores…, inputs…] with negative scores wrapped (vector)', () => {
    const l = { ...exampleLayout, input: { count: 2, bits: 14, signed: true } };
    const signals = ['77', '1', String(FIELD_R - 5n), '3', String(FIELD_R - 2n)];
    expect(decodePublicSignals(l, signals)).toEqual({ modelHash: 77n, items: [{ predicted: 1, scores: [-5n], inputs: [3n, FIELD_R - 2n] }] });
    expect(publicInputSignals(l, [3, -2])).toEqual([3n, toField(-2n)]);
    expect(publicInputSignals({ ...l, binding: 'hash' }, [3, -2])).toBeNull();
    expect(publicInputSignals({ ...l, binding: 'packed' }, [3, -2])).toEqual([((-2n + 8192n) << 14n) | (3n + 8192n)]);
    expect(() => publicInputSignals(l, [1 << 13, 0])).toThrow(/x\[0\]: expected an integer in \[-8192, 8191\]/);
  });

  it('refuses a wrong count, non-decimal signals and values ≥ r with zk.signalsMalformed', () => {
    const l = { ...exampleLayout, binding: 'hash' as const };
    expect(() => decodePublicSignals(l, ['1', '0', '0'])).toThrow(expect.objectContaining({ code: 'zk.signalsMalformed' }));
    expect(() => decodePublicSignals(l, ['1', '0', '0x1', '0'])).toThrow(/publicSignals\[2\]: expected a decimal field element/);
    expect(() => decodePublicSignals(l, ['1', '0', String(FIELD_R), '0'])).toThrow(expect.objectContaining({ code: 'zk.signalsMalformed' }));
  });
});
