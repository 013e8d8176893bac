import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, vi } from 'vitest';
import { saveKey } from '../../src/events/keys.js';
import { main } from '../../src/cli/main.js';
import { testKey } from './harness.js';

export type CliResult = { code: number; stdout: string; stderr: string; json: Record<string, unknown> };
type Line = Record<string, unknown>;

/** The last stdout line as JSON (what `--json` commands print), or {} when it is not JSON. */
function lastJson(out: string): Line {
  try {
    return JSON.parse(out.trim().split('\n').pop() ?? '') as Line;
  } catch {
    return {};
  }
}

/** Runs the CLI in this process (cheap: no spawn, no module loading) and returns its exit code and last JSON line. */
export async function cliInProcess(...args: string[]): Promise<CliResult> {
  const chunks: string[] = [];
  const errs: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (errs.push(String(chunk)), true));
  process.exitCode = 0;
  try {
    await main(['node', 'hindsight', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const stdout = chunks.join('');
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr: errs.join(''), json: lastJson(stdout) };
}

/**
 * Deterministic test keys `<prefix>-<name>` saved as `<dir>/<name>.key` (for in-process CLI tests
 * that sign with --time; the child-process tests make theirs with `key new`).
 */
export function savedTestKeys(dir: string, prefix: string, names: readonly string[]): { file: (n: string) => string; did: (n: string) => string } {
  for (const n of names) saveKey(testKey(`${prefix}-${n}`), join(dir, `${n}.key`));
  return { file: (n) => join(dir, `${n}.key`), did: (n) => testKey(`${prefix}-${n}`).did };
}

/** `committee init` of a community with a 3-seat committee (50-unit minimum bond), minting 1,000 units to each of `members`. */
export function committeeInitArgs(dir: string, adminKey: string, name: string, mint: readonly string[]): string[] {
  return ['committee', 'init', '--dir', dir, '--key', adminKey, '--name', name, ...mint.flatMap((did) => ['--mint', `${did}=1000`]), '--committee-json', '{"size":3,"minBond":"50000000"}'];
}

/**
 * `bin/hindsight` as child processes, the way a person runs it, in a fresh working directory that
 * is removed (and every background child killed) after the calling file's tests.
 */
export function cliChildren(prefix: string) {
  const BIN = resolve('bin/hindsight');
  const work = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, HINDSIGHT_FROM_SOURCE: '1', XDG_CACHE_HOME: join(work, '.cache') };
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });
  const run = promisify(execFile);

  async function hs(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: work, env });
      return { code: 0, stdout, stderr, json: lastJson(stdout) };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: lastJson(e.stdout) };
    }
  }

  /** A CLI child process whose JSON stdout lines are collected; `until` waits for a line matching a test. */
  function background(args: string[]) {
    const child = spawn('node', [BIN, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const lines: Line[] = [];
    const waiters: { test: (l: Line) => boolean; ok: (l: Line) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        return;
      }
      lines.push(line);
      for (const w of waiters.splice(0)) (w.test(line) ? w.ok(line) : waiters.push(w));
    });
    const until = (test: (l: Line) => boolean, what: string, ms = 60_000) =>
      new Promise<Line>((ok, fail) => {
        const seen = lines.find(test);
        if (seen) return ok(seen);
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), ms);
        waiters.push({ test, ok: (l) => (clearTimeout(timer), ok(l)) });
        child.once('exit', (code) => fail(new Error(`${args[0]} exited with ${code} while waiting for ${what}`)));
      });
    const exited = () => new Promise<void>((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once('exit', () => ok())));
    return { child, lines, until, exited };
  }

  /** `hindsight node start --dir DIR` (no clock skew check, silent) as a child; resolves once it listens. */
  async function startNode(dir: string) {
    const node = background(['node', 'start', '--dir', dir, '--port', '0', '--max-skew', 'off', '--log-level', 'silent', '--json']);
    const url = String((await node.until((l) => l.event === 'listening', 'the node to listen')).url);
    return { ...node, url };
  }

  /** `hindsight key new --out NAME.key` for each name; returns each name's DID. */
  async function newKeys(names: readonly string[]): Promise<Record<string, string>> {
    const made = await Promise.all(names.map((n) => hs('key', 'new', '--out', `${n}.key`, '--json')));
    const out: Record<string, string> = {};
    made.forEach((r, i) => {
      if (r.code !== 0 || typeof r.json.did !== 'string') throw new Error(`key new --out ${names[i]}.key: ${r.stderr || r.stdout}`);
      out[names[i]!] = r.json.did;
    });
    return out;
  }

  return { work, env, hs, background, startNode, newKeys };
}

/** 0 when the command succeeded, else what it said (error code or stderr), so a failed step names its cause. */
export const failure = (r: CliResult): unknown => {
  if (r.code === 0) return 0;
  // An unexpected error's code says nothing: keep its message, so a failing run shows the cause.
  if (r.json.error === 'internal') return `internal: ${String(r.json.message)} | ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return (r.json.error ?? r.stderr.trim().split('\n').slice(-3).join(' | ')) || r.code;
};

/** Waits until the wall clock passes `ms` (a deadline a node judges by). */
export async function sleepUntil(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((r) => setTimeout(r, Math.min(250, ms - Date.now() + 1)));
}

/**
 * Runs the commands of one command module in this process with commander's exitOverride, so a
 * refusal rejects (its error class and code intact) instead of becoming an exit code; returns the
 * last stdout line parsed as JSON.
 */
export async function runRegistered(register: (program: Command) => void, args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'hindsight', ...args]);
  } finally {
    spy.mockRestore();
  }
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}
