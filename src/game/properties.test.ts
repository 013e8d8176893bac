import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GameHarness, belief, units, hex32 } from '../../test/support/harness.js';
import { conservation } from './ledger.js';
import { stateHash } from './canonical.js';
import { tradeCommitment } from './trades.js';
import type { TradeBody } from '../events/types/core.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const PEOPLE = ['alice', 'bob', 'carol'] as const;
const ITEMS = ['i1', 'i2', 'i3'];

type Action =
  | { kind: 'transfer'; from: number; to: number; amount: number }
  | { kind: 'fund'; from: number; amount: number }
  | { kind: 'trade'; who: number; item: number; p: number; maxCost: number; shares: boolean }
  | { kind: 'close' }
  | { kind: 'reveal'; who: number }
  | { kind: 'resolve'; labels: (number | null)[] }
  | { kind: 'settle' }
  | { kind: 'void' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(2), to: fc.nat(2), amount: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fund' as const), from: fc.nat(2), amount: fc.integer({ min: 1, max: 500 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trade' as const), who: fc.nat(2), item: fc.nat(2), p: fc.integer({ min: 0, max: 100 }), maxCost: fc.integer({ min: 1, max: 1500 }), shares: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('trade' as const), who: fc.nat(2), item: fc.nat(2), p: fc.integer({ min: 0, max: 100 }), maxCost: fc.integer({ min: 1, max: 50 }), shares: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('reveal' as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), labels: fc.array(fc.option(fc.nat(1), { nil: null }), { minLength: 3, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'void' as const }) },
);

const PLAIN_ROUND: Action[] = [
  { kind: 'trade', who: 0, item: 0, p: 70, maxCost: 20, shares: false },
  { kind: 'trade', who: 1, item: 1, p: 30, maxCost: 20, shares: false },
  { kind: 'transfer', from: 2, to: 0, amount: 10 },
  { kind: 'trade', who: 2, item: 2, p: 60, maxCost: 20, shares: true },
  { kind: 'fund', from: 1, amount: 5 },
];

/** Event types accepted at least once across all runs: proves the properties saw real trades and settlements. */
const coverage = new Set<string>();

/** Plays random actions through the log semantics (rejections become receipts) and checks invariants after each. */
async function play(random: Action[], trading: 'sealed' | 'continuous', finalLabels: (number | null)[]): Promise<GameHarness> {
  // Random actions, then the rest of a round's life, so every run also exercises resolution and settlement.
  const reveals = PEOPLE.flatMap((_, who) => Array.from({ length: ITEMS.length }, () => ({ kind: 'reveal' as const, who })));
  const actions: Action[] = [...random, { kind: 'close' }, ...reveals, { kind: 'resolve', labels: finalLabels }, { kind: 'settle' }];
  const h = new GameHarness();
  await h.create({ trading, members: [...PEOPLE], each: 1000 });
  for (const [i, name] of PEOPLE.entries()) await h.run(name, 'model.commit', { modelHash: pseudoModelHash(`model-${name}-${i}`), architecture: 'lr', name });
  const start = h.time;
  const seed = await h.openRound(1, ITEMS);
  const pending = new Map<number, { commit: string; trade: TradeBody; salt: string }[]>();
  for (const a of actions) {
    const events = [];
    switch (a.kind) {
      case 'transfer':
        events.push(h.sign(PEOPLE[a.from]!, 'ledger.transfer', { to: h.key(PEOPLE[a.to]!).did, amount: units(a.amount) }));
        break;
      case 'fund':
        events.push(h.sign(PEOPLE[a.from]!, 'treasury.fund', { amount: units(a.amount) }));
        break;
      case 'trade': {
        const name = PEOPLE[a.who]!;
        const item = ITEMS[a.item]!;
        const model = pseudoModelHash(`model-${name}-${a.who}`);
        const trade: TradeBody = a.shares
          ? { kind: 'shares', delta: [units(a.p), units(100 - a.p)], maxCost: units(a.maxCost) }
          : { kind: 'belief', belief: belief(a.p / 100, 1 - a.p / 100), maxCost: units(a.maxCost) };
        if (trading === 'continuous') {
          events.push(h.sign(name, 'trade.execute', { round: 1, item, model, trade }));
        } else {
          const salt = hex32(`${name}${item}${h.log.length}`).slice(0, 32);
          const event = h.sign(name, 'trade.commit', { round: 1, item, model, commitment: tradeCommitment({ round: 1, item, model, trade, salt }), maxCost: trade.maxCost });
          const receipt = await h.applyEvent(event);
          if (receipt.status === 'accepted') pending.set(a.who, [...(pending.get(a.who) ?? []), { commit: receipt.cid, trade, salt }]);
        }
        break;
      }
      case 'close':
        h.time = Math.max(h.time, start + 1000);
        events.push(h.sign('admin', 'round.close', { round: 1 }));
        break;
      case 'reveal': {
        const queue = pending.get(a.who) ?? [];
        const next = queue[0];
        if (!next) break;
        const receipt = await h.applyEvent(h.sign(PEOPLE[a.who]!, 'trade.reveal', { round: 1, commit: next.commit, trade: next.trade, salt: next.salt }));
        if (receipt.status === 'accepted') {
          coverage.add('trade.reveal');
          queue.shift();
        }
        break;
      }
      case 'resolve':
        h.time = Math.max(h.time, start + 2000);
        events.push(h.sign('admin', 'round.resolve', { round: 1, seed, labels: ITEMS.map((item, i) => ({ item, outcome: a.labels[i] ?? null })) }));
        break;
      case 'settle':
        events.push(h.sign('admin', 'round.settle', { round: 1 }));
        break;
      case 'void':
        events.push(h.sign('admin', 'round.void', { round: 1, reason: 'property test' }));
        break;
    }
    for (const event of events) if ((await h.applyEvent(event)).status === 'accepted') coverage.add(event.type);
    const report = conservation(h.state.ledger);
    expect(report.ok, `money conserved after ${a.kind}: ${report.held} held vs ${report.minted} minted`).toBe(true);
    for (const [did, balance] of h.state.ledger.balances) expect(balance, `balance of ${did}`).toBeGreaterThanOrEqual(0n);
    expect(h.state.ledger.treasury).toBeGreaterThanOrEqual(0n);
    expect(h.state.ledger.locked).toBeGreaterThanOrEqual(0n);
    for (const m of h.state.rounds.get(1)!.markets.values()) {
      expect(m.escrow, `escrow of ${m.item}`).toBeGreaterThanOrEqual(0n);
      // The maker never owes more than it holds: escrow covers the payout of every outcome.
      if (!m.settled) for (const qi of m.q) expect(qi).toBeLessThanOrEqual(m.escrow);
    }
  }
  return h;
}

