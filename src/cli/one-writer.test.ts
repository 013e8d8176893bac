import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../sdk/http-client.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-one-writer-'));
const env = { ...process.env, HINDSIGHT_FROM_SOURCE: '1' };
let node: ChildProcess | undefined;
afterAll(() => {
  node?.kill('SIGKILL');
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

/** `hindsight node start` as a child process; resolves with its URL once it listens. */
function startNode(dir: string): Promise<string> {
  node = spawn('node', [BIN, 'node', 'start', '--dir', dir, '--port', '0', '--max-skew', 'off', '--log-level', 'silent', '--json'], { cwd: work, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    node!.once('exit', (code) => fail(new Error(`node exited with ${code}`)));
    createInterface({ input: node!.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { event?: string; url?: string };
      if (msg.event === 'listening') ok(msg.url!);
    });
  });
}

describe('one writer per community: the node holds the directory, writes go through --node', { timeout: 300_000 }, () => {
  const dir = join(work, 'community');

  it('refuses a local write while the node runs, accepts it with --node, runs the round steps, and replays to the node’s stateHash', async () => {
    expect((await hs('key', 'new', '--out', 'admin.key')).code).toBe(0);
    expect((await hs('key', 'new', '--out', 'alice.key')).code).toBe(0);
    const alice = JSON.parse(readFileSync(join(work, 'alice.key'), 'utf8')).did as string;
    expect((await hs('init', '--dir', dir, '--name', 'one-writer', '--key', 'admin.key', '--mint', `${alice}=100`, '--json')).code).toBe(0);
    writeFileSync(join(work, 'items.jsonl'), '{"id":"a","text":"win money now"}\n{"id":"b","text":"lunch at noon?"}\n');

    const url = await startNode(dir);
    expect(existsSync(join(dir, 'node.lock'))).toBe(true);

    const refused = await hs('treasury', 'fund', '--dir', dir, '--key', 'alice.key', '--amount', '5', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.json.error).toBe('cli.nodeOwnsDir');
    expect(refused.stdout + refused.stderr).toContain(`--node ${url}`);

    const funded = await hs('treasury', 'fund', '--node', url, '--key', 'alice.key', '--amount', '5', '--json');
    expect(funded.code).toBe(0);
    expect(funded.json.amount).toBe('5000000');

    // Schedule and open are separate steps: between them the round is in its scheduled phase.
    // Event times are scripted (the node judges them by their own time: --max-skew off).
    const t0 = Date.now();
    const at = (s: number): string[] => ['--time', String(t0 + s * 1000)];
    const node_ = ['--node', url];
    const scheduled = await hs('round', 'schedule', ...node_, '--dir', dir, '--key', 'admin.key', '--round', '1', '--items', 'items.jsonl', '--trading-secs', '60', '--reveal-secs', '60', ...at(0), '--json');
    expect(scheduled.code).toBe(0);
    const client = new HttpClient(url);
    expect((await client.round(1))?.phase).toBe('scheduled');
    const model = pseudoModelHash('alice-lr');
    const committed = await hs('model', 'commit', ...node_, '--key', 'alice.key', '--hash', model, '--name', 'alice-lr', ...at(1), '--json');
    expect(committed.json.error ?? committed.code).toBe(0);
    expect((await hs('round', 'open', ...node_, '--key', 'admin.key', '--round', '1', ...at(2), '--json')).code).toBe(0);
    expect((await client.round(1))?.phase).toBe('trading');
    const wrong = await hs('round', 'open', ...node_, '--key', 'admin.key', '--round', '1', ...at(3), '--json');
    expect(wrong.code).not.toBe(0);
    expect((await hs('trade', ...node_, '--dir', dir, '--key', 'alice.key', '--round', '1', '--item', 'a', '--model', model, '--belief', '0.1,0.9', '--max-cost', '5', ...at(4), '--json')).code).toBe(0);
    expect((await hs('round', 'close', ...node_, '--key', 'admin.key', '--round', '1', ...at(61), '--json')).code).toBe(0);
    expect((await hs('trade', 'reveal', ...node_, '--dir', dir, '--key', 'alice.key', '--round', '1', ...at(70), '--json')).json.revealed).toBe(1);
    writeFileSync(join(work, 'labels.jsonl'), '{"item":"a","outcome":1}\n{"item":"b","outcome":0}\n');
    expect((await hs('round', 'resolve', ...node_, '--dir', dir, '--key', 'admin.key', '--round', '1', '--labels', 'labels.jsonl', ...at(125), '--json')).code).toBe(0);
    expect((await hs('round', 'settle', ...node_, '--key', 'admin.key', '--round', '1', ...at(126), '--json')).code).toBe(0);
    const board = await hs('leaderboard', ...node_, '--json');
    const lines = board.json.lines as { name: string; pnl: string; rounds: number; latestHash: string }[];
    expect(lines[0]).toMatchObject({ name: 'alice-lr', rounds: 1, latestHash: model });
    expect(Number(lines[0]!.pnl)).toBeGreaterThan(0);

    const state = await client.state();
    // A crash: the lock file stays behind with a dead pid; the next local write takes over.
    node!.kill('SIGKILL');
    await new Promise((ok) => node!.once('exit', ok));
    node = undefined;
    expect(existsSync(join(dir, 'node.lock'))).toBe(true);
    const replay = await hs('replay', '--dir', dir, '--json');
    expect(replay.json.stateHash).toBe(state.stateHash);
    expect((await hs('treasury', 'fund', '--dir', dir, '--key', 'alice.key', '--amount', '1', '--json')).code).toBe(0);
  });
});
