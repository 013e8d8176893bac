import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOperatorState, operatorStatePath, saveOperatorState, type SavedRound } from './operator-state.js';
import { formatRoundStatus } from './operator-status.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-operator-state-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const who = { did: 'did:key:z6MkOperator', community: 'c1' };

const hex = (n: number) => fc.array(fc.integer({ min: 0, max: 15 }), { minLength: n, maxLength: n }).map((d) => d.map((x) => x.toString(16)).join(''));
const savedRound: fc.Arbitrary<SavedRound> = fc.record({
  round: fc.integer({ min: 1, max: 10_000 }),
  modelHash: hex(64).map((h) => `0x${h}`),
  trades: fc.array(
    fc.record({
      item: fc.string({ minLength: 1, maxLength: 12 }),
      commit: fc.string({ minLength: 20, maxLength: 60 }),
      trade: fc.integer({ min: 1, max: 999_999_999_999 }).chain((p) =>
        fc.bigInt({ min: 1n, max: 10n ** 12n }).map((c) => ({ kind: 'belief' as const, belief: [p, 1_000_000_000_000 - p], maxCost: c.toString() })),
      ),
      salt: hex(32),
    }),
    { maxLength: 5 },
  ),
  revealed: fc.boolean(),
  proven: fc.boolean(),
  traded: fc.array(fc.record({ id: fc.string({ maxLength: 8 }), outcomes: fc.integer({ min: 2, max: 4 }), input: fc.oneof(fc.record({ text: fc.string() }), fc.record({ features: fc.array(fc.integer()) })) }), { maxLength: 3 }),
});

describe('the operator state file', () => {
  it('gives back exactly the rounds saved (any rounds), private to its owner', () => {
    const path = operatorStatePath(join(work, 'prop'), who.community);
    fc.assert(
      fc.property(fc.array(savedRound, { maxLength: 4 }), (rounds) => {
        saveOperatorState(path, { ...who, rounds });
        expect(loadOperatorState(path, who)).toEqual(rounds);
        expect(statSync(path).mode & 0o777).toBe(0o600);
      }),
      { numRuns: 30 },
    );
    expect(statSync(join(work, 'prop')).mode & 0o777).toBe(0o700);
  });

  it('is empty for a fresh operator and refuses a file of another key, another community, or no state at all', () => {
    const path = operatorStatePath(join(work, 'refuse'), who.community);
    expect(loadOperatorState(path, who)).toEqual([]);
    saveOperatorState(path, { ...who, rounds: [] });
    expect(() => loadOperatorState(path, { ...who, did: 'did:key:z6MkOther' })).toThrow(/expected the state of did did:key:z6MkOther, got did:key:z6MkOperator/);
    expect(() => loadOperatorState(path, { ...who, community: 'c2' })).toThrow(/expected the state of community c2, got c1/);
    writeFileSync(path, '{"version":1,"did":"x"');
    expect(() => loadOperatorState(path, who)).toThrow(expect.objectContaining({ code: 'operator.badState' }));
    writeFileSync(path, JSON.stringify({ version: 1, ...who, rounds: [{ round: 1, modelHash: '0x1', trades: [{ item: 'a', commit: 'c'.repeat(20), trade: { kind: 'belief', belief: [1, 2], maxCost: '1' }, salt: 'not hex' }], revealed: false, proven: false, traded: [] }] }));
    expect(() => loadOperatorState(path, who)).toThrow(/rounds\.0\.trades\.0\.salt/);
    // Different communities of one key never share a file.
    expect(operatorStatePath(work, 'c1')).not.toBe(operatorStatePath(work, 'c2'));
  });

  it('prints one line per round: short model hash, items, cost or locked max cost, P&L once settled, phase', () => {
    const model = `0x${'ab'.repeat(32)}`;
    expect(formatRoundStatus({ round: 3, model, items: 6, cost: null, locked: '60000000', pnl: null, state: 'trading' })).toBe('round 3 · model 0xabababab… · 6 items · max cost 60 locked · P&L pending · trading');
    expect(formatRoundStatus({ round: 3, model, items: 1, cost: '1250000', locked: '0', pnl: '-400000', state: 'settled' })).toBe('round 3 · model 0xabababab… · 1 item · cost 1.25 · P&L -0.4 · settled');
    expect(formatRoundStatus({ round: 4, model, items: 0, cost: null, locked: '0', pnl: '0', state: 'void' })).toBe('round 4 · model 0xabababab… · 0 items · cost 0 · P&L 0 · void');
  });
});
