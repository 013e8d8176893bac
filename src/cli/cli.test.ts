import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Result = { code: number; stdout: string; stderr: string; json: Record<string, unknown> };

async function hs(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: work });
    return { code: 0, stdout, stderr, json: lastJson(stdout) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: lastJson(e.stdout) };
  }
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {};
  }
}

describe('hindsight CLI: a community, rounds and trades end to end', { timeout: 300_000 }, () => {
  const dir = join(work, 'community');
  const t0 = Date.UTC(2026, 10, 25, 12);

  it('creates keys with mode 0600 and a did:key', async () => {
    const admin = await hs('key', 'new', '--out', 'admin.key', '--json');
    expect(admin.code).toBe(0);
    expect(admin.json.did).toMatch(/^did:key:z6Mk/);
    expect(statSync(join(work, 'admin.key')).mode & 0o777).toBe(0o600);
    const again = await hs('key', 'new', '--out', 'admin.key', '--json');
    expect(again.code).not.toBe(0);
    expect(again.json.error).toBe('key.exists');
    await hs('key', 'new', '--out', 'alice.key');
  });

  it('inits a community, appends a good event, refuses a forged one, and replays', async () => {
    const alice = JSON.parse(readFileSync(join(work, 'alice.key'), 'utf8')).did as string;
    const init = await hs('init', '--dir', dir, '--name', 'spam-fighters', '--key', 'admin.key', '--mint', `${alice}=100`, '--time', String(t0), '--json');
    expect(init.code).toBe(0);
    expect(init.json.community).toBe('spam-fighters');

    const signed = await hs('events', 'sign', '--dir', dir, '--key', 'alice.key', '--type', 'treasury.fund', '--payload', '{"amount":"1000000"}', '--time', String(t0 + 1));
    const event = JSON.parse(signed.stdout.trim());
    writeFileSync(join(work, 'good.json'), JSON.stringify(event));
    writeFileSync(join(work, 'forged.json'), JSON.stringify({ ...event, payload: { amount: '2000000' } }));
    writeFileSync(join(work, 'broken.json'), '{"v":1,');

    const forged = await hs('events', 'append', '--dir', dir, '--file', 'forged.json', '--json');
    expect(forged.code).not.toBe(0);
    expect(forged.json.error).toBe('sig.invalid');
    expect(forged.stderr).toMatch(/expected an Ed25519 signature by did:key/);
    const broken = await hs('events', 'append', '--dir', dir, '--file', 'broken.json', '--json');
    expect(broken.code).not.toBe(0);
    expect(broken.json.error).toBe('event.unreadable');

    const good = await hs('events', 'append', '--dir', dir, '--file', 'good.json', '--json');
    expect(good.code).toBe(0);
    expect(good.json.seq).toBe(2);

    const list = await hs('events', 'list', '--dir', dir, '--json');
    expect((list.json.events as unknown[]).length).toBe(2);
    const replay = await hs('replay', '--dir', dir, '--json');
    expect(replay.code).toBe(0);
    expect(replay.json).toMatchObject({ events: 2, stateHash: good.json.stateHash });
  });

  it('plays a sealed round through the CLI: open, trade, close, reveal, resolve, settle, leaderboard', async () => {
    const base = ['--dir', dir];
    const m = await hs('model', 'commit', ...base, '--key', 'alice.key', '--hash', pseudoModelHash('model-alice-00001'), '--name', 'alice-lr', '--time', String(t0 + 2), '--json');
    expect(m.code).toBe(0);
    writeFileSync(join(work, 'items.jsonl'), '{"id":"a","text":"win money now"}\n{"id":"b","text":"meeting at noon"}\n');
    const open = await hs('round', 'schedule-and-open', ...base, '--key', 'admin.key', '--round', '1', '--items', 'items.jsonl', '--trading-secs', '60', '--reveal-secs', '60', '--time', String(t0 + 3), '--json');
    expect(open.code, open.stderr).toBe(0);
    const bad = await hs('trade', ...base, '--key', 'alice.key', '--round', '1', '--item', 'a', '--model', pseudoModelHash('model-alice-00001'), '--belief', '0.9,0.3', '--max-cost', '5', '--time', String(t0 + 4), '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.json.error).toBe('belief.notDistribution');
    const trade = await hs('trade', ...base, '--key', 'alice.key', '--round', '1', '--item', 'a', '--model', pseudoModelHash('model-alice-00001'), '--belief', '0.1,0.9', '--max-cost', '5', '--time', String(t0 + 4), '--json');
    expect(trade.code, trade.stderr).toBe(0);
    expect(trade.json.mode).toBe('sealed');
    expect((await hs('round', 'close', ...base, '--key', 'admin.key', '--round', '1', '--time', String(t0 + 63_000), '--json')).code).toBe(0);
    const reveal = await hs('trade', 'reveal', ...base, '--key', 'alice.key', '--round', '1', '--time', String(t0 + 64_000), '--json');
    expect(reveal.json.revealed).toBe(1);
    writeFileSync(join(work, 'labels.jsonl'), '{"item":"a","outcome":1}\n{"item":"b","outcome":0}\n');
    expect((await hs('round', 'resolve', ...base, '--key', 'admin.key', '--round', '1', '--labels', 'labels.jsonl', '--time', String(t0 + 65_000), '--json')).code).toBe(0);
    expect((await hs('round', 'settle', ...base, '--key', 'admin.key', '--round', '1', '--time', String(t0 + 66_000), '--json')).code).toBe(0);
    const market = await hs('market', 'show', ...base, '--round', '1', '--item', 'a', '--json');
    expect(market.json).toMatchObject({ item: 'a', settled: true, outcome: 1 });
    const lb = await hs('leaderboard', ...base, '--json');
    const rows = lb.json.models as { name: string; pnl: string }[];
    expect(rows[0]!.name).toBe('alice-lr');
    expect(BigInt(rows[0]!.pnl)).toBeGreaterThan(0n);
    const replay = await hs('replay', ...base, '--json');
    expect(replay.json.conservation).toBe(true);
  });
});

describe('hindsight fl epsilon', { timeout: 60_000 }, () => {
  it('prints the RDP accountant’s ε and α as JSON, plus the exact figure without sampling', async () => {
    const sampled = await hs('fl', 'epsilon', '--q', '0.01', '--sigma', '1.1', '--steps', '1000', '--delta', '1e-5', '--json');
    expect(sampled.code, sampled.stderr).toBe(0);
    expect(Object.keys(sampled.json).sort()).toEqual(['alpha', 'epsilon']);
    expect(sampled.json.epsilon).toBeCloseTo(1.71177, 4); // Opacus' formulas (src/fl/rdp.test.ts)
    expect(sampled.json.alpha).toBe(9.6);
    const full = await hs('fl', 'epsilon', '--q', '1', '--sigma', '2.5', '--steps', '25', '--json');
    expect(full.json.epsilon).toBeCloseTo(10.7255, 3);
    expect(full.json.exactEpsilon).toBeCloseTo(9.9973, 3);
  });

  it('fl demo --json prints the fields the issue names (a short run), and refuses fewer than 20 controllers', async () => {
    const demo = await hs('fl', 'demo', '--clients', '40', '--rounds', '3', '--json');
    expect(demo.code, demo.stderr).toBe(0);
    expect(Object.keys(demo.json).sort()).toEqual(['accuracy', 'baselineAccuracy', 'clients', 'delta', 'dropouts', 'epsilon', 'payments', 'secureAggregation']);
    expect(demo.json).toMatchObject({ clients: 40, secureAggregation: true, delta: 1e-5 });
    expect(demo.json.epsilon as number).toBeLessThanOrEqual(10);
    const payments = demo.json.payments as { did: string; amount: string }[];
    expect(payments).toHaveLength(40);
    expect(payments.reduce((s, p) => s + BigInt(p.amount), 0n)).toBe(1_000_000_000n); // the whole budget, in micro-units
    const few = await hs('fl', 'demo', '--clients', '5', '--json');
    expect(few.code).not.toBe(0);
    expect(few.json).toMatchObject({ error: 'cli.invalid', field: 'clients' });
  });

  it('fl run refuses a survivor floor no group can reach, before it reaches the node', async () => {
    await hs('key', 'new', '--out', 'fl-operator.key');
    writeFileSync(join(work, 'fl-validation.jsonl'), '{"text":"win money now","label":1}\n{"text":"meeting at noon","label":0}\n');
    // Two groups of five: a full group has four neighbours each, so at most 4 survivors can be required.
    const bad = await hs('fl', 'run', '--node', 'http://127.0.0.1:9', '--key', 'fl-operator.key', '--task', 't', '--controllers', '10', '--validation', 'fl-validation.jsonl', '--groups', '2', '--min-survivors', '5', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.json).toMatchObject({ error: 'cli.invalid', field: 'min-survivors' });
    expect(bad.stdout + bad.stderr).toMatch(/min-survivors: expected at most the smallest group's 4 neighbours, got "?5"?/);
  });

  it('refuses a non-number with what it expected, and exits non-zero', async () => {
    const bad = await hs('fl', 'epsilon', '--q', 'lots', '--sigma', '1', '--steps', '10', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/q: expected a number, got "?lots"?/);
  });
});
