import { ValidationError } from '../core/errors.js';

const PROB_DIGITS = 12;

/** "0.8,0.2" → integers at 10^12, exactly (decimal strings, never floats). */
export function parseBelief(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((p, i) => {
    const m = /^(0|1)?(?:\.(\d{1,12}))?$/.exec(p);
    if (!m || p === '' || p === '.') {
      throw new ValidationError('belief.invalid', `--belief[${i}]: expected a probability like 0.8 (at most 12 decimals), got ${JSON.stringify(p)}`, { field: 'belief' });
    }
    const whole = m[1] === '1' ? 10 ** PROB_DIGITS : 0;
    const frac = Number((m[2] ?? '').padEnd(PROB_DIGITS, '0'));
    const value = whole + frac;
    if (value > 10 ** PROB_DIGITS) throw new ValidationError('belief.invalid', `--belief[${i}]: expected a probability ≤ 1, got ${p}`, { field: 'belief' });
    return value;
  });
}
