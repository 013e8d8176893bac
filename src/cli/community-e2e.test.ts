import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../sdk/http-client.js';
import { cliChildren, committeeInitArgs, failure, sleepUntil, type CliResult } from '../../test/support/cli.js';

const { work, hs, startNode, newKeys } = cliChildren('hindsight-community-e2e-');

/** The operator's `{event: "round"}` line for `round` in a `--once` run's output. */
const roundLine = (r: CliResult, round: number) =>
  r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'round' && l.round === round);
const submitted = (r: CliResult): Record<string, number> =>
  Object.assign({}, ...r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { submitted?: Record<string, number> }).submitted ?? {}));

describe('a first community from the CLI alone, against `node start`', { timeout: 600_000 }, () => {
  it('init → schedule → members join and bond → items submitted and keyed → operator trades, and a later process reveals → close → committee labels → settle → leaderboard; the log replays', async () => {
    const dir = join(work, 'community');
    const did = await newKeys(['admin', 'a', 'b', 'c', 'op']);
    expect(failure(await hs(...committeeInitArgs(dir, 'admin.key', 'e2e', ['a', 'b', 'c', 'op'].map((n) => did[n]!)), '--json'))).toBe(0);
    writeFileSync(join(work, 'bootstrap.jsonl'), Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: i % 2 ? `free money offer ${i}` : `meeting notes ${i}`, label: i % 2 })).join('\n') + '\n');

    const node = await startNode(dir);
    const at = (n: string) => ['--node', node.url, '--key', `${n}.key`, '--json'];
    const sec = (n: string) => [...at(n), '--secrets', join(work, `secrets-${n}`)];
    const client = new HttpClient(node.url);
    // Each `--once` is a new process: the sealed trades' salts reach the next one only through the state file.
    const operatorOnce = () => hs('operator', 'run', '--once', ...at('op'), '--model', 'naive-bayes', '--bootstrap', 'bootstrap.jsonl');

    // Members in parallel; how long two CLI steps take here sets the round's deadlines below, so a
    // slow machine gets longer windows and a fast one waits little.
    const joinStarted = Date.now();
    await Promise.all(['a', 'b', 'c'].map(async (n) => {
      expect(failure(await hs('member', 'join', ...at(n)))).toBe(0);
      expect(failure(await hs('member', 'bond', ...at(n), '--amount', '100'))).toBe(0);
    }));
    const step = (Date.now() - joinStarted) / 2;
    expect((await client.member(did.a!))?.bond).toBe('100000000');
    // Until the trading deadline: submit ∥ operator commit, open, keys, operator trade (it trains: a step and a half).
    const tradingSecs = Math.ceil((5 * step + 2000) / 1000);
    // Until the reveal deadline (label commits end there too): close, operator reveal, label commits.
    const revealSecs = Math.ceil((3.5 * step + 2000) / 1000);
    process.stderr.write(`community-e2e: one CLI step ≈ ${(step / 1000).toFixed(1)} s here: trading window ${tradingSecs} s, reveal window ${revealSecs} s\n`);

    const scheduled = await hs('round', 'schedule', ...sec('admin'), '--round', '1', '--subsidy', '5', '--trading-secs', String(tradingSecs), '--reveal-secs', String(revealSecs), '--label-reveal-secs', '60');
    expect(failure(scheduled)).toBe(0);
    expect((await client.round(1))?.phase).toBe('scheduled');
    const [committed, ...subs] = await Promise.all([
      operatorOnce(),
      ...([['a', 'free money, click now'], ['b', 'notes from the meeting']] as const).map(([n, text]) => hs('item', 'submit', ...sec(n), '--round', '1', '--text', text)),
    ]);
    expect(failure(committed)).toBe(0);
    expect(submitted(committed!)['model.commit']).toBe(1);
    const ids = subs.map((s) => (expect(failure(s)).toBe(0), String(s.json.item)));
    expect(failure(await hs('round', 'open', ...at('admin'), '--round', '1'))).toBe(0);
    for (const r of await Promise.all(['a', 'b'].map((n) => hs('item', 'key', ...sec(n), '--round', '1')))) expect(failure(r)).toBe(0);
    expect((await client.submissions(1)).map((s) => s.status)).toEqual(['valid', 'valid']);

    const traded = await operatorOnce();
    expect(failure(traded)).toBe(0);
    expect(submitted(traded)['trade.commit']).toBe(2);
    expect(roundLine(traded, 1)).toMatchObject({ items: 2, cost: null, pnl: null, state: 'trading' });
    // What the next process needs is on disk, private to the operator; no salt is ever printed.
    const stateDir = join(work, 'op.key.state');
    const [stateFile] = readdirSync(stateDir);
    expect(statSync(join(stateDir, stateFile!)).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const salts = (JSON.parse(readFileSync(join(stateDir, stateFile!), 'utf8')) as { rounds: { trades: { salt: string }[] }[] }).rounds[0]!.trades.map((t) => t.salt);
    expect(salts).toHaveLength(2);
    for (const s of salts) expect(committed!.stdout + committed!.stderr + traded.stdout + traded.stderr).not.toContain(s);

    await sleepUntil((await client.round(1))!.tradingDeadline);
    expect(failure(await hs('round', 'close', ...at('admin'), '--round', '1'))).toBe(0);
    const revealed = await operatorOnce();
    expect(failure(revealed)).toBe(0);
    expect(submitted(revealed)['trade.reveal']).toBe(2);
    for (const s of salts) expect(revealed.stdout + revealed.stderr).not.toContain(s);

    const committee = (await client.committee(1))!;
    expect(committee.members).toHaveLength(3);
    const label = (item: string) => `${item}=${item === ids[0] ? 1 : 0}`;
    for (const r of await Promise.all(['a', 'b', 'c'].map((n) => hs('label', 'commit', ...sec(n), '--round', '1', ...ids.flatMap((i) => ['--label', label(i)]))))) expect(failure(r)).toBe(0);
    await sleepUntil((await client.committee(1))!.deadlines.labelCommit);
    for (const r of await Promise.all(['a', 'b', 'c'].map((n) => hs('label', 'reveal', ...sec(n), '--round', '1')))) expect(failure(r)).toBe(0);
    expect(failure(await hs('label', 'resolve', ...sec('admin'), '--round', '1'))).toBe(0);
    expect(failure(await hs('round', 'settle', ...at('admin'), '--round', '1'))).toBe(0);
    expect((await client.round(1))?.phase).toBe('settled');
    expect((await client.committee(1))?.labels.map((l) => l.label).sort()).toEqual([0, 1]);

    // A last --once collects: its round line has the executed cost and the P&L settlement paid, and the finished round leaves the state file.
    const collected = await operatorOnce();
    expect(failure(collected)).toBe(0);
    const line = roundLine(collected, 1)!;
    expect(line).toMatchObject({ items: 2, state: 'settled', cost: expect.any(String), pnl: expect.any(String) });
    const board = await hs('leaderboard', '--node', node.url, '--json');
    const lines = board.json.lines as { name: string; rounds: number; pnl: string }[];
    const nb = lines.find((l) => l.name === 'naive-bayes');
    expect(nb?.rounds).toBe(1);
    expect((JSON.parse(readFileSync(join(stateDir, stateFile!), 'utf8')) as { rounds: unknown[] }).rounds).toEqual([]);

    const state = await client.state();
    node.child.kill('SIGTERM');
    await node.exited();
    const replay = await hs('replay', '--dir', dir, '--json');
    expect(replay.json.stateHash).toBe(state.stateHash);
  });
});
