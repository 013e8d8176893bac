import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/support/temp-dirs.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const tempDir = tempDirs('hindsight-up-');

type Line = Record<string, unknown>;

describe('hindsight up: a whole community in one command', { timeout: 150_000 }, () => {
  it('runs 3 rounds unattended with bots in their own processes, exits cleanly, and its log replays to the stateHash it reported', async () => {
    const dir = join(tempDir(), 'community');
    const started = Date.now();
    const { stdout } = await run('node', [BIN, 'up', '--dir', dir, '--port', '0', '--rounds', '3', '--round-seconds', '5', '--warmup-seconds', '3', '--members', '2', '--operators', '1', '--dataset', resolve('data/cmudict-syllables.jsonl'), '--json'], { maxBuffer: 16 << 20 });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    const own = lines.filter((l) => l.source === undefined);
    expect(own[0]).toMatchObject({ event: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), dashboard: expect.stringMatching(/\/$/) });
    const settled = own.filter((l) => l.event === 'round' && l.phase === 'settled').map((l) => l.round);
    expect(settled).toEqual([1, 2, 3]);
    expect(own.filter((l) => l.event === 'round' && l.phase === 'voided')).toEqual([]);
    const summary = own.at(-1)!;
    expect(summary).toMatchObject({ event: 'stopped', rounds: 3, settled: 3 });
    // How long a round takes is a figure for the closing note (printed below), not a pass/fail line.
    expect(summary.meanRoundSeconds).toBeGreaterThan(0);

    // The bots ran as separate processes and said what they did, each round.
    const member = lines.filter((l) => l.source === 'member-1' && l.event === 'round');
    expect(member.map((l) => l.round)).toEqual(expect.arrayContaining([1, 2]));
    expect(member[0]).toMatchObject({ submitted: 2, keyed: 2, seated: true });
    const trades = lines.filter((l) => l.source === 'operator-naive-bayes' && (l.submitted as Record<string, number> | undefined)?.['trade.commit']);
    expect(trades.length).toBeGreaterThan(0);
    // The operator says one line per round it played, once the round has ended, with its P&L.
    const played = lines.filter((l) => l.source === 'operator-naive-bayes' && l.event === 'round');
    expect(played.map((l) => l.round)).toEqual([...new Set(played.map((l) => l.round))]);
    expect(played.map((l) => l.round)).toEqual(expect.arrayContaining([1, 2]));
    for (const l of played) expect(l).toMatchObject({ state: 'settled', pnl: expect.any(String), model: expect.stringMatching(/^0x/) });

    const replay = await run('node', [BIN, 'replay', '--dir', dir, '--json']);
    const replayed = JSON.parse(replay.stdout.trim().split('\n').pop()!) as Line;
    expect(replayed).toMatchObject({ events: summary.seq, rejected: 0, stateHash: summary.stateHash, conservation: true });
    process.stdout.write(`hindsight up: 3 rounds of 5 s in ${((Date.now() - started) / 1000).toFixed(1)} s, mean round ${String(summary.meanRoundSeconds)} s\n`);
  });

  it('stops everything on SIGTERM, leaving a log that replays; refuses a directory that is not empty', async () => {
    const dir = join(tempDir(), 'community');
    const up = spawn('node', [BIN, 'up', '--dir', dir, '--port', '0', '--round-seconds', '5', '--members', '1', '--operators', '0', '--dataset', resolve('data/iris.jsonl'), '--json']);
    const lines: Line[] = [];
    let buffer = '';
    const exited = new Promise<number | null>((r) => up.once('exit', r));
    await new Promise<void>((resolveReady, reject) => {
      up.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
          lines.push(JSON.parse(buffer.slice(0, at)) as Line);
          buffer = buffer.slice(at + 1);
          if (lines.at(-1)!.event === 'round' && lines.at(-1)!.phase === 'opened') resolveReady();
        }
      });
      void exited.then(() => reject(new Error(`up exited early: ${JSON.stringify(lines)}`)));
    });
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ event: 'stopped' });
    const replay = JSON.parse((await run('node', [BIN, 'replay', '--dir', dir, '--json'])).stdout.trim().split('\n').pop()!) as Line;
    expect(replay).toMatchObject({ stateHash: last.stateHash, events: last.seq });

    const used = tempDir();
    mkdirSync(used, { recursive: true });
    writeFileSync(join(used, 'something'), 'x');
    const refused = await run('node', [BIN, 'up', '--dir', used, '--json']).catch((e: { code: number; stdout: string }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect(JSON.parse((refused as { stdout: string }).stdout.trim().split('\n').pop()!)).toMatchObject({ error: 'community.exists' });
  });
});
