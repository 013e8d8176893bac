import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUnits } from '../core/money.js';
import type { LeaderboardRow } from '../engine/view-schemas.js';
import { formatModelLines, modelLines } from './model-lines.js';

const row = (hash: string, owner: string, name: string, pnl: bigint, rounds: number[], scored = 10, logLoss = '0.5'): LeaderboardRow => ({
  rank: 1, hash, name, owner, pnl: pnl.toString(), itemsTraded: scored, scoredItems: scored, logLoss, brier: '0.2',
  calibration: [{ bucket: '0.8-0.9', predictions: scored, hits: scored }],
  history: rounds.map((round) => ({ round, pnl: '0', items: scored })),
});

describe('model lines: the leaderboard grouped by operator and model name across retrains', () => {
  it('one line per (owner, name): P&L summed in units, latest hash from the highest round, rounds counted once', () => {
    const lines = modelLines([
      row('0xa1', 'did:key:alice', 'lr', 2_000_000n, [1]),
      row('0xa2', 'did:key:alice', 'lr', 500_000n, [2, 3]),
      row('0xb1', 'did:key:bob', 'lr', -1_250_000n, [1, 2], 10, '0.9'),
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ rank: 1, owner: 'did:key:alice', latestHash: '0xa2', hashes: 2, rounds: 3, pnl: '2.5', logLoss: '0.5000', itemsTraded: 20 });
    // Every prediction in the 0.8–0.9 bucket came true: |1 − 0.85| = 0.15.
    expect(lines[0]!.calibrationError).toBe('0.1500');
    expect(lines[1]).toMatchObject({ rank: 2, owner: 'did:key:bob', pnl: '-1.25', logLoss: '0.9000' });
    expect(formatModelLines(lines)).toContain('2.5');
    expect(formatModelLines([])).toBe('no models have traded yet');
  });

  it('property: lines partition the rows and their P&L adds up to the rows’ total', () => {
    const arb = fc.array(fc.record({ owner: fc.constantFrom('a', 'b', 'c'), name: fc.constantFrom('x', 'y'), pnl: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), round: fc.integer({ min: 1, max: 9 }) }), { maxLength: 30 });
    fc.assert(
      fc.property(arb, (specs) => {
        const rows = specs.map((s, i) => row(`0x${i}`, s.owner, s.name, s.pnl, [s.round]));
        const lines = modelLines(rows);
        expect(lines.length).toBe(new Set(specs.map((s) => `${s.owner}/${s.name}`)).size);
        expect(lines.reduce((n, l) => n + l.hashes, 0)).toBe(rows.length);
        const total = specs.reduce((s, r) => s + r.pnl, 0n);
        expect(lines.reduce((s, l) => s + parseUnits(l.pnl), 0n)).toBe(total);
        for (let i = 1; i < lines.length; i++) expect(parseUnits(lines[i - 1]!.pnl) >= parseUnits(lines[i]!.pnl)).toBe(true);
      }),
    );
  });
});
