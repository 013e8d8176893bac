/** Test/bench helper: start node-child.ts as a separate process and wait until it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { moduleProcess } from '../../src/core/spawn-worker.js';
import type { StartNodeOptions } from '../../src/node/run-node.js';

export type ChildNode = { url: string; process: ChildProcess; exited: Promise<number | null>; stderr: string[]; kill(signal?: NodeJS.Signals): Promise<void> };

export async function spawnNode(options: Omit<StartNodeOptions, 'source' | 'logger'>): Promise<ChildNode> {
  const { script, execArgv } = moduleProcess(import.meta.url, 'node-child');
  const child = spawn(process.execPath, [...execArgv, script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; url?: string };
        if (message.event === 'listening' && message.url) resolve(message.url);
      } catch {
        // not our JSON line
      }
    });
    void exited.then((code) => reject(new Error(`node child exited (${code}) before listening: ${stderr.join('').slice(-2000)}`)));
  });
  return {
    url,
    process: child,
    exited,
    stderr,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
