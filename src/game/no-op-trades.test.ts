import { describe, expect, it } from 'vitest';
import { GameHarness, belief, units } from '../../test/support/harness.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';
import { balanceOf, conservation } from './ledger.js';
import { stateHash } from './canonical.js';
import { leaderboard } from './leaderboard.js';

const ALICE = pseudoModelHash('no-op-alice');
const BOB = pseudoModelHash('no-op-bob');

async function world(trading: 'sealed' | 'continuous'): Promise<{ h: GameHarness; seed: string }> {
  const h = new GameHarness();
  await h.create({ trading, members: ['alice', 'bob'] });
  await h.run('alice', 'model.commit', { modelHash: ALICE, architecture: 'lr', name: 'alice' });
  await h.run('bob', 'model.commit', { modelHash: BOB, architecture: 'lr', name: 'bob' });
  const seed = await h.openRound(1, ['a', 'b']);
  return { h, seed };
}

describe('continuous trading refuses trades that change nothing (trade.noOp)', () => {
  it('a share trade of all zeros', async () => {
    const { h } = await world('continuous');
    const before = stateHash(h.state);
    await expect(h.run('alice', 'trade.execute', { round: 1, item: 'a', model: ALICE, trade: { kind: 'shares', delta: ['0', '0'], maxCost: units(5) } })).rejects.toMatchObject({
      code: 'trade.noOp',
      details: { field: 'delta' },
    });
    expect(stateHash(h.state)).toBe(before);
  });

  it('a belief equal to the opening price, and a belief the last trade already moved the price to', async () => {
    const { h } = await world('continuous');
    const market = h.state.rounds.get(1)!.markets.get('a')!;
    const before = stateHash(h.state);
    await expect(h.run('alice', 'trade.execute', { round: 1, item: 'a', model: ALICE, trade: { kind: 'belief', belief: belief(0.5, 0.5), maxCost: units(5) } })).rejects.toMatchObject({
      code: 'trade.noOp',
      details: { field: 'belief' },
    });
    expect(stateHash(h.state)).toBe(before);

    // Several beliefs, so the micro-share rounding of the first trade falls both ways.
    for (const [i, p] of [0.7, 0.613, 0.2, 0.33, 0.9].entries()) {
      const trade = { kind: 'belief', belief: belief(p, 1 - p), maxCost: units(50) };
      await h.run('alice', 'trade.execute', { round: 1, item: 'a', model: ALICE, trade });
      expect(market.trades).toBe(i + 1);
      const moved = { trades: market.trades, volume: market.volume, hash: stateHash(h.state) };
      await expect(h.run('bob', 'trade.execute', { round: 1, item: 'a', model: BOB, trade })).rejects.toMatchObject({ code: 'trade.noOp' });
      expect({ trades: market.trades, volume: market.volume, hash: stateHash(h.state) }).toEqual(moved);
    }
    expect(market.positions.has(BOB)).toBe(false);
  });

  it('a repeated belief whose full move rounds to a single micro-share (three outcomes) is a no-op too', async () => {
    const h = new GameHarness();
    await h.create({ trading: 'continuous', members: ['alice', 'bob'] });
    await h.run('alice', 'model.commit', { modelHash: ALICE, architecture: 'lr', name: 'alice' });
    await h.run('bob', 'model.commit', { modelHash: BOB, architecture: 'lr', name: 'bob' });
    await h.openRound(1, ['c'], { outcomes: 3 });
    // After a full move to r the outcomes' rounding errors can differ by more than half a
    // micro-share, so asking for r again rounds to buying one micro-share of one outcome.
    const trade = { kind: 'belief', belief: belief(0.01, 0.09, 0.9), maxCost: units(50) };
    await h.run('alice', 'trade.execute', { round: 1, item: 'c', model: ALICE, trade });
    const before = stateHash(h.state);
    await expect(h.run('bob', 'trade.execute', { round: 1, item: 'c', model: BOB, trade })).rejects.toMatchObject({ code: 'trade.noOp', details: { field: 'belief' } });
    expect(stateHash(h.state)).toBe(before);
  });

  it('a belief trade whose max cost buys not one micro-share', async () => {
    const { h } = await world('continuous');
    await expect(h.run('alice', 'trade.execute', { round: 1, item: 'a', model: ALICE, trade: { kind: 'belief', belief: belief(0.9, 0.1), maxCost: '0' } })).rejects.toMatchObject({
      code: 'trade.noOp',
      details: { field: 'maxCost' },
    });
  });

  it('still accepts the smallest real trades: one micro-share, or a belief one step from the price', async () => {
    const { h } = await world('continuous');
    await h.run('alice', 'trade.execute', { round: 1, item: 'a', model: ALICE, trade: { kind: 'shares', delta: ['1', '0'], maxCost: '1' } });
    await h.run('bob', 'trade.execute', { round: 1, item: 'b', model: BOB, trade: { kind: 'belief', belief: belief(0.501, 0.499), maxCost: units(1) } });
    expect(h.state.rounds.get(1)!.markets.get('a')!.trades).toBe(1);
    expect(h.state.rounds.get(1)!.markets.get('b')!.trades).toBe(1);
  });
});

