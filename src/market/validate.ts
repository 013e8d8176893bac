/**
 * Input checks for the market math. Everything a trader can get wrong is a GameRejection with a
 * stable code and an "expected X, got Y" message; a caller bug (bad b, bad K) is a ValidationError.
 */
import type { ErrorCode } from '../core/error-codes.js';
import { GameRejection, ValidationError, describe } from '../core/errors.js';

export const MIN_OUTCOMES = 2;
/** Bucketed scalar markets stay well below this; the rounding margin grows linearly with K. */
export const MAX_OUTCOMES = 1024;

export function rejection(code: ErrorCode, field: string, expected: string, got: unknown): GameRejection {
  return new GameRejection(code, `${field}: expected ${expected}, got ${describe(got)}`, {
    field,
    expected,
    got: describe(got),
  });
}

export function invalid(code: ErrorCode, field: string, expected: string, got: unknown): ValidationError {
  return new ValidationError(code, `${field}: expected ${expected}, got ${describe(got)}`, {
    field,
    expected,
    got: describe(got),
  });
}

export function checkOutcomes(outcomes: number): void {
  if (!Number.isInteger(outcomes) || outcomes < MIN_OUTCOMES || outcomes > MAX_OUTCOMES) {
    throw invalid('market.outcomes', 'outcomes', `an integer K in [${MIN_OUTCOMES}, ${MAX_OUTCOMES}]`, outcomes);
  }
}

export function checkLiquidity(b: bigint): void {
  if (typeof b !== 'bigint' || b <= 0n) throw invalid('market.liquidity', 'b', 'a positive bigint (micro-units)', b);
}

/** Outstanding shares: K ≥ 2 non-negative bigints (micro-shares). */
export function checkQuantities(q: readonly bigint[], field = 'q'): void {
  if (!Array.isArray(q)) throw invalid('market.quantities', field, 'an array of bigint micro-shares', q);
  checkOutcomes(q.length);
  for (let i = 0; i < q.length; i++) {
    const v = q[i];
    if (typeof v !== 'bigint' || v < 0n) {
      throw invalid('market.quantities', `${field}[${i}]`, 'a non-negative bigint (micro-shares)', v);
    }
  }
}

export function checkMaxCost(maxCost: bigint): void {
  if (typeof maxCost !== 'bigint' || maxCost < 0n) {
    throw rejection('trade.maxCost', 'maxCost', 'a non-negative bigint (micro-units)', maxCost);
  }
}

/**
 * Outstanding shares after a share-vector trade, with the checks every scoring rule makes: one
 * bigint per outcome, and no outstanding quantity below zero. `moved` is false for an all-zero delta.
 */
export function sharesAfter(q: readonly bigint[], delta: readonly bigint[]): { next: bigint[]; moved: boolean } {
  if (!Array.isArray(delta) || delta.length !== q.length) {
    throw rejection('trade.wrongLength', 'delta', `K=${q.length} share amounts`, Array.isArray(delta) ? `${delta.length} amounts` : delta);
  }
  const next = new Array<bigint>(q.length);
  let moved = false;
  for (let i = 0; i < q.length; i++) {
    const d = delta[i];
    if (typeof d !== 'bigint') throw rejection('trade.delta', `delta[${i}]`, 'a bigint (micro-shares)', d);
    if (d !== 0n) moved = true;
    next[i] = q[i]! + d;
    if (next[i]! < 0n) throw rejection('trade.sharesNegative', `delta[${i}]`, `at least −${q[i]} (outstanding micro-shares)`, d);
  }
  return { next, moved };
}
