/** Test/bench helper: start node-child.mjs as a separate process and wait until it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { StartNodeOptions } from '../../src/node/run-node.js';

const CHILD = fileURLToPath(new URL('./node-child.mjs', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/node/run-node.js', import.meta.url));
let buildIsFresh: boolean | undefined;

/**
 * Whether children may run the build: dist/ exists and is newer than every non-test source file
 * (the rule bin/hindsight applies), and HINDSIGHT_FROM_SOURCE is not set. `npm ci` builds it, so CI
 * children start from the build; an edited checkout runs its source.
 */
function useBuild(): boolean {
  if (buildIsFresh === undefined) {
    buildIsFresh = false;
    if (!process.env.HINDSIGHT_FROM_SOURCE && existsSync(BUILT)) {
      let newest = 0;
      for (const entry of readdirSync(SRC, { withFileTypes: true, recursive: true })) {
        if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
      }
      buildIsFresh = statSync(BUILT).mtimeMs >= newest;
    }
  }
  return buildIsFresh;
}

export type ChildNodeOptions = Omit<StartNodeOptions, 'source' | 'logger'> & {
  /** pino options (JSON only); the node's log lines are collected in `stdout`. Default: no log. */
  logger?: false | { level: string };
};

export type ChildNode = {
  url: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
  /** Lines the node printed after it listened (its log, when `logger` is set). */
  stdout: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
};

export async function spawnNode(options: ChildNodeOptions): Promise<ChildNode> {
  return warmNode().start(options);
}

/**
 * A node process that has loaded its code and waits for `start(options)`. A test that restarts a
 * node many times warms the next one while the current one runs, so a restart costs opening the
 * store and listening, not loading the modules. `discard()` ends a node that was never started.
 */
export type WarmNode = { start(options: ChildNodeOptions): Promise<ChildNode>; discard(): Promise<void> };

export function warmNode(): WarmNode {
  // HINDSIGHT_CHILD_NODE_ARGS: extra flags for the node's process, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it.
  const extra = process.env.HINDSIGHT_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, CHILD, ...(useBuild() ? ['--build'] : []), '--wait'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const stdout: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The stdin pipe breaks when the child is killed before it read its options; nothing to report.
  child.stdin!.on('error', () => {});
  let onListening: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (onListening = resolve));
  let url: string | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (url !== undefined) {
      stdout.push(line);
      return;
    }
    try {
      const message = JSON.parse(line) as { event?: string; url?: string };
      if (message.event === 'listening' && message.url) onListening((url = message.url));
    } catch {
      // not our JSON line
    }
  });
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    start: async (options) => {
      child.stdin!.end(`${JSON.stringify(options)}\n`);
      const started = await Promise.race([listening, exited.then((code) => ({ code }))]);
      if (typeof started !== 'string') throw new Error(`node child exited (${started.code}) before listening: ${stderr.join('').slice(-2000)}`);
      return { url: started, process: child, exited, stderr, stdout, kill };
    },
    discard: () => kill('SIGKILL'),
  };
}
