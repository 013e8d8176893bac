import { formatUnits } from '../core/money.js';
import { openMarket } from './exchange.js';
import type { GameState, RoundState } from './state.js';
import { ensure, requireAdmin, type GameEvent, type Handler } from './rules.js';
import { refundRound } from './settle.js';
import { pinRules } from './reward-rules.js';

/**
 * A module that takes part in round.open (member-submitted items, the committee draw). `plan` only
 * checks and returns the extra items needing a market; `commit` mutates, after every check passed.
 */
export type OpenParticipant = {
  plan(state: GameState, r: RoundState, ev: GameEvent): { id: string; outcomes: number }[];
  commit(state: GameState, r: RoundState, ev: GameEvent): void;
};

export function getRound(state: GameState, round: number): RoundState {
  const r = state.rounds.get(round);
  ensure(r !== undefined, 'round.unknown', 'round', 'a scheduled round', round);
  return r;
}

export const roundScheduleHandler: Handler<'round.schedule'> = (state, ev) => {
  const p = ev.payload;
  requireAdmin(state, ev);
  ensure(!state.rounds.has(p.round), 'round.exists', 'round', 'a round number not scheduled before', p.round);
  ensure(p.tradingDeadline > ev.event.time, 'round.badDeadline', 'tradingDeadline', `a time after this event (${ev.event.time})`, p.tradingDeadline);
  ensure(p.revealDeadline > p.tradingDeadline, 'round.badDeadline', 'revealDeadline', `a time after tradingDeadline (${p.tradingDeadline})`, p.revealDeadline);
  ensure(BigInt(p.subsidyPerItem) > 0n, 'round.badSubsidy', 'subsidyPerItem', 'a positive amount', p.subsidyPerItem);
  const labelCommitDeadline = p.labelCommitDeadline ?? p.revealDeadline;
  const labelRevealDeadline = p.labelRevealDeadline ?? p.revealDeadline + (p.revealDeadline - p.tradingDeadline);
  ensure(labelCommitDeadline > p.tradingDeadline && labelCommitDeadline <= p.revealDeadline, 'round.badDeadline', 'labelCommitDeadline', `a time after tradingDeadline and at most revealDeadline (${p.revealDeadline})`, labelCommitDeadline);
  ensure(labelRevealDeadline > p.revealDeadline, 'round.badDeadline', 'labelRevealDeadline', `a time after revealDeadline (${p.revealDeadline})`, labelRevealDeadline);
  const rules = pinRules(state, p.round, p.roundType, BigInt(p.subsidyPerItem));
  state.rounds.set(p.round, {
    ...(rules ? { rules } : {}),
    round: p.round,
    phase: 'scheduled',
    subsidyPerItem: BigInt(p.subsidyPerItem),
    tradingDeadline: p.tradingDeadline,
    revealDeadline: p.revealDeadline,
    seedCommitment: p.seedCommitment,
    seed: null,
    items: new Map(),
    markets: new Map(),
    sealed: new Map(),
    sealedByModelItem: new Map(),
    openedAt: null,
    labelCommitDeadline,
    labelRevealDeadline,
    submissions: new Map(),
    committee: null,
  });
};

export const roundItemsHandler: Handler<'round.items'> = (state, ev) => {
  const p = ev.payload;
  requireAdmin(state, ev);
  const r = getRound(state, p.round);
  ensure(r.phase === 'scheduled', 'round.wrongPhase', 'round', 'a round still being scheduled (items are added before it opens)', r.phase);
  const seen = new Set<string>();
  for (const item of p.items) {
    ensure(!r.items.has(item.id) && !seen.has(item.id), 'item.duplicate', 'items.id', 'item ids unique within the round', item.id);
    seen.add(item.id);
  }
  for (const item of p.items) r.items.set(item.id, { id: item.id, outcomes: item.outcomes, input: item.input });
};

/** The round.open handler; `participants` plan, then commit, in the order given (handlers.ts lists them). */
export function roundOpenHandler(participants: readonly OpenParticipant[]): Handler<'round.open'> {
  return (state, ev) => {
    const p = ev.payload;
    requireAdmin(state, ev);
    const r = getRound(state, p.round);
    ensure(r.phase === 'scheduled', 'round.wrongPhase', 'round', 'a scheduled round', r.phase);
    const extra = participants.flatMap((participant) => participant.plan(state, r, ev));
    const count = r.items.size + extra.length;
    ensure(count > 0, 'round.noItems', 'round', 'at least one item', 0);
    ensure(ev.event.time < r.tradingDeadline, 'round.late', 'time', `before the trading deadline ${r.tradingDeadline}`, ev.event.time);
    const total = r.subsidyPerItem * BigInt(count);
    ensure(state.ledger.treasury >= total, 'treasury.insufficient', 'treasury', `at least ${formatUnits(total)} units for ${count} item subsidies`, `${formatUnits(state.ledger.treasury)} units`);
    state.ledger.treasury -= total;
    state.ledger.escrow += total;
    const rule = r.rules?.scoring;
    for (const item of r.items.values()) r.markets.set(item.id, openMarket(item.id, item.outcomes, r.subsidyPerItem, rule));
    for (const item of extra) r.markets.set(item.id, openMarket(item.id, item.outcomes, r.subsidyPerItem, rule));
    for (const participant of participants) participant.commit(state, r, ev);
    r.phase = 'trading';
    r.openedAt = ev.seq;
  };
}

export const roundCloseHandler: Handler<'round.close'> = (state, ev) => {
  const r = getRound(state, ev.payload.round);
  ensure(r.phase === 'trading', 'round.wrongPhase', 'round', 'a round in its trading phase', r.phase);
  ensure(ev.event.time >= r.tradingDeadline, 'round.early', 'time', `at or after the trading deadline ${r.tradingDeadline}`, ev.event.time);
  r.phase = 'revealing';
};

export const roundVoidHandler: Handler<'round.void'> = (state, ev) => {
  const p = ev.payload;
  requireAdmin(state, ev);
  const r = getRound(state, p.round);
  ensure(r.phase !== 'settled' && r.phase !== 'void', 'round.wrongPhase', 'round', 'a round not yet settled or voided', r.phase);
  refundRound(state, r);
  r.phase = 'void';
};
