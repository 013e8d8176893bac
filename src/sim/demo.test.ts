import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HindsightError } from '../core/errors.js';
import { stateHash } from '../game/canonical.js';
import { conservation } from '../game/ledger.js';
import { replayLog } from '../engine/replay.js';
import { openStore } from '../store/index.js';
import { runDemo, type DemoResult } from './demo.js';

const root = mkdtempSync(join(tmpdir(), 'hindsight-demo-test-'));
const small = { rounds: 2, items: 24, bootstrap: 160 } as const;
let first: DemoResult;

beforeAll(async () => {
  first = await runDemo({ ...small, seed: 7, out: join(root, 'a') });
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hindsight demo (small run)', () => {
  it('returns the --json summary contract (docs/demo.md), field for field', () => {
    const s = first.summary;
    expect(Object.keys(s).sort()).toEqual(['committee', 'conservation', 'events', 'items', 'market', 'models', 'rankCorrelation', 'rounds', 'served', 'stateHash', 'subsidy', 'trades'].sort());
    expect(s.committee).toEqual({ size: 5, adversarial: 0, labelAccuracy: 1, penalized: 0 });
    expect(Object.keys(s.market).sort()).toEqual(['accuracy', 'logLoss']);
    expect(Object.keys(s.served).sort()).toEqual(['accuracy', 'bestModelLogLoss', 'logLoss', 'rule']);
    expect(Object.keys(s.subsidy).sort()).toEqual(['budget', 'spent']);
    for (const m of s.models) expect(Object.keys(m).sort()).toEqual(['accuracy', 'hash', 'logLoss', 'name', 'pnl']);
    expect(s.rounds).toBe(2);
    expect(s.items).toBe(48);
    expect(s.models.length).toBeGreaterThanOrEqual(6);
    expect(s.served.rule).toBe('blend');
    expect(s.events).toBeGreaterThan(s.trades);
    // Five trading model lines × 48 items; the copycat has nothing to copy under sealed trading.
    expect(s.trades).toBe(5 * 48);
    expect(s.models.find((m) => m.name.startsWith('copycat'))!.pnl).toBe(0);
    expect(s.rankCorrelation).toBeGreaterThanOrEqual(-1);
    expect(s.rankCorrelation).toBeLessThanOrEqual(1);
  });

  it('with a minority of colluding seats the committee still labels every item correctly (resolver path also works)', async () => {
    const bad = await runDemo({ ...small, seed: 7, out: join(root, 'collude'), report: false, adversarialCommittee: 0.4 });
    expect(bad.summary.committee).toMatchObject({ size: 5, adversarial: 2, labelAccuracy: 1 });
    expect(bad.summary.committee!.penalized).toBeGreaterThanOrEqual(2);
    expect(bad.summary.conservation).toBe(true);
    const plain = await runDemo({ ...small, seed: 7, out: join(root, 'resolver'), report: false, committee: false });
    expect(plain.summary.committee).toBeUndefined();
    expect(plain.summary.conservation).toBe(true);
    expect(plain.summary.subsidy.spent).toBeLessThanOrEqual(plain.summary.subsidy.budget);
  }, 120_000);

  it('conserves money and spends no more subsidy than the budget', () => {
    expect(first.summary.conservation).toBe(true);
    expect(first.summary.subsidy.spent).toBeGreaterThan(0);
    expect(first.summary.subsidy.spent).toBeLessThanOrEqual(first.summary.subsidy.budget);
    expect(first.summary.subsidy.budget).toBe(48 * 10);
  });

  it('writes report.md, summary.json, leaderboard.json and three PNG charts', () => {
    const dir = join(root, 'a', 'report');
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual(first.summary);
    const board = JSON.parse(readFileSync(join(dir, 'leaderboard.json'), 'utf8')) as { lines: unknown[]; models: unknown[] };
    expect(board.lines.length).toBe(first.summary.models.length);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain(first.summary.stateHash);
    for (const png of ['pnl.png', 'logloss.png', 'calibration.png']) {
      const bytes = readFileSync(join(dir, png));
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.length).toBeGreaterThan(10_000);
    }
  });

  it('replays its log to the same stateHash', async () => {
    const store = await openStore({ dir: join(root, 'a') });
    try {
      const { state } = await replayLog(store, { verifySignatures: true });
      expect(stateHash(state)).toBe(first.summary.stateHash);
      expect(conservation(state.ledger).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('is deterministic: the same seed gives the same stateHash, another seed another', async () => {
    const again = await runDemo({ ...small, seed: 7, out: join(root, 'b'), report: false });
    expect(again.summary.stateHash).toBe(first.summary.stateHash);
    expect(again.summary).toEqual(first.summary);
    const other = await runDemo({ ...small, seed: 8, out: join(root, 'c'), report: false });
    expect(other.summary.stateHash).not.toBe(first.summary.stateHash);
  }, 120_000);

  it('refuses a non-empty --out without --force, and with --force deletes only demo files', async () => {
    const out = join(root, 'a');
    await expect(runDemo({ ...small, seed: 7, out, report: false })).rejects.toMatchObject({ code: 'demo.outNotEmpty' });
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(runDemo({ ...small, seed: 7, out: foreign, force: true, report: false })).rejects.toMatchObject({ code: 'demo.outForeign' });
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('stops at a bad dataset line with file:line and writes no community directory', async () => {
    const file = join(root, 'bad.jsonl');
    const good = Array.from({ length: 60 }, (_, i) => JSON.stringify({ text: `message ${i} about ${i % 3 === 0 ? 'cats' : 'dogs'}`, label: i % 3 === 0 ? 'cat' : 'dog' }));
    good.splice(41, 0, JSON.stringify({ text: 'no label here' }));
    writeFileSync(file, `${good.join('\n')}\n`);
    const out = join(root, 'never');
    const error = await runDemo({ rounds: 1, items: 10, dataset: file, out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HindsightError);
    expect((error as HindsightError).code).toBe('dataset.lineInvalid');
    expect((error as HindsightError).message).toContain(`${file}:42`);
    expect((error as HindsightError).message).toMatch(/label: expected/);
    expect(existsSync(out)).toBe(false);
  });
});
