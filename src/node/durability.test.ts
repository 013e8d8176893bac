/**
 * SIGTERM durability: a node stopped gracefully mid-load finishes its in-flight appends and exits 0
 * with every 202 stored. (kill -9 under load, 20 times per store, is test/faults/crash-under-load-*.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { spawnNode } from '../../test/support/child-node.js';
import { driveLoad, postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity, transfer } from '../../test/support/test-community.js';

describe('graceful stop durability', () => {
  it('SIGTERM mid-load: in-flight appends finish, the process exits 0, every 202 is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-term-'));
    try {
      const c = makeTestCommunity({ members: 9, salt: 3 });
      const node = await spawnNode({ dir, verifyThreads: 1, admin: c.admin.did });
      expect((await postEvent(node.url, c.genesis)).status).toBe(202);
      let underWay: () => void = () => {};
      const progress = new Promise<void>((resolve) => (underWay = resolve));
      const chains = c.members.slice(0, 8).map((m) => Array.from({ length: 300 }, () => transfer(m, c.members[8]!)));
      const load = driveLoad({ urls: [node.url], chains, onAck: (n) => n >= 100 && underWay() });
      await progress;
      node.process.kill('SIGTERM');
      const [result, exitCode] = await Promise.all([load, node.exited]);
      expect(exitCode).toBe(0);
      const store = await openStore({ dir });
      try {
        for (const [cid, seq] of result.acked) expect((await store.get(cid))?.seq).toBe(seq);
        expect(await store.head()).toBeGreaterThanOrEqual(result.acked.size + 1);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
