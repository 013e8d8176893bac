import { ValidationError } from '../core/errors.js';
import { UNIT } from '../core/money.js';

/** Beliefs and prices are integers at this scale (the game's PROB_SCALE = 10^12). */
const SCALE = 1_000_000_000_000;

/**
 * A model's probabilities as the integer belief a trade carries: each p clipped to at least
 * `floor` (a model that is certain and wrong would otherwise pay ≈ 20·b on one item), renormalized,
 * scaled to 10^12 and rounded by largest remainder so the entries sum to exactly 10^12.
 */
export function toBelief(probs: ArrayLike<number>, floor = 1e-4): number[] {
  const k = probs.length;
  if (k < 2) throw new ValidationError('belief.invalid', `probs: expected at least 2 probabilities, got ${k}`, { field: 'probs' });
  const clipped = Array.from({ length: k }, (_, i) => {
    const p = probs[i]!;
    if (!Number.isFinite(p) || p < 0) throw new ValidationError('belief.invalid', `probs[${i}]: expected a finite probability ≥ 0, got ${p}`, { field: `probs.${i}` });
    return Math.max(p, floor);
  });
  const sum = clipped.reduce((a, b) => a + b, 0);
  const exact = clipped.map((p) => (p / sum) * SCALE);
  const out = exact.map(Math.floor);
  let missing = SCALE - out.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; missing > 0; j = (j + 1) % k, missing--) out[order[j]![1]]! += 1;
  return out;
}

/** Back to floats (for scoring what was actually traded). */
export function beliefToProbs(belief: readonly (number | string)[]): number[] {
  return belief.map((v) => Number(v) / SCALE);
}

/**
 * The bankroll rule: how much an operator may risk per item. Fractional Kelly, capped:
 * maxCost = min(maxCostPerItem, kellyFraction · balance / items). A trade-to-belief whose full
 * move costs more stops part-way along the geometric price path (the market's capped move), so
 * a poorer operator moves prices less — wealth, earned by past accuracy, buys influence.
 */
export type BankrollRule = {
  kellyFraction: number;
  maxCostPerItem: bigint;
  /**
   * Scale bets by the operator's own track record (a Kelly bettor bets its edge): the max cost is
   * multiplied by clamp(1 + trackRecord · P&L per traded item / b, 0.1, 1), from settled rounds.
   * 0 or absent: off.
   */
  trackRecord?: number;
};

/** The track-record multiplier of BankrollRule (1 when off or without history). */
export function trackRecordMultiplier(rule: BankrollRule, pnl: bigint, items: number, b: bigint): number {
  if (!rule.trackRecord || items === 0 || b <= 0n) return 1;
  const edge = Number(pnl) / items / Number(b);
  return Math.min(1, Math.max(0.1, 1 + rule.trackRecord * edge));
}

export const DEFAULT_BANKROLL: BankrollRule = { kellyFraction: 0.5, maxCostPerItem: 50n * UNIT };

export function maxCostPerItem(rule: BankrollRule, balance: bigint, items: number): bigint {
  if (items <= 0) return 0n;
  if (!(rule.kellyFraction > 0 && rule.kellyFraction <= 1)) {
    throw new ValidationError('bankroll.invalid', `kellyFraction: expected a number in (0, 1], got ${rule.kellyFraction}`, { field: 'kellyFraction' });
  }
  const share = (balance * BigInt(Math.round(rule.kellyFraction * 1_000_000))) / (1_000_000n * BigInt(items));
  return share < rule.maxCostPerItem ? share : rule.maxCostPerItem;
}
