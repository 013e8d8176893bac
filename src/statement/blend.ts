/**
 * The served blend: a wealth-weighted average of component models' beliefs, the weights decided
 * only from P&L settled before the item is served (the simulation's `served.ts` and the node's
 * verifiable served answer both use these two functions, so there is one formula).
 *
 *   w_i = exp(temper · pnl_i / b) / Σ_j exp(temper · pnl_j / b)      (pnl and b in units)
 *   p   = Σ_i w_i · p_i / Σ_i w_i                                     (over the components with a belief)
 *
 * exp(P&L / b) is the wealth of a full-Kelly bettor under log scoring — each line's likelihood
 * ratio against the market, i.e. Bayesian model averaging with wealth as the posterior
 * (Beygelzimer, Langford & Pennock 2012); `temper` < 1 is a fractional-Kelly wealth.
 */
export type LineWealth = { name: string; pnl: number };

/** Blend weights from cumulative P&L in units and the market liquidity b in units. */
export function blendWeights(lines: readonly LineWealth[], b: number, temper = 1): Map<string, number> {
  const out = new Map<string, number>();
  if (lines.length === 0) return out;
  const logs = lines.map((l) => (temper * l.pnl) / b);
  const max = Math.max(...logs);
  const raw = logs.map((v) => Math.exp(v - max));
  const sum = raw.reduce((a, v) => a + v, 0);
  lines.forEach((l, i) => out.set(l.name, raw[i]! / sum));
  return out;
}

/** The blend of the beliefs available for one item (lines without a belief drop out, weights renormalize). */
export function blend(beliefs: ReadonlyMap<string, ArrayLike<number>>, weights: ReadonlyMap<string, number>): number[] | null {
  let total = 0;
  let out: number[] | null = null;
  for (const [name, belief] of beliefs) {
    const w = weights.get(name) ?? 0;
    if (w <= 0) continue;
    out ??= new Array<number>(belief.length).fill(0);
    for (let k = 0; k < belief.length; k++) out[k]! += w * belief[k]!;
    total += w;
  }
  return out && total > 0 ? out.map((v) => v / total) : null;
}
