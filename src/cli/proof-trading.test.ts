import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';

/**
 * Trading with proofs from the command line only: a community that requires proofs, a model
 * trained with `ml train`, committed with `model commit --model` (key + featurizer), traded with the
 * proven beliefs and revealed with one round batch proof; what the node refuses on the way.
 */
const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-cli-proofs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Result = { code: number; json: Record<string, unknown>; stderr: string };

async function hs(...args: string[]): Promise<Result> {
  const parse = (out: string) => {
    try {
      return JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args, '--json'], { cwd: work });
    return { code: 0, json: parse(stdout), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: parse(e.stdout), stderr: e.stderr };
  }
}

const t0 = Date.UTC(2026, 11, 1, 12);
const dir = join(work, 'community');
const at = (s: number) => ['--time', String(t0 + s * 1000)];

describe('hindsight CLI: trading with proofs', { timeout: 600_000 }, () => {
  it('init --require-proofs → commit a provable model → trade → reveal with a batch proof → settle; refusals on the way', async () => {
    expect((await hs('key', 'new', '--out', 'admin.key')).code).toBe(0);
    expect((await hs('key', 'new', '--out', 'alice.key')).code).toBe(0);
    const alice = JSON.parse(readFileSync(join(work, 'alice.key'), 'utf8')).did as string;
    const rows = ['cheap pills now', 'win money fast', 'free money pills', 'cheap money', 'meeting at noon', 'lunch tomorrow', 'project notes attached', 'notes for lunch'];
    writeFileSync(join(work, 'train.jsonl'), rows.map((text, i) => JSON.stringify({ text, label: i < 4 ? 'spam' : 'ham' })).join('\n'));
    mkdirSync(join(work, 'A'));
    const trained = await hs('ml', 'train', '--dataset', 'train.jsonl', '--buckets', '16', '--ngrams', '1', '--weight-bits', '16', '--test-fraction', '0.25', '--out', 'A/model.json');
    expect(trained.code, trained.stderr).toBe(0);
    // Another model of the same architecture (its proofs verify under the same key): one weight changed.
    const a = JSON.parse(readFileSync(join(work, 'A/model.json'), 'utf8'));
    a.weights.W[0][0] = a.weights.W[0][0] === 0 ? 1 : 0;
    mkdirSync(join(work, 'B'));
    writeFileSync(join(work, 'B/model.json'), JSON.stringify(a));

    expect((await hs('init', '--dir', dir, '--name', 'provers', '--key', 'admin.key', '--mint', `${alice}=100`, '--require-proofs', ...at(0))).code).toBe(0);
    const commit = await hs('model', 'commit', '--dir', dir, '--key', 'alice.key', '--model', 'A', '--name', 'alice-lr', '--batch-items', '4', ...at(1));
    expect(commit.code, commit.stderr).toBe(0);
    expect(commit.json).toMatchObject({ keyPublished: true, mode: 'batch', slots: 4 });
    const model = commit.json.modelHash as string;

    writeFileSync(join(work, 'items.jsonl'), ['free pills', 'notes at noon', 'win money'].map((text, i) => JSON.stringify({ id: `x${i + 1}`, text })).join('\n'));
    expect((await hs('round', 'schedule-and-open', '--dir', dir, '--key', 'admin.key', '--round', '1', '--items', 'items.jsonl', '--trading-secs', '60', '--reveal-secs', '60', ...at(2))).code).toBe(0);
    for (const item of ['x1', 'x2']) {
      const t = await hs('trade', 'commit', '--dir', dir, '--key', 'alice.key', '--round', '1', '--item', item, '--model', model, '--model-dir', 'A', '--max-cost', '5', ...at(3));
      expect(t.code, t.stderr).toBe(0);
    }
    // A belief that is not what the model proves on x3.
    expect((await hs('trade', 'commit', '--dir', dir, '--key', 'alice.key', '--round', '1', '--item', 'x3', '--model', model, '--belief', '0.31,0.69', '--max-cost', '5', ...at(4))).code).toBe(0);
    expect((await hs('round', 'close', '--dir', dir, '--key', 'admin.key', '--round', '1', ...at(62))).code).toBe(0);

    const reveal = (...extra: string[]) => hs('trade', 'reveal', '--dir', dir, '--key', 'alice.key', '--round', '1', ...extra, ...at(70));
    expect((await reveal()).json.error).toBe('zk.proofRequired');
    writeFileSync(join(work, 'other.jsonl'), ['free pills now', 'notes at noon', 'win money'].map((text, i) => JSON.stringify({ id: `x${i + 1}`, text })).join('\n'));
    expect((await hs('zk', 'prove', '--dir', dir, '--model', 'A', '--round', '1', '--items', 'x1,x2,x3', '--items-file', 'other.jsonl', '--out', 'other.json')).code).toBe(0);
    expect((await reveal('--proof-file', 'other.json')).json.error).toBe('zk.digestMismatch');
    expect((await hs('zk', 'prove', '--dir', dir, '--model', 'B', '--round', '1', '--items', 'x1,x2,x3', '--slots', '4', '--out', 'b.json')).code).toBe(0);
    expect((await reveal('--proof-file', 'b.json')).json.error).toBe('zk.modelMismatch');
    // The real batch: it is accepted and covers x1 and x2; x3's reveal trades another belief.
    expect((await reveal('--proof', '--model-dir', 'A')).json.error).toBe('zk.beliefMismatch');

    writeFileSync(join(work, 'labels.jsonl'), ['x1', 'x2', 'x3'].map((item, i) => JSON.stringify({ item, outcome: i === 1 ? 0 : 1 })).join('\n'));
    expect((await hs('round', 'resolve', '--dir', dir, '--key', 'admin.key', '--round', '1', '--labels', 'labels.jsonl', ...at(125))).code).toBe(0);
    expect((await hs('round', 'settle', '--dir', dir, '--key', 'admin.key', '--round', '1', ...at(126))).code).toBe(0);
    const board = await hs('leaderboard', '--dir', dir);
    expect((board.json.models as { hash: string; itemsTraded: number }[]).find((m) => m.hash === model)).toMatchObject({ itemsTraded: 2 });

    const engine = await Engine.open({ dir });
    try {
      const round = engine.state.rounds.get(1)!;
      const byItem = new Map([...round.sealed.values()].map((s) => [s.item, s]));
      expect(byItem.get('x1')!.revealed).not.toBeNull();
      expect(byItem.get('x2')!.revealed).not.toBeNull();
      expect(byItem.get('x3')!.revealed).toBeNull();
      // Exactly one batch proof in the log: the refused ones left nothing.
      expect(round.proven?.size).toBe(3);
    } finally {
      await engine.close();
    }
  });
});
