import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { saveKey } from '../events/keys.js';
import { HttpClient } from '../sdk/http-client.js';
import { testKey } from '../../test/support/harness.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-community-e2e-'));
const env = { ...process.env, HINDSIGHT_FROM_SOURCE: '1' };
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

type Result = { code: number; stdout: string; stderr: string; json: Record<string, unknown> };

async function hs(...args: string[]): Promise<Result> {
  const last = (out: string): Record<string, unknown> => {
    try {
      return JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: work, env });
    return { code: 0, stdout, stderr, json: last(stdout) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: last(e.stdout) };
  }
}

/** A CLI child process whose JSON stdout lines are collected; `until` waits for a line matching a test. */
function background(args: string[]) {
  const child = spawn('node', [BIN, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (l: Record<string, unknown>) => boolean; ok: (l: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const w of waiters.splice(0)) (w.test(line) ? w.ok(line) : waiters.push(w));
  });
  const until = (test: (l: Record<string, unknown>) => boolean, what: string, ms = 60_000) =>
    new Promise<Record<string, unknown>>((ok, fail) => {
      const seen = lines.find(test);
      if (seen) return ok(seen);
      const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), ms);
      waiters.push({ test, ok: (l) => (clearTimeout(timer), ok(l)) });
      child.once('exit', (code) => fail(new Error(`${args[0]} exited with ${code} while waiting for ${what}`)));
    });
  return { child, lines, until };
}

/** 0 when the command succeeded, else what it said (error code or stderr), so a failure names its cause. */
const failure = (r: Result): unknown => (r.code === 0 ? 0 : (r.json.error ?? r.stderr.trim().split('\n').slice(-3).join(' | ')) || r.code);

const sleepUntil = async (ms: number) => {
  while (Date.now() <= ms) await new Promise((r) => setTimeout(r, Math.min(250, ms - Date.now() + 1)));
};

describe('a first community from the CLI alone, against `node start`', { timeout: 240_000 }, () => {
  it('init → schedule → members join and bond → items submitted and keyed → operator trades → close → committee labels → settle → leaderboard; the log replays', async () => {
    const dir = join(work, 'community');
    for (const n of ['admin', 'a', 'b', 'c', 'op']) saveKey(testKey(`e2e-${n}`), join(work, `${n}.key`));
    const did = (n: string) => testKey(`e2e-${n}`).did;
    const init = await hs('committee', 'init', '--dir', dir, '--key', 'admin.key', '--name', 'e2e', ...['a', 'b', 'c', 'op'].flatMap((n) => ['--mint', `${did(n)}=1000`]), '--committee-json', '{"size":3,"minBond":"50000000"}', '--json');
    expect(init.code).toBe(0);
    writeFileSync(join(work, 'bootstrap.jsonl'), Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: i % 2 ? `free money offer ${i}` : `meeting notes ${i}`, label: i % 2 })).join('\n') + '\n');

    const node = background(['node', 'start', '--dir', dir, '--port', '0', '--max-skew', 'off', '--log-level', 'silent', '--json']);
    const url = String((await node.until((l) => l.event === 'listening', 'the node to listen')).url);
    const at = (n: string) => ['--node', url, '--key', `${n}.key`, '--json'];
    const sec = (n: string) => [...at(n), '--secrets', join(work, `secrets-${n}`)];
    const client = new HttpClient(url);

    for (const n of ['a', 'b', 'c']) {
      expect(failure(await hs('member', 'join', ...at(n)))).toBe(0);
      expect(failure(await hs('member', 'bond', ...at(n), '--amount', '100'))).toBe(0);
    }
    expect((await client.member(did('a')))?.bond).toBe('100000000');

    const scheduled = await hs('round', 'schedule', ...sec('admin'), '--round', '1', '--subsidy', '5', '--trading-secs', '25', '--reveal-secs', '12', '--label-reveal-secs', '15');
    expect(scheduled.code).toBe(0);
    expect((await client.round(1))?.phase).toBe('scheduled');
    const op = background(['operator', 'run', '--node', url, '--key', 'op.key', '--model', 'naive-bayes', '--bootstrap', 'bootstrap.jsonl', '--interval', '300', '--json']);
    const ids: string[] = [];
    for (const [n, text] of [['a', 'free money, click now'], ['b', 'notes from the meeting']] as const) {
      const sub = await hs('item', 'submit', ...sec(n), '--round', '1', '--text', text);
      expect(sub.code).toBe(0);
      ids.push(String(sub.json.item));
    }
    await op.until((l) => ((l.submitted as Record<string, number> | undefined)?.['model.commit'] ?? 0) > 0, 'the operator to commit its model while the round is scheduled');
    const opened = await hs('round', 'open', ...at('admin'), '--round', '1');
    expect(failure(opened)).toBe(0);
    for (const n of ['a', 'b']) expect(failure(await hs('item', 'key', ...sec(n), '--round', '1'))).toBe(0);
    expect((await client.submissions(1)).map((s) => s.status)).toEqual(['valid', 'valid']);
    await op.until((l) => ((l.submitted as Record<string, number> | undefined)?.['trade.commit'] ?? 0) > 0, 'the operator to trade');

    const r1 = (await client.round(1))!;
    await sleepUntil(r1.tradingDeadline);
    expect(failure(await hs('round', 'close', ...at('admin'), '--round', '1'))).toBe(0);
    await op.until((l) => ((l.submitted as Record<string, number> | undefined)?.['trade.reveal'] ?? 0) > 0, 'the operator to reveal');
    const committee = (await client.committee(1))!;
    expect(committee.members).toHaveLength(3);
    const label = (item: string) => `${item}=${item === ids[0] ? 1 : 0}`;
    for (const n of ['a', 'b', 'c']) expect(failure(await hs('label', 'commit', ...sec(n), '--round', '1', ...ids.flatMap((i) => ['--label', label(i)])))).toBe(0);
    await sleepUntil((await client.committee(1))!.deadlines.labelCommit);
    for (const n of ['a', 'b', 'c']) expect(failure(await hs('label', 'reveal', ...sec(n), '--round', '1'))).toBe(0);
    expect(failure(await hs('label', 'resolve', ...sec('admin'), '--round', '1'))).toBe(0);
    expect(failure(await hs('round', 'settle', ...at('admin'), '--round', '1'))).toBe(0);
    expect((await client.round(1))?.phase).toBe('settled');
    expect((await client.committee(1))?.labels.map((l) => l.label).sort()).toEqual([0, 1]);

    const board = await hs('leaderboard', '--node', url, '--json');
    const lines = board.json.lines as { name: string; rounds: number }[];
    expect(lines.map((l) => l.name)).toContain('naive-bayes');
    expect(lines.find((l) => l.name === 'naive-bayes')?.rounds).toBe(1);

    op.child.kill('SIGTERM');
    const state = await client.state();
    node.child.kill('SIGTERM');
    await new Promise((ok) => (node.child.exitCode !== null ? ok(null) : node.child.once('exit', ok)));
    const replay = await hs('replay', '--dir', dir, '--json');
    expect(replay.json.stateHash).toBe(state.stateHash);
  });
});
