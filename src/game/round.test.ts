import { describe, expect, it } from 'vitest';
import { GameHarness, belief, units } from '../../test/support/harness.js';
import { conservation, balanceOf } from './ledger.js';
import { stateHash } from './canonical.js';
import { leaderboard } from './leaderboard.js';
import { GameRejection } from '../core/errors.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

async function playSealedRound(h: GameHarness) {
  await h.create({ members: ['alice', 'bob'] });
  await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'logreg', name: 'alice-lr' });
  await h.run('bob', 'model.commit', { modelHash: pseudoModelHash('model-bob-1'), architecture: 'nb', name: 'bob-nb' });
  const seed = await h.openRound(1, ['a', 'b']);
  const t1 = await h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.9, 0.1), maxCost: units(20) });
  const t2 = await h.commitTrade('bob', 1, 'a', pseudoModelHash('model-bob-1'), { kind: 'belief', belief: belief(0.3, 0.7), maxCost: units(20) });
  const t3 = await h.commitTrade('alice', 1, 'b', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.2, 0.8), maxCost: units(20) });
  h.time += 1000;
  await h.run('bob', 'round.close', { round: 1 });
  for (const [name, t] of [['alice', t1], ['bob', t2], ['alice', t3]] as const) {
    await h.run(name, 'trade.reveal', { round: 1, commit: t.commit, trade: t.trade, salt: t.salt });
  }
  await h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }, { item: 'b', outcome: 1 }] });
  await h.run('admin', 'round.settle', { round: 1 });
}

describe('a sealed round end to end', () => {
  it('pays the better model, conserves money and ranks it first', async () => {
    const h = new GameHarness();
    await playSealedRound(h);
    expect(conservation(h.state.ledger).ok).toBe(true);
    expect(h.state.ledger.locked).toBe(0n);
    expect(h.state.ledger.escrow).toBe(0n);
    const alice = balanceOf(h.state.ledger, h.key('alice').did);
    const bob = balanceOf(h.state.ledger, h.key('bob').did);
    expect(alice).toBeGreaterThan(BigInt(units(1000)));
    expect(bob).toBeLessThan(BigInt(units(1000)));
    const rows = leaderboard(h.state);
    expect(rows[0]!.name).toBe('alice-lr');
    expect(rows[0]!.itemsTraded).toBe(2);
    expect(Number(rows[0]!.logLoss)).toBeGreaterThan(0);
    expect(h.state.rounds.get(1)!.phase).toBe('settled');
  });

  it('replays to the same stateHash', async () => {
    const a = new GameHarness();
    await playSealedRound(a);
    const b = new GameHarness();
    for (const event of a.log) expect((await b.applyEvent(event)).status).toBe('accepted');
    expect(stateHash(b.state)).toBe(stateHash(a.state));
  });

  it('refuses a second settlement and leaves state unchanged', async () => {
    const h = new GameHarness();
    await playSealedRound(h);
    const before = stateHash(h.state);
    await expect(h.run('admin', 'round.settle', { round: 1 })).rejects.toMatchObject({ code: 'round.wrongPhase' });
    expect(stateHash(h.state)).toBe(before);
  });
});

