import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../sdk/http-client.js';

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

  it('refuses a local write while the node runs, accepts it with --node, and replays to the node’s stateHash after a crash', async () => {
    expect((await hs('key', 'new', '--out', 'admin.key')).code).toBe(0);
    expect((await hs('key', 'new', '--out', 'alice.key')).code).toBe(0);
    const alice = JSON.parse(readFileSync(join(work, 'alice.key'), 'utf8')).did as string;
    expect((await hs('init', '--dir', dir, '--name', 'one-writer', '--key', 'admin.key', '--mint', `${alice}=100`, '--json')).code).toBe(0);
    
    const url = await startNode(dir);
    expect(existsSync(join(dir, 'node.lock'))).toBe(true);

    const refused = await hs('treasury', 'fund', '--dir', dir, '--key', 'alice.key', '--amount', '5', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.json.error).toBe('cli.nodeOwnsDir');
    expect(refused.stdout + refused.stderr).toContain(`--node ${url}`);

    const funded = await hs('treasury', 'fund', '--node', url, '--key', 'alice.key', '--amount', '5', '--json');
    expect(funded.code).toBe(0);
    expect(funded.json.amount).toBe('5000000');

    // The round steps over --node (schedule, open, item submit/key, operator trades, committee labels,
    // settle) are driven in community-e2e.test.ts; the resolver path in process in cli.test.ts.
    const client = new HttpClient(url);
    expect((await client.state()).seq).toBeGreaterThan(1);
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
