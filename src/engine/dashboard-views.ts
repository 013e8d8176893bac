import { balanceOf } from '../game/ledger.js';
import type { GameState, MarketState, Position } from '../game/state.js';
import { PROB_SCALE } from '../market/lmsr.js';
import { marketPrices } from '../game/exchange.js';
import { gaussianEpsilon } from '../fl/privacy/gaussian-dp.js';
import type { FeedView, FlTasksView, LineBoardView, MembersView, ModelLineView, RoundDetailView } from './dashboard-schemas.js';

/**
 * Read views for the web dashboard, computed from the game state like views.ts. Display scores
 * (log loss, Brier, calibration) are floats here: they are shown, never fed back into the game.
 */

const P = Number(PROB_SCALE);
const FLOOR = 1e-12;

type Score = { logLoss: number; brier: number; n: number };
const emptyScore = (): Score => ({ logLoss: 0, brier: 0, n: 0 });
function addScore(s: Score, probs: number[], y: number): void {
  s.logLoss += -Math.log(Math.max(FLOOR, probs[y]!));
  s.brier += probs.reduce((acc, p, i) => acc + (p - (i === y ? 1 : 0)) ** 2, 0);
  s.n += 1;
}
const mean = (sum: number, n: number): number | null => (n === 0 ? null : sum / n);
const probsOf = (xs: readonly bigint[]): number[] => xs.map((x) => Number(x) / P);

/** Ten equal-width buckets of predicted probability; every outcome's probability counts once (unweighted). */
type Cells = { predictions: number; hits: number; sum: number }[];
const emptyCells = (): Cells => Array.from({ length: 10 }, () => ({ predictions: 0, hits: 0, sum: 0 }));
function addCalibration(cells: Cells, probs: number[], y: number): void {
  probs.forEach((p, i) => {
    const cell = cells[Math.min(9, Math.floor(p * 10))]!;
    cell.predictions += 1;
    cell.sum += p;
    if (i === y) cell.hits += 1;
  });
}
function calibrationError(cells: Cells): number | null {
  const n = cells.reduce((a, c) => a + c.predictions, 0);
  if (n === 0) return null;
  return cells.reduce((a, c) => (c.predictions === 0 ? a : a + (c.predictions / n) * Math.abs(c.hits / c.predictions - c.sum / c.predictions)), 0);
}
const cellsView = (cells: Cells) => cells.map((c, bucket) => ({ bucket, predictions: c.predictions, hits: c.hits }));

export const CALIBRATION_METHOD =
  'ten equal-width buckets of predicted probability (0–0.1, …, 0.9–1); every outcome probability of every scored prediction counts once (unweighted by stake); ' +
  'the hit rate of a bucket is the share of its predictions whose outcome happened; calibration error = Σ (n_b / N) · |hit rate_b − mean prediction_b|.';

/** Outcome-resolved markets of a round with their final (pre-settlement) prices. */
function resolved(state: GameState, round: number): { market: MarketState; y: number }[] {
  const r = state.rounds.get(round);
  if (!r) return [];
  return [...r.markets.values()].filter((m) => m.outcome !== null).map((m) => ({ market: m, y: m.outcome! }));
}

export function membersView(state: GameState): MembersView {
  return {
    members: [...state.members.values()].map((m) => ({
      did: m.did, joinedAt: m.joinedAt, left: m.left, bond: m.bond.toString(), slashed: m.slashed.toString(), rewarded: m.rewarded.toString(), balance: balanceOf(state.ledger, m.did).toString(),
    })),
    bonded: state.ledger.bonded.toString(),
  };
}

