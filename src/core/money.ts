import { ValidationError } from './errors.js';

/** Money is bigint micro-units: 1 unit = 10^6 micro-units. Never a float. */
export type Micro = bigint;
export const UNIT: Micro = 1_000_000n;

/**
 * Money as people type it: units with at most 6 decimals. The whole part is canonical (no leading
 * zeros, so "05" is refused but "0.5" is not); trailing zeros after the point are allowed ("1.50");
 * no "+", no spaces, and no minus on a zero amount ("-0", "-0.000").
 */
const DECIMAL = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,6}))?$/;

/** Parses "5", "5.25" or "-0.000001" units into micro-units exactly; more than 6 decimals is an error. */
export function parseUnits(text: string, field = 'amount'): Micro {
  const m = DECIMAL.exec(text);
  const micro = m ? BigInt(m[2]!) * UNIT + BigInt((m[3] ?? '').padEnd(6, '0')) : 0n;
  if (!m || (m[1] === '-' && micro === 0n)) {
    throw new ValidationError(
      'money.invalid',
      `${field}: expected a decimal amount of units with at most 6 decimals (no leading zeros, no spaces, no sign other than a leading minus on a nonzero amount), got ${JSON.stringify(text)}`,
      { field, expected: 'decimal with ≤ 6 decimals', got: text },
    );
  }
  return m[1] === '-' ? -micro : micro;
}

/** Formats micro-units as a decimal string of units ("5.25"). */
export function formatUnits(micro: Micro): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const whole = abs / UNIT;
  const frac = (abs % UNIT).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Micro-units as they travel in events and JSON: a decimal integer string. */
export function microToString(micro: Micro): string {
  return micro.toString();
}

/**
 * The one spelling of an integer as money travels in events and JSON: "0", or digits without a
 * leading zero, with a leading minus only on a nonzero value. So each amount has exactly one text
 * form, and an event cannot be re-spelled into another CID with the same meaning.
 */
export const CANONICAL_INTEGER = /^(0|-?[1-9]\d*)$/;
export const CANONICAL_INTEGER_RULE = 'a canonical decimal integer: no leading zeros, no sign other than a leading minus on a nonzero value';

export function isCanonicalInteger(text: string): boolean {
  return CANONICAL_INTEGER.test(text);
}

export function microFromString(text: string, field = 'amount'): Micro {
  if (text.length > 31 || !isCanonicalInteger(text)) {
    throw new ValidationError('money.invalid', `${field}: expected an integer number of micro-units as ${CANONICAL_INTEGER_RULE}, got ${JSON.stringify(text)}`, {
      field,
      expected: 'canonical integer string',
      got: text,
    });
  }
  return BigInt(text);
}