describe('sealed trading: no-op trades', () => {
  it('a share trade of all zeros is refused at reveal (trade.noOp); unrevealed, its commit forfeits like any other', async () => {
    const { h, seed } = await world('sealed');
    const t = await h.commitTrade('alice', 1, 'a', ALICE, { kind: 'shares', delta: ['0', '0'], maxCost: units(2) });
    h.time += 1000;
    await h.run('admin', 'round.close', { round: 1 });
    const before = stateHash(h.state);
    await expect(h.run('alice', 'trade.reveal', { round: 1, commit: t.commit, trade: t.trade, salt: t.salt })).rejects.toMatchObject({ code: 'trade.noOp', details: { field: 'delta' } });
    expect(stateHash(h.state)).toBe(before);
    h.time += 1000;
    await h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }, { item: 'b', outcome: 1 }] });
    expect(h.state.rounds.get(1)!.markets.get('a')!.trades).toBe(0);
    expect(balanceOf(h.state.ledger, h.key('alice').did)).toBe(BigInt(units(998)));
  });

  it('a belief trade that buys nothing at its execution is not counted, costs nothing and is refunded in full', async () => {
    const { h, seed } = await world('sealed');
    // Both trade item a to the same belief: whichever executes second meets the price it asks for.
    // Alice alone trades item b to the opening price.
    const same = { kind: 'belief' as const, belief: belief(0.7, 0.3), maxCost: units(20) };
    const ta = await h.commitTrade('alice', 1, 'a', ALICE, same);
    const tb = await h.commitTrade('bob', 1, 'a', BOB, same);
    const tu = await h.commitTrade('alice', 1, 'b', ALICE, { kind: 'belief', belief: belief(0.5, 0.5), maxCost: units(3) });
    h.time += 1000;
    await h.run('admin', 'round.close', { round: 1 });
    for (const [name, t] of [['alice', ta], ['bob', tb], ['alice', tu]] as const) await h.run(name, 'trade.reveal', { round: 1, commit: t.commit, trade: t.trade, salt: t.salt });
    await h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }, { item: 'b', outcome: 1 }] });

    const a = h.state.rounds.get(1)!.markets.get('a')!;
    const b = h.state.rounds.get(1)!.markets.get('b')!;
    expect(a.trades).toBe(1);
    expect(a.positions.size).toBe(1);
    expect(b.trades).toBe(0);
    expect(b.volume).toBe(0n);
    expect(b.positions.size).toBe(0);
    expect(h.state.ledger.locked).toBe(0n);

    const [filled] = [...a.positions.keys()];
    const idle = filled === ALICE ? { model: BOB, name: 'bob' } : { model: ALICE, name: 'alice' };
    await h.run('admin', 'round.settle', { round: 1 });
    const rows = new Map(leaderboard(h.state).map((r) => [r.hash, r]));
    expect(rows.get(filled!)!.itemsTraded).toBe(1);
    // The model executed second traded nothing (its item b trade, if Alice's, bought nothing too):
    // no position, no item counted on the leaderboard, and its owner has every micro-unit locked back.
    expect(rows.get(idle.model)?.itemsTraded ?? 0).toBe(0);
    expect(balanceOf(h.state.ledger, h.key(idle.name).did)).toBe(BigInt(units(1000)));
    expect(conservation(h.state.ledger).ok).toBe(true);
  });
});
