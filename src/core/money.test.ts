import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUnits, microFromString, parseUnits, UNIT } from './money.js';

describe('parseUnits: amounts as people type them', () => {
  it('reads units with up to 6 decimals, trailing zeros allowed', () => {
    expect(parseUnits('5')).toBe(5n * UNIT);
    expect(parseUnits('1.50')).toBe(1_500_000n);
    expect(parseUnits('0.5')).toBe(500_000n);
    expect(parseUnits('-0.000001')).toBe(-1n);
    expect(parseUnits('0')).toBe(0n);
  });

  it('refuses leading zeros, a plus sign, spaces and a negative zero, naming the field', () => {
    for (const text of ['0005', '05.5', '-05', '+5', ' 5', '5 ', '-0', '-0.000', '1.1234567', '', '.5', '5.']) {
      expect(() => parseUnits(text, 'treasury'), text).toThrow(expect.objectContaining({ code: 'money.invalid', details: expect.objectContaining({ field: 'treasury' }) }));
    }
    expect(() => parseUnits('007')).toThrow(/no leading zeros/);
  });

  it('formatUnits output parses back to the same amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (n) => {
        expect(parseUnits(formatUnits(n))).toBe(n);
      }),
    );
  });
});

describe('microFromString: the event spelling of an amount', () => {
  it('accepts the canonical text of any bigint and refuses a zero-padded or signed re-spelling', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n) + 1n, max: 10n ** 30n - 1n }), fc.integer({ min: 1, max: 4 }), (n, pad) => {
        expect(microFromString(n.toString())).toBe(n);
        const abs = (n < 0n ? -n : n).toString();
        for (const text of [`${n < 0n ? '-' : ''}${'0'.repeat(pad)}${abs}`, `+${abs}`, ` ${n}`, ...(n === 0n ? ['-0'] : [])]) {
          expect(() => microFromString(text), text).toThrow(expect.objectContaining({ code: 'money.invalid' }));
        }
      }),
    );
  });
});