describe('sealed trade rules', () => {
  it('rejects a reveal with a different belief than committed', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    await h.openRound(1, ['a']);
    const t = await h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.9, 0.1), maxCost: units(5) });
    h.time += 1000;
    await h.run('alice', 'round.close', { round: 1 });
    const before = stateHash(h.state);
    await expect(
      h.run('alice', 'trade.reveal', { round: 1, commit: t.commit, trade: { ...t.trade, belief: belief(0.1, 0.9) }, salt: t.salt }),
    ).rejects.toMatchObject({ code: 'reveal.mismatch' });
    expect(stateHash(h.state)).toBe(before);
  });

  it('forfeits an unrevealed commit to the treasury', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    const seed = await h.openRound(1, ['a']);
    await h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.9, 0.1), maxCost: units(5) });
    h.time += 2000;
    await h.run('alice', 'round.close', { round: 1 });
    const treasuryBefore = h.state.ledger.treasury;
    await h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }] });
    expect(h.state.ledger.treasury - treasuryBefore).toBe(BigInt(units(5)));
    expect(balanceOf(h.state.ledger, h.key('alice').did)).toBe(BigInt(units(995)));
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('rejects trading on another owner’s model, unknown items and overdrafts with precise codes', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice', 'bob'], each: 10 });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    await h.openRound(1, ['a']);
    const trade = { kind: 'belief' as const, belief: belief(0.5, 0.5), maxCost: units(5) };
    await expect(h.commitTrade('bob', 1, 'a', pseudoModelHash('model-alice-1'), trade)).rejects.toMatchObject({ code: 'model.notOwner' });
    await expect(h.commitTrade('alice', 1, 'zzz', pseudoModelHash('model-alice-1'), trade)).rejects.toMatchObject({ code: 'item.unknown' });
    await expect(h.commitTrade('alice', 1, 'a', pseudoModelHash('model-nope-1'), trade)).rejects.toMatchObject({ code: 'model.unknown' });
    await expect(h.commitTrade('alice', 2, 'a', pseudoModelHash('model-alice-1'), trade)).rejects.toMatchObject({ code: 'round.unknown' });
    const err = await h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { ...trade, maxCost: units(11) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GameRejection);
    expect((err as GameRejection).code).toBe('ledger.insufficientFunds');
    expect((err as GameRejection).message).toMatch(/expected at least 11 units available, got "10 units"/);
  });

  it('rejects a model committed after the round opened', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    await h.openRound(1, ['a']);
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-late-1'), architecture: 'lr', name: 'late' });
    await expect(h.commitTrade('alice', 1, 'a', pseudoModelHash('model-late-1'), { kind: 'belief', belief: belief(0.5, 0.5), maxCost: units(1) })).rejects.toMatchObject({ code: 'model.committedLate' });
  });

  it('rejects a trade commit after the trading deadline', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    await h.openRound(1, ['a']);
    h.time += 1000;
    await expect(h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.5, 0.5), maxCost: units(1) })).rejects.toMatchObject({ code: 'market.closed' });
  });

  it('voids a round and refunds every lock and subsidy', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    await h.openRound(1, ['a', 'b']);
    await h.commitTrade('alice', 1, 'a', pseudoModelHash('model-alice-1'), { kind: 'belief', belief: belief(0.7, 0.3), maxCost: units(3) });
    await h.run('admin', 'round.void', { round: 1, reason: 'test' });
    expect(balanceOf(h.state.ledger, h.key('alice').did)).toBe(BigInt(units(1000)));
    expect(h.state.ledger.treasury).toBe(BigInt(units(10_000)));
    expect(conservation(h.state.ledger).ok).toBe(true);
  });
});

describe('continuous trading', () => {
  it('executes immediately and settles share trades', async () => {
    const h = new GameHarness();
    await h.create({ trading: 'continuous', members: ['alice'] });
    await h.run('alice', 'model.commit', { modelHash: pseudoModelHash('model-alice-1'), architecture: 'lr', name: 'a' });
    const seed = await h.openRound(1, ['a']);
    await h.run('alice', 'trade.execute', { round: 1, item: 'a', model: pseudoModelHash('model-alice-1'), trade: { kind: 'shares', delta: [units(5), '0'], maxCost: units(5) } });
    const m = h.state.rounds.get(1)!.markets.get('a')!;
    expect(m.q[0]).toBe(BigInt(units(5)));
    await expect(
      h.run('alice', 'trade.execute', { round: 1, item: 'a', model: pseudoModelHash('model-alice-1'), trade: { kind: 'shares', delta: ['0', `-${units(1)}`], maxCost: units(5) } }),
    ).rejects.toMatchObject({ code: 'trade.oversell' });
    h.time += 1000;
    await h.run('admin', 'round.close', { round: 1 });
    await h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }] });
    await h.run('admin', 'round.settle', { round: 1 });
    expect(conservation(h.state.ledger).ok).toBe(true);
    expect(leaderboard(h.state)[0]!.pnl).not.toBe('0');
  });
});

describe('execution order of sealed trades', () => {
  it('depends on a seed revealed only after all trades are fixed: different seeds order the same commits differently', async () => {
    const { orderKey } = await import('./settle.js');
    const commits = Array.from({ length: 12 }, (_, i) => `bafyreicommit${i}`);
    const orderUnder = (seed: string) => [...commits].sort((a, b) => (orderKey(seed, a) < orderKey(seed, b) ? -1 : 1));
    const orders = new Set(['11', '22', '33', '44'].map((s) => orderUnder(s.repeat(32)).join(',')));
    expect(orders.size).toBe(4);
    // At commit time only sha256(seed) is public, and the order key needs the seed itself.
    const h = new GameHarness();
    await h.create({ members: ['alice'] });
    const seed = await h.openRound(1, ['a']);
    const committed = h.state.rounds.get(1)!.seedCommitment;
    expect(committed).not.toContain(seed);
    expect(h.state.rounds.get(1)!.seed).toBeNull();
  });
});
