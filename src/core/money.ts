import { ValidationError } from './errors.js';

/** Money is bigint micro-units: 1 unit = 10^6 micro-units. Never a float. */
export type Micro = bigint;
export const UNIT: Micro = 1_000_000n;

const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;

/** Parses "5", "5.25" or "-0.000001" units into micro-units exactly; more than 6 decimals is an error. */
export function parseUnits(text: string, field = 'amount'): Micro {
  const m = DECIMAL.exec(text.trim());
  if (!m) {
    throw new ValidationError('money.invalid', `${field}: expected a decimal amount with at most 6 decimals, got ${JSON.stringify(text)}`, {
      field,
      expected: 'decimal with ≤ 6 decimals',
      got: text,
    });
  }
  const [, sign, whole, frac = ''] = m;
  const micro = BigInt(whole!) * UNIT + BigInt(frac.padEnd(6, '0'));
  return sign === '-' ? -micro : micro;
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

export function microFromString(text: string, field = 'amount'): Micro {
  if (!/^-?\d{1,30}$/.test(text)) {
    throw new ValidationError('money.invalid', `${field}: expected an integer number of micro-units as a string, got ${JSON.stringify(text)}`, {
      field,
      expected: 'integer string',
      got: text,
    });
  }
  return BigInt(text);
}
