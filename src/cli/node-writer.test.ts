import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startNode, type RunningNode } from '../node/run-node.js';
import { HttpClient } from '../sdk/http-client.js';
import { cliInProcess as hs, savedTestKeys } from '../../test/support/cli.js';
import { nodeCacheDir, readMeta } from './node-cache.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-node-writer-'));
const cacheHome = process.env.XDG_CACHE_HOME;
process.env.XDG_CACHE_HOME = join(work, 'cache');
let node: RunningNode | undefined;
afterAll(async () => {
  await node?.close();
  if (cacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = cacheHome;
  rmSync(work, { recursive: true, force: true });
});

describe('--node keeps a verified copy of the node’s log in the user cache', { timeout: 60_000 }, () => {
  it('pulls only what is new, works beside a command holding the copy, and detects a node whose history differs', async () => {
    const keys = savedTestKeys(work, 'nw', ['admin', 'alice']);
    const [one, two] = [join(work, 'one'), join(work, 'two')];
    expect((await hs('init', '--dir', one, '--name', 'nw', '--key', keys.file('admin'), '--mint', `${keys.did('alice')}=100`, '--time', '1000', '--json')).code).toBe(0);
    // Two logs from one genesis: the same community to the cache, with different histories after it.
    cpSync(one, two, { recursive: true });
    expect((await hs('treasury', 'fund', '--dir', two, '--key', keys.file('alice'), '--amount', '7', '--time', '1001', '--json')).code).toBe(0);

    node = await startNode({ dir: one, port: 0, host: '127.0.0.1', logger: false });
    const url = node.url;
    const genesis = (await new HttpClient(url).community())!.genesis;
    const cache = nodeCacheDir(url, genesis);
    const fund = (amount: string, time: number) => hs('treasury', 'fund', '--node', url, '--key', keys.file('alice'), '--amount', amount, '--time', String(time), '--json');

    expect((await fund('1', 1001)).code).toBe(0);
    expect(readMeta(cache)).toMatchObject({ seq: 2, cid: (await new HttpClient(url).events(1, 1))[0]!.cid });

    // The next command asks the node only for what follows the cached seq (a spy that calls through).
    const pages = vi.spyOn(HttpClient.prototype, 'eventsPage');
    try {
      expect((await fund('2', 1002)).code).toBe(0);
      expect(pages.mock.calls.length).toBeGreaterThan(0);
      // One event at the cached seq (the continuity check), then pages after it: never the log from the start.
      expect(pages.mock.calls.filter(([, limit]) => limit === 1).map(([after]) => after)).toEqual([1]);
      expect(Math.min(...pages.mock.calls.filter(([, limit]) => limit !== 1).map(([after]) => after))).toBe(2);
    } finally {
      pages.mockRestore();
    }
    expect(readMeta(cache)?.seq).toBe(3);

    // Another command holds the cached copy: this one works on a throwaway copy and leaves the cache as it was.
    writeFileSync(`${cache}.lock`, String(process.pid));
    expect((await fund('3', 1003)).code).toBe(0);
    expect(readMeta(cache)?.seq).toBe(3);
    rmSync(`${cache}.lock`);

    // The same URL now serves the other log (same genesis, another event at seq 2): reported, then pulled afresh.
    const port = new URL(url).port;
    await node.close();
    node = await startNode({ dir: two, port: Number(port), host: '127.0.0.1', logger: false });
    const diverged = await fund('4', 1004);
    expect(diverged.code).toBe(0);
    expect(diverged.stderr).toContain('node.historyDiverged');
    expect(diverged.stderr).toContain('seq 3');
    const state = await new HttpClient(url).state();
    expect(readMeta(cache)).toMatchObject({ seq: state.seq, cid: (await new HttpClient(url).events(state.seq - 1, 1))[0]!.cid });
    expect(state.seq).toBe(3);
    expect(JSON.parse(readFileSync(join(cache, 'meta.json'), 'utf8')).genesis).toBe(genesis);
    expect((await fund('5', 1005)).stderr).not.toContain('node.historyDiverged');
  });
});
