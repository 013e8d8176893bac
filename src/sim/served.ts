/**
 * The served prediction: what inference-as-a-service answers for round
 * n's inputs, decided only from the leaderboard as of round n−1 (P&L settled before round n).
 *
 *  - leader: the model line with the highest cumulative P&L so far answers alone.
 *  - blend:  a wealth-weighted average of the lines' beliefs. The weight is the wealth a full-Kelly
 *            bettor would have: a log-scoring trade earns b·(ln r_y − ln p_y), so exp(P&L / b) is
 *            proportional to Π r_y / p_y — each line's likelihood ratio against the market, i.e.
 *            Bayesian model averaging with wealth as the posterior (Beygelzimer, Langford & Pennock
 *            2012). `temper` < 1 flattens it (a fractional-Kelly bettor's wealth): one sealed pass
 *            per round makes P&L a noisy likelihood, and full Kelly concentrates on last round's
 *            leader too fast; the demo serves temper 0.1 (measured, docs/demo.md).
 */
export type ServingRule = 'leader' | 'blend';

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

export function leaderOf(lines: readonly LineWealth[]): string | null {
  let best: LineWealth | null = null;
  for (const l of lines) if (!best || l.pnl > best.pnl || (l.pnl === best.pnl && l.name < best.name)) best = l;
  return best?.name ?? null;
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