export function roundDetailView(state: GameState, round: number): RoundDetailView | null {
  const r = state.rounds.get(round);
  if (!r) return null;
  const c = r.committee;
  let trades = 0;
  let volume = 0n;
  let subsidy = 0n;
  let spent = 0n;
  for (const m of r.markets.values()) {
    trades += m.trades;
    volume += m.volume;
    subsidy += m.subsidy;
    if (m.settled && m.outcome !== null) {
      const paid = [...m.positions.values()].reduce((a, p) => a + p.shares[m.outcome!]!, 0n);
      const paidIn = [...m.positions.values()].reduce((a, p) => a + p.netCost, 0n);
      spent += paid - paidIn;
    }
  }
  const market = emptyScore();
  const models = new Map<string, Score>();
  for (const { market: m, y } of resolved(state, round)) {
    addScore(market, probsOf(marketPrices(m)), y);
    for (const p of m.positions.values()) {
      if (!p.belief) continue;
      const s = models.get(p.model) ?? emptyScore();
      addScore(s, probsOf(p.belief), y);
      models.set(p.model, s);
    }
  }
  let best: RoundDetailView['totals']['bestModel'] = null;
  for (const [hash, s] of models) {
    const ll = s.logLoss / s.n;
    if (!best || ll < best.logLoss) best = { hash, name: state.models.get(hash)?.name ?? '', logLoss: ll };
  }
  return {
    round,
    phase: r.phase,
    committee: c
      ? {
        seats: c.members.map((member) => ({ member, commits: c.commits.get(member)?.size ?? 0, reveals: [...(c.reveals.get(member)?.values() ?? [])].filter((x) => x !== null).length })),
        resolved: c.resolved,
      }
      : null,
    submissions: [...r.submissions.values()].map((s) => ({ id: s.id, submitter: s.submitter, status: s.status, voidReason: s.voidReason })),
    totals: {
      items: r.markets.size, trades, volume: volume.toString(), subsidy: subsidy.toString(), subsidySpent: spent.toString(),
      marketLogLoss: mean(market.logLoss, market.n), bestModel: best,
    },
  };
}

export function modelLineView(state: GameState, hash: string, proven: ModelLineView['proven'] = []): ModelLineView | null {
  const m = state.models.get(hash);
  if (!m) return null;
  const commits = [...state.models.values()].filter((x) => x.owner === m.owner).sort((a, b) => a.committedAt - b.committedAt);
  const stats = state.leaderboard.get(hash);
  const rounds = [...(stats?.history.entries() ?? [])].sort((a, b) => a[0] - b[0]).map(([round, h]) => {
    const s = emptyScore();
    for (const { market, y } of resolved(state, round)) {
      const belief = market.positions.get(hash)?.belief;
      if (belief) addScore(s, probsOf(belief), y);
    }
    return { round, pnl: h.pnl.toString(), items: h.items, logLoss: mean(s.logLoss, s.n), brier: mean(s.brier, s.n) };
  });
  return {
    hash, owner: m.owner, name: m.name, vkey: m.vkey,
    commits: commits.map((x) => ({ hash: x.hash, name: x.name, architecture: x.architecture, committedAt: x.committedAt, vkey: x.vkey })),
    rounds, proven,
  };
}

/**
 * Model lines (one owner's models of one name: an operator recommits a retrained model every
 * round) scored over the last `window` settled rounds.
 */
