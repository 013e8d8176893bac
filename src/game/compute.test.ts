/**
 * Outcomes computed from access reports by the round's pinned resolution function: the built-in
 * `reads` and a community-written function run in the QuickJS sandbox. A function that loops,
 * throws, allocates too much or returns a bad outcome voids the round with every lock refunded.
 */
import { describe, expect, it } from 'vitest';
import { GameHarness, belief, units } from '../../test/support/harness.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';
import { balanceOf, conservation } from './ledger.js';
import { stateHash } from './canonical.js';
import { sha256Text } from './reward-rules.js';

/** The built-in `reads` rule written as a community function: median of the reports, log buckets. */
export const READS_JS = `
function resolve(input) {
  const bounds = [2, 8];
  return input.items.map((item) => {
    const v = input.reports.map((r) => r.counts[item.id]).filter((x) => x !== undefined).sort((a, b) => a - b);
    if (v.length * 2 <= input.reporters.length) return null;
    const m = v[Math.floor((v.length - 1) / 2)];
    let k = 0;
    while (k < bounds.length && bounds[k] <= m) k++;
    return k;
  });
}`;

const REPORTERS = ['rep-1', 'rep-2', 'rep-3'];
const ALICE = pseudoModelHash('alice-model');
const BOB = pseudoModelHash('bob-model');

async function computedRound(source: string | null, options: { budget?: { steps: number; memoryBytes: number }; reports?: [string, Record<string, number>][] } = {}) {
  const h = new GameHarness();
  await h.create({ members: ['alice', 'bob'] });
  const reporters = REPORTERS.map((r) => h.key(r).did);
  let resolution: Record<string, unknown> = { fn: 'reads', reporters, boundaries: [2, 8] };
  if (source !== null) {
    await h.run('admin', 'rules.function', { name: 'reads-js', source });
    resolution = { fn: 'sandbox', hash: sha256Text(source), reporters, ...(options.budget ? { budget: options.budget } : {}) };
  }
  await h.run('admin', 'rules.change', { fromRound: 1, rules: { scoring: 'qmsr', resolution } });
  await h.run('alice', 'model.commit', { modelHash: ALICE, architecture: 'x', name: 'alice' });
  await h.run('bob', 'model.commit', { modelHash: BOB, architecture: 'x', name: 'bob' });
  const seed = await h.openRound(1, ['s1', 's2', 's3'], { outcomes: 3 });
  const trades = [
    ['alice', await h.commitTrade('alice', 1, 's1', ALICE, { kind: 'belief', belief: belief(0.1, 0.1, 0.8), maxCost: units(20) })],
    ['bob', await h.commitTrade('bob', 1, 's1', BOB, { kind: 'belief', belief: belief(0.6, 0.3, 0.1), maxCost: units(20) })],
    ['alice', await h.commitTrade('alice', 1, 's2', ALICE, { kind: 'belief', belief: belief(0.7, 0.2, 0.1), maxCost: units(20) })],
  ] as const;
  h.time += 1000;
  await h.run('admin', 'round.close', { round: 1 });
  for (const [name, t] of trades) await h.run(name, 'trade.reveal', { round: 1, commit: t.commit, trade: t.trade, salt: t.salt });
  const reports = options.reports ?? [
    ['rep-1', { s1: 40, s2: 0, s3: 3 }],
    ['rep-2', { s1: 35, s2: 1, s3: 5 }],
    ['rep-3', { s1: 9999, s2: 0 }], // a lying reporter is outvoted by the median
  ];
  for (const [rep, counts] of reports) await h.run(rep, 'access.report', { round: 1, counts: Object.entries(counts).map(([item, reads]) => ({ item, reads })) });
  const before = stateHash(h.state);
  await h.run('admin', 'round.compute', { round: 1, seed });
  return { h, before };
}

const outcomes = (h: GameHarness) => [...h.state.rounds.get(1)!.markets.values()].map((m) => [m.item, m.outcome]);

