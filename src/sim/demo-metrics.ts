import { marketPrices } from '../game/exchange.js';
import type { GameState } from '../game/state.js';
import { beliefToProbs } from '../sdk/operator-bankroll.js';
import type { Operator } from '../sdk/operator.js';
import type { DemoRoundSet } from './demo-data.js';
import { blend, blendWeights, leaderOf, type LineWealth, type ServingRule } from './served.js';
import { Score } from './stats.js';

const PROB = 1e12;

/** The default blend temper (a fractional-Kelly wealth), chosen by measurement: see docs/demo.md. */
export const SERVED_TEMPER = 0.1;
export const BLEND_TEMPERS = [1, 0.3, 0.1, 0.03, 0];

/** Ten buckets of predicted class probability: predictions and how many came true. */
export type Calibration = { predictions: number[]; hits: number[]; probSum: number[] };

function emptyCalibration(): Calibration {
  return { predictions: new Array(10).fill(0), hits: new Array(10).fill(0), probSum: new Array(10).fill(0) };
}

function addCalibration(c: Calibration, probs: ArrayLike<number>, label: number): void {
  for (let k = 0; k < probs.length; k++) {
    const p = probs[k]!;
    const bucket = Math.min(9, Math.floor(p * 10));
    c.predictions[bucket]! += 1;
    c.probSum[bucket]! += p;
    if (k === label) c.hits[bucket]! += 1;
  }
}

export type RoundRow = {
  round: number;
  items: number;
  trades: number;
  marketLogLoss: number;
  best: { name: string; logLoss: number };
  served: { leader: string | null; leaderLogLoss: number | null; blendLogLoss: number | null };
  subsidySpent: bigint;
  pnl: Map<string, bigint>;
  modelLogLoss: Map<string, number>;
};

/**
 * Everything the demo measures, accumulated round by round from the game state (prices, P&L) and
 * the operators' own records (which belief each traded). Served predictions for round n use P&L of
 * rounds < n only: `observe` is called after round n settles and `serve` happened before that.
 */
export class DemoMetrics {
  readonly rows: RoundRow[] = [];
  readonly market = new Score();
  readonly marketCalibration = emptyCalibration();
  readonly lines = new Map<string, { score: Score; servedRounds: Score; pnl: bigint; hash: string; calibration: Calibration; cumulative: bigint[] }>();
  readonly leader = new Score();
  readonly blend = new Score();
  /** The blend at other tempers (1 = full-Kelly wealth; smaller = flatter), for the report. */
  readonly blendVariants = new Map<number, Score>(BLEND_TEMPERS.map((t) => [t, new Score()]));
  trades = 0;
  spent = 0n;

  constructor(readonly names: readonly string[]) {
    for (const name of names) this.lines.set(name, { score: new Score(), servedRounds: new Score(), pnl: 0n, hash: '', calibration: emptyCalibration(), cumulative: [] });
  }

  /** Cumulative P&L per line through the last observed round, in units (for serving weights). */
  wealth(): LineWealth[] {
    return [...this.lines.entries()].map(([name, l]) => ({ name, pnl: Number(l.pnl) / 1e6 }));
  }

  observe(state: GameState, set: DemoRoundSet, operators: readonly Operator[], spent: bigint): RoundRow {
    const r = state.rounds.get(set.round)!;
    const beliefs = new Map<string, Map<string, number[]>>();
    const pnl = new Map<string, bigint>();
    for (const op of operators) {
      const rec = op.rounds.get(set.round);
      const line = this.lines.get(op.name)!;
      const m = new Map<string, number[]>();
      for (const [item, b] of rec?.beliefs ?? []) m.set(item, beliefToProbs(b));
      beliefs.set(op.name, m);
      const hash = rec?.model.modelHash ?? '';
      const roundPnl = state.leaderboard.get(hash)?.history.get(set.round)?.pnl ?? 0n;
      pnl.set(op.name, roundPnl);
      if (hash) line.hash = hash;
    }
    // Served: weights from P&L before this round (lines' pnl not yet updated).
    const wealth = this.wealth().filter((w) => (beliefs.get(w.name)?.size ?? 0) > 0);
    const b = Number([...r.markets.values()][0]?.b ?? 1n) / 1e6;
    const weights = blendWeights(wealth, b, SERVED_TEMPER);
    const variantWeights = BLEND_TEMPERS.map((t) => [t, blendWeights(wealth, b, t)] as const);
    const leader = set.round > 1 ? leaderOf(wealth) : null;
    const roundMarket = new Score();
    const roundModels = new Map(this.names.map((n) => [n, new Score()]));
    const roundLeader = new Score();
    const roundBlend = new Score();
    for (const item of set.items) {
      const label = set.labels.get(item.id)!;
      const market = r.markets.get(item.id)!;
      this.trades += market.trades;
      const price = marketPrices(market).map((p) => Number(p) / PROB);
      this.market.add(price, label);
      roundMarket.add(price, label);
      addCalibration(this.marketCalibration, price, label);
      const itemBeliefs = new Map<string, number[]>();
      for (const [name, m] of beliefs) {
        const probs = m.get(item.id);
        if (!probs) continue;
        itemBeliefs.set(name, probs);
        const line = this.lines.get(name)!;
        line.score.add(probs, label);
        addCalibration(line.calibration, probs, label);
        roundModels.get(name)!.add(probs, label);
        if (set.round > 1) line.servedRounds.add(probs, label);
      }
      if (set.round > 1) {
        const l = leader ? itemBeliefs.get(leader) : undefined;
        if (l) {
          this.leader.add(l, label);
          roundLeader.add(l, label);
        }
        for (const [t, w] of variantWeights) {
          const v = blend(itemBeliefs, w);
          if (v) this.blendVariants.get(t)!.add(v, label);
        }
        const mixed = blend(itemBeliefs, weights);
        if (mixed) {
          this.blend.add(mixed, label);
          roundBlend.add(mixed, label);
        }
      }
    }
    for (const [name, line] of this.lines) {
      line.pnl += pnl.get(name) ?? 0n;
      line.cumulative.push(line.pnl);
    }
    this.spent += spent;
    let best = { name: '', logLoss: Infinity };
    const modelLogLoss = new Map<string, number>();
    for (const [name, s] of roundModels) {
      if (s.logLoss === null) continue;
      modelLogLoss.set(name, s.logLoss);
      if (s.logLoss < best.logLoss) best = { name, logLoss: s.logLoss };
    }
    const row: RoundRow = {
      round: set.round,
      items: set.items.length,
      trades: [...r.markets.values()].reduce((a, m) => a + m.trades, 0),
      marketLogLoss: roundMarket.logLoss ?? NaN,
      best,
      served: { leader, leaderLogLoss: roundLeader.logLoss, blendLogLoss: roundBlend.logLoss },
      subsidySpent: spent,
      pnl,
      modelLogLoss,
    };
    this.rows.push(row);
    return row;
  }

  served(rule: ServingRule): Score {
    return rule === 'leader' ? this.leader : this.blend;
  }
}