export function lineBoardView(state: GameState, window: number): LineBoardView {
  const settled = [...state.rounds.values()].filter((r) => r.phase === 'settled').map((r) => r.round).sort((a, b) => a - b);
  const rounds = settled.slice(-window);
  type Acc = { name: string; owner: string; latest: string; latestAt: number; pnl: bigint; items: number; score: Score; cells: Cells; perRound: Map<number, bigint> };
  const lines = new Map<string, Acc>();
  const lineOf = (hash: string): Acc | undefined => {
    const info = state.models.get(hash);
    if (!info) return undefined;
    const key = `${info.owner} ${info.name}`;
    let acc = lines.get(key);
    if (!acc) lines.set(key, (acc = { name: info.name, owner: info.owner, latest: hash, latestAt: -1, pnl: 0n, items: 0, score: emptyScore(), cells: emptyCells(), perRound: new Map() }));
    if (info.committedAt > acc.latestAt) Object.assign(acc, { latest: hash, latestAt: info.committedAt });
    return acc;
  };
  for (const stats of state.leaderboard.values()) {
    const acc = lineOf(stats.hash);
    if (!acc) continue;
    for (const round of rounds) {
      const h = stats.history.get(round);
      if (!h) continue;
      acc.pnl += h.pnl;
      acc.items += h.items;
      acc.perRound.set(round, (acc.perRound.get(round) ?? 0n) + h.pnl);
    }
  }
  const market = emptyScore();
  const marketCells = emptyCells();
  for (const round of rounds) {
    for (const { market: m, y } of resolved(state, round)) {
      const mp = probsOf(marketPrices(m));
      addScore(market, mp, y);
      addCalibration(marketCells, mp, y);
      for (const p of m.positions.values() as Iterable<Position>) {
        if (!p.belief) continue;
        const acc = lineOf(p.model);
        if (!acc) continue;
        const probs = probsOf(p.belief);
        addScore(acc.score, probs, y);
        addCalibration(acc.cells, probs, y);
      }
    }
  }
  const out = [...lines.entries()].map(([line, a]) => {
    let running = 0n;
    return {
      line, name: a.name, owner: a.owner, latest: a.latest, pnl: a.pnl.toString(), items: a.items,
      logLoss: mean(a.score.logLoss, a.score.n), brier: mean(a.score.brier, a.score.n), calibrationError: calibrationError(a.cells), calibration: cellsView(a.cells),
      cumulative: rounds.map((round) => ({ round, pnl: (running += a.perRound.get(round) ?? 0n).toString() })),
    };
  });
  out.sort((x, y) => (BigInt(x.pnl) === BigInt(y.pnl) ? (x.line < y.line ? -1 : 1) : BigInt(y.pnl) > BigInt(x.pnl) ? 1 : -1));
  return {
    window, rounds, method: CALIBRATION_METHOD, lines: out,
    market: { logLoss: mean(market.logLoss, market.n), brier: mean(market.brier, market.n), calibrationError: calibrationError(marketCells), calibration: cellsView(marketCells) },
  };
}

/** What an fl.task declares about its noise; the game state keeps only what the game needs. */
export type FlPrivacyDeclared = { noiseMultiplier: number; delta: string };

export const FL_EPSILON_METHOD =
  'ε for the declared noise multiplier σ and δ over the completed rounds, every cohort member in every round (no subsampling), by the analytic Gaussian composition of src/fl/privacy/gaussian-dp.ts: what the task declares, not an audit of the noise added.';

/** ε spent so far by a task's declared Gaussian noise: 0 before any round, null without noise. */
export function flEpsilonSpent(declared: FlPrivacyDeclared, completed: number): number | null {
  if (declared.noiseMultiplier <= 0) return null;
  if (completed === 0) return 0;
  return gaussianEpsilon({ sigma: declared.noiseMultiplier, steps: completed, delta: Number(declared.delta) });
}

export function flTasksView(state: GameState, declared: ReadonlyMap<string, FlPrivacyDeclared> = new Map()): FlTasksView {
  return {
    tasks: [...state.fl.values()].map((t) => {
      const d = declared.get(t.task);
      return {
        task: t.task, operator: t.operator, parameters: t.parameters, rounds: t.rounds, completed: t.completed, budget: t.budget.toString(), paid: t.paid.toString(), secureAggregation: t.secureAggregation,
        participants: [...t.controllers.entries()].map(([did, c]) => ({ did, examples: c.examples, earned: c.earned.toString() })),
        privacy: d ? { noiseMultiplier: d.noiseMultiplier, delta: d.delta, epsilon: flEpsilonSpent(d, t.completed) } : null,
      };
    }),
    method: FL_EPSILON_METHOD,
  };
}

/** Items newest round first; a member-submitted item's text is public once its key opened it. */
export function feedView(state: GameState, limit: number): FeedView {
  const posts: FeedView['posts'] = [];
  const pending: FeedView['pending'] = [];
  for (const r of [...state.rounds.values()].sort((a, b) => b.round - a.round)) {
    for (const s of r.submissions.values()) if (s.status === 'pending') pending.push({ round: r.round, id: s.id, submitter: s.submitter, status: s.status });
    for (const item of r.items.values()) {
      if (posts.length >= limit) break;
      const m = r.markets.get(item.id);
      posts.push({
        round: r.round, item: item.id, text: 'text' in item.input ? item.input.text : null, phase: r.phase,
        prices: m ? marketPrices(m).map(String) : [], outcome: m?.outcome ?? null,
        models: m ? [...m.positions.values()].map((p) => ({ model: p.model, belief: p.belief ? p.belief.map(String) : null })) : [],
        submitted: r.submissions.has(item.id),
      });
    }
  }
  return { posts, pending };
}