describe('outcomes computed from access reports', () => {
  it('the built-in reads function resolves a QMSR round from the reporters’ median', async () => {
    const { h } = await computedRound(null);
    expect(outcomes(h)).toEqual([['s1', 2], ['s2', 0], ['s3', 1]]);
    expect(h.state.rounds.get(1)!.markets.get('s1')!.rule).toBe('qmsr');
    await h.run('admin', 'round.settle', { round: 1 });
    expect(conservation(h.state.ledger).ok).toBe(true);
    expect(balanceOf(h.state.ledger, h.key('alice').did)).toBeGreaterThan(BigInt(units(1000)));
  });

  it('a sandboxed community function resolves the round exactly like the built-in, and replays to the same state', async () => {
    const { h } = await computedRound(READS_JS);
    expect(outcomes(h)).toEqual([['s1', 2], ['s2', 0], ['s3', 1]]);
    expect(h.state.rounds.get(1)!.rules!.computed).toMatchObject({ status: 'ok' });
    const replay = new GameHarness();
    for (const e of h.log) expect((await replay.applyEvent(e)).status).toBe('accepted');
    expect(stateHash(replay.state)).toBe(stateHash(h.state));
  });

  const small = { steps: 200, memoryBytes: 1 << 20 };
  it.each([
    ['loops forever', 'function resolve() { for (;;) {} }', /step budget of 200 exceeded/],
    ['throws', 'function resolve() { throw new Error("no data") }', /Error: no data/],
    ['allocates too much', 'function resolve() { const a = []; for (;;) a.push({ n: a.length }); }', /out of memory|step budget/],
    ['returns an outcome out of range', 'function resolve(input) { return input.items.map(() => 3); }', /expected null or an integer in \[0, 2\], got 3/],
    ['returns the wrong shape', 'function resolve() { return { s1: 1 }; }', /expected an array of 3 outcomes/],
    ['reads the clock', 'function resolve(input) { return input.items.map(() => Date.now() % 3); }', /'Date' is not defined/],
    ['draws randomness', 'function resolve(input) { return input.items.map(() => Math.floor(Math.random() * 3)); }', /not a function/],
  ])('a function that %s voids the round, refunds every trader and changes nothing else', async (_what, source, reason) => {
    const { h } = await computedRound(source, { budget: small });
    const r = h.state.rounds.get(1)!;
    expect(r.phase).toBe('void');
    expect(r.rules!.computed!.status).toBe('failed');
    expect(r.rules!.computed!.reason).toMatch(reason);
    for (const name of ['alice', 'bob']) expect(balanceOf(h.state.ledger, h.key(name).did)).toBe(BigInt(units(1000)));
    expect(h.state.ledger.treasury).toBe(BigInt(units(10_000)));
    expect(h.state.ledger.locked).toBe(0n);
    expect(h.state.ledger.escrow).toBe(0n);
    expect(conservation(h.state.ledger).ok).toBe(true);
    // the same as an admin's round.void, apart from the recorded reason
    const v = await computedRoundVoided(source, small);
    r.rules!.computed = null;
    expect(stateHash(stripLog(h))).toBe(stateHash(stripLog(v)));
  });

  it('refuses reports from a non-reporter, round.resolve on a computed round, and a change to a scheduled round', async () => {
    const h = new GameHarness();
    await h.create();
    await h.run('admin', 'rules.change', { fromRound: 1, rules: { resolution: { fn: 'reads', reporters: [h.key('rep-1').did], boundaries: [2, 8] } } });
    const seed = await h.openRound(1, ['s1'], { outcomes: 3 });
    h.time += 1000;
    await h.run('admin', 'round.close', { round: 1 });
    await expect(h.run('mallory', 'access.report', { round: 1, counts: [{ item: 's1', reads: 5 }] })).rejects.toMatchObject({ code: 'access.notReporter' });
    await expect(h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 's1', outcome: 0 }] })).rejects.toMatchObject({ code: 'resolve.computed' });
    await expect(h.run('admin', 'rules.change', { fromRound: 1, rules: {} })).rejects.toMatchObject({ code: 'rules.pastRound' });
    await expect(h.run('admin', 'rules.change', { fromRound: 2, rules: { resolution: { fn: 'sandbox', hash: 'ab'.repeat(32), reporters: [h.key('rep-1').did] } } })).rejects.toMatchObject({ code: 'rules.unknownFunction' });
  });
});

/** The same round, voided by the admin instead of computed. */
async function computedRoundVoided(source: string, budget: { steps: number; memoryBytes: number }): Promise<GameHarness> {
  const h = new GameHarness();
  await h.create({ members: ['alice', 'bob'] });
  const reporters = REPORTERS.map((r) => h.key(r).did);
  await h.run('admin', 'rules.function', { name: 'reads-js', source });
  await h.run('admin', 'rules.change', { fromRound: 1, rules: { scoring: 'qmsr', resolution: { fn: 'sandbox', hash: sha256Text(source), reporters, budget } } });
  await h.run('alice', 'model.commit', { modelHash: ALICE, architecture: 'x', name: 'alice' });
  await h.run('bob', 'model.commit', { modelHash: BOB, architecture: 'x', name: 'bob' });
  await h.openRound(1, ['s1', 's2', 's3'], { outcomes: 3 });
  const trades = [
    ['alice', await h.commitTrade('alice', 1, 's1', ALICE, { kind: 'belief', belief: belief(0.1, 0.1, 0.8), maxCost: units(20) })],
    ['bob', await h.commitTrade('bob', 1, 's1', BOB, { kind: 'belief', belief: belief(0.6, 0.3, 0.1), maxCost: units(20) })],
    ['alice', await h.commitTrade('alice', 1, 's2', ALICE, { kind: 'belief', belief: belief(0.7, 0.2, 0.1), maxCost: units(20) })],
  ] as const;
  h.time += 1000;
  await h.run('admin', 'round.close', { round: 1 });
  for (const [name, t] of trades) await h.run(name, 'trade.reveal', { round: 1, commit: t.commit, trade: t.trade, salt: t.salt });
  for (const [rep, counts] of [['rep-1', { s1: 40, s2: 0, s3: 3 }], ['rep-2', { s1: 35, s2: 1, s3: 5 }], ['rep-3', { s1: 9999, s2: 0 }]] as const) {
    await h.run(rep, 'access.report', { round: 1, counts: Object.entries(counts).map(([item, reads]) => ({ item, reads })) });
  }
  await h.run('admin', 'round.void', { round: 1, reason: 'test' });
  return h;
}

/** State without the author chains and counters (the two logs differ by one event's author and type). */
function stripLog(h: GameHarness) {
  return { ...h.state, authors: new Map(), seq: 0, accepted: 0, clock: 0 };
}
