/**
 * A node stops within 5 s of SIGTERM, also after it proved a prediction: proving starts snarkjs's
 * BN254 worker threads, which kept the process alive after it printed "stopped". The test runs the
 * real command (`hindsight node start --models DIR`) as its own process. It also requires that the
 * node did not need its shutdown deadline (which exits whatever is still open, and says so in the
 * log): every thread must have ended by itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { testSigner } from '../../test/support/test-community.js';
import { randomLogReg } from '../../test/support/test-models.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'hindsight');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('node start: shutdown', () => {
  it('exits within 5 s of SIGTERM after serving a proved prediction, with every worker ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-shutdown-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'models'));
    // The artifact predict.test.ts proves with: its circuit and keys are then built once per cache.
    writeFileSync(join(dir, 'models', 'model.json'), JSON.stringify({ ...randomLogReg(8, 2, true, { seed: 31 }), name: 'strong' }));
    const child = spawn(bin, ['node', 'start', '--dir', join(dir, 'log'), '--admin', testSigner(0).did, '--models', join(dir, 'models'), '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    const stdout: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    try {
      const url = await new Promise<string>((done, fail) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          stdout.push(line);
          const message = JSON.parse(line) as { event?: string; url?: string };
          if (message.event === 'listening' && message.url) done(message.url);
        });
        void exited.then(({ code }) => fail(new Error(`node exited (${code}) before listening: ${stderr.join('')}`)));
      });
      const reply = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { features: [3, 0, 7, 1, 0, 2, 5, 4] }, prove: true }) });
      expect(reply.status).toBe(200);
      expect(Object.keys((await reply.json()) as object)).toContain('proof');

      const signalled = performance.now();
      child.kill('SIGTERM');
      const outcome = await Promise.race([exited, new Promise<'alive'>((done) => setTimeout(() => done('alive'), 10_000))]);
      const seconds = (performance.now() - signalled) / 1000;
      expect(outcome, `still alive ${seconds.toFixed(1)} s after SIGTERM`).not.toBe('alive');
      expect(seconds).toBeLessThan(5);
      expect(outcome).toEqual({ code: 0, signal: null });
      expect(stdout.some((line) => line.includes('"event":"stopped"'))).toBe(true);
      expect(stderr.join(''), 'the shutdown deadline had to end the process').not.toContain('still running');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
