import { GameRejection } from '../core/errors.js';
import { decode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import type { TradeBody } from '../events/types/core.js';
import { fill, marketPrices, openMarket, quote } from '../game/exchange.js';
import { orderKey } from '../game/settle.js';
import type { GameState } from '../game/state.js';
import { toRevealed } from '../game/trades.js';
import type { EventStore, StoredEvent } from '../store/index.js';
import type { HistoryTrade, MarketHistoryView } from './dashboard-schemas.js';

/**
 * A market's price path, rebuilt from the log: the game keeps only a market's current quantities,
 * so the path is replayed here with the game's own quote/fill on a fresh market. Continuous
 * markets execute each trade.execute in log order; sealed markets execute their revealed trades
 * in seed order when the round resolves (settle.ts), skipping those that fail at their price, as
 * the game does. The test checks that the last point equals the market's current prices.
 */
export async function marketHistory(state: GameState, store: EventStore, round: number, item: string, rejected: (seq: number) => boolean = () => false): Promise<MarketHistoryView | null> {
  const r = state.rounds.get(round);
  const current = r?.markets.get(item);
  if (!r || !current) return null;
  const events = await roundEvents(store, round, rejected);
  // The market's own scoring rule (LMSR or QMSR), as the game opened it.
  const market = openMarket(item, current.outcomes, current.subsidy, current.rule);
  const initial = marketPrices(market).map(String);
  const trades: HistoryTrade[] = [];
  const run = (stored: StoredEvent, ev: SignedEvent, model: string, trade: TradeBody, proof: boolean): void => {
    const revealed = toRevealed(trade);
    try {
      const f = quote(market, revealed, market.positions.get(model));
      fill(market, ev.author, model, revealed, f);
      trades.push({ index: trades.length + 1, seq: stored.seq, cid: stored.cid, time: ev.time, model, trader: ev.author, cost: f.cost.toString(), prices: marketPrices(market).map(String), proof });
    } catch (error) {
      if (!(error instanceof GameRejection)) throw error;
    }
  };
  const continuous = state.community?.config.trading === 'continuous';
  if (continuous) {
    for (const [stored, ev] of events) {
      const p = ev.payload as { item?: string; model?: string; trade?: TradeBody; proof?: unknown };
      if (ev.type === 'trade.execute' && p.item === item) run(stored, ev, p.model!, p.trade!, p.proof !== undefined);
    }
  } else if (r.seed !== null) {
    const commits = new Map<string, { model: string }>();
    const reveals: { key: string; stored: StoredEvent; ev: SignedEvent; model: string; trade: TradeBody; proof: boolean }[] = [];
    for (const [stored, ev] of events) {
      const p = ev.payload as { item?: string; model?: string; commit?: string; trade?: TradeBody; proof?: unknown };
      if (ev.type === 'trade.commit' && p.item === item) commits.set(stored.cid, { model: p.model! });
      const commit = ev.type === 'trade.reveal' ? commits.get(p.commit!) : undefined;
      if (commit) reveals.push({ key: orderKey(r.seed, p.commit!), stored, ev, model: commit.model, trade: p.trade!, proof: p.proof !== undefined });
    }
    reveals.sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const x of reveals) run(x.stored, x.ev, x.model, x.trade, x.proof);
  }
  return { round, item, mode: continuous ? 'continuous' : 'sealed', initial, trades, outcome: current.outcome, executed: continuous || r.seed !== null };
}

/** Every accepted event of a round, decoded, in log order. */
export async function roundEvents(store: EventStore, round: number, rejected: (seq: number) => boolean): Promise<[StoredEvent, SignedEvent][]> {
  const out: [StoredEvent, SignedEvent][] = [];
  let after = 0;
  for (;;) {
    const page = await store.readByRound(round, after, 10_000);
    for (const stored of page) if (!rejected(stored.seq)) out.push([stored, decode<SignedEvent>(stored.bytes)]);
    if (page.length < 10_000) return out;
    after = page.at(-1)!.seq;
  }
}