describe('game invariants over random logs', () => {
  for (const trading of ['sealed', 'continuous'] as const) {
    it(`${trading}: money is conserved, no balance or escrow goes negative, replay gives the same stateHash`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 40 }), fc.array(fc.option(fc.nat(1), { nil: null }), { minLength: 3, maxLength: 3 }), async (actions, labels) => {
          const h = await play(actions, trading, labels);
          const replay = new GameHarness();
          for (const event of h.log) await replay.applyEvent(event);
          expect(stateHash(replay.state)).toBe(stateHash(h.state));
          expect(replay.state.rejected).toBe(h.state.rejected);
        }),
        // One fixed example of a plain round (trades, then close, reveal, resolve, settle) so the coverage
        // check below never depends on what the random runs happened to draw.
        { numRuns: 20, examples: [[PLAIN_ROUND, [1, 0, null]]] },
      );
      const expected = trading === 'sealed' ? ['trade.reveal', 'round.resolve', 'round.settle'] : ['trade.execute', 'round.resolve', 'round.settle'];
      for (const type of expected) expect(coverage.has(type), `some run accepted ${type}`).toBe(true);
    });
  }
});

describe('log-level rejections', () => {
  it('a replayed nonce and a forked prev are rejected with receipts and change nothing', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice', 'bob'] });
    const first = h.sign('alice', 'ledger.transfer', { to: h.key('bob').did, amount: units(1) });
    expect((await h.applyEvent(first)).status).toBe('accepted');
    const before = stateHash(h.state);
    const fork = { ...h.sign('alice', 'ledger.transfer', { to: h.key('bob').did, amount: units(2) }), prev: null };
    const { signEvent } = await import('../events/sign.js');
    const forked = signEvent(h.key('alice'), { type: fork.type, community: fork.community, payload: fork.payload, prev: null, nonce: 2, time: fork.time });
    const r1 = await h.applyEvent(forked);
    expect(r1).toMatchObject({ status: 'rejected', code: 'event.forkedPrev' });
    const author = h.state.authors.get(h.key('alice').did)!;
    const replayedNonce = signEvent(h.key('alice'), { type: 'ledger.transfer', community: h.community, payload: { to: h.key('bob').did, amount: units(3) }, prev: author.head, nonce: author.nonce, time: h.time });
    const r2 = await h.applyEvent(replayedNonce);
    expect(r2).toMatchObject({ status: 'rejected', code: 'event.nonceReplayed' });
    expect(r2.status === 'rejected' && r2.message).toMatch(/expected a nonce greater than 1, got 1/);
    const { stateHash: hashOf } = await import('./canonical.js');
    const after = { ...h.state, seq: h.state.seq - 2, rejected: h.state.rejected - 2 };
    expect(hashOf(after)).toBe(before);
  });
});
