import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../sdk/http-client.js';
import { cliChildren } from '../../test/support/cli.js';

const { work, hs, startNode, newKeys } = cliChildren('hindsight-one-writer-');

describe('one writer per community: the node holds the directory, writes go through --node', { timeout: 300_000 }, () => {
  const dir = join(work, 'community');

  it('refuses a local write while the node runs, accepts it with --node, and replays to the node’s stateHash after a crash', async () => {
    const { alice } = await newKeys(['admin', 'alice']);
    expect((await hs('init', '--dir', dir, '--name', 'one-writer', '--key', 'admin.key', '--mint', `${alice}=100`, '--json')).code).toBe(0);

    const node = await startNode(dir);
    const url = node.url;
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
    node.child.kill('SIGKILL');
    await node.exited();
    expect(existsSync(join(dir, 'node.lock'))).toBe(true);
    const replay = await hs('replay', '--dir', dir, '--json');
    expect(replay.json.stateHash).toBe(state.stateHash);
    expect((await hs('treasury', 'fund', '--dir', dir, '--key', 'alice.key', '--amount', '1', '--json')).code).toBe(0);
  });
});
