/**
 * A federated task end to end with ten controllers as separate `hindsight fl controller` processes
 * over HTTP: one drops out after sharing keys in round 1, one sends noise, one trains from its sealed
 * vault. The operator coordinates from this process. Checks the log's events, the escrow paid out
 * as ledger credits, conservation, and that replaying the log gives the node's stateHash.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity } from '../../test/support/test-community.js';
import { flShards, smallRecipe } from '../../test/support/fl-fixture.js';
import { saveKey } from '../events/keys.js';
import { makeFeaturizer } from '../ml/features/featurizer.js';
import { csrFromRows } from '../ml/features/sparse.js';
import { stateHash } from '../game/canonical.js';
import { balanceOf, conservation } from '../game/ledger.js';
import { replayLog } from '../engine/replay.js';
import { runCoordinator } from '../sdk/fl-coordinator.js';
import { DataVault } from '../fl/data/vault.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-fl-procs-'));
let node: TestNode | undefined;
afterAll(async () => {
  await node?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('fl controller processes over a node', () => {
  it('ten controller processes, a dropout and a noise sender: events, escrow payments, conservation, replay', async () => {
    const n = 10;
    const balance = 1_000_000_000n;
    const community = makeTestCommunity({ members: n + 1, id: 'fl-procs', balance });
    node = await startTestNode();
    expect((await postEvent(node.url, community.genesis)).status).toBe(202);
    const [operator, ...controllers] = community.members;
    const data = flShards(n, 30);
    const recipe = smallRecipe({ groups: 2 });
    const featurizer = makeFeaturizer(recipe.featurizer);
    const validation = { X: csrFromRows(data.validation.map((e) => featurizer.transform({ text: e.text })), featurizer.dim), y: Int32Array.from(data.validation, (e) => e.label) };

    const behaviour = (k: number) => (k === 0 ? 'dropout' : k === 1 ? 'noise' : 'honest');
    const children = controllers.map(async (c, k) => {
      const key = join(work, `c${k}.key`);
      saveKey(c.signer as Parameters<typeof saveKey>[0], key);
      let source: string[];
      if (k === 2) {
        // This member keeps its mailbox sealed in its vault and grants nobody: it still trains.
        const vault = join(work, 'vault2');
        DataVault.create(vault, c.did).put(data.shards[k]!);
        source = ['--vault', vault];
      } else {
        const file = join(work, `c${k}.jsonl`);
        writeFileSync(file, data.shards[k]!.map((e) => JSON.stringify(e)).join('\n'));
        source = ['--data', file];
      }
      const { stdout } = await run('node', [BIN, 'fl', 'controller', '--node', node!.url, '--key', key, '--task', 'procs', ...source, '--behaviour', behaviour(k), '--timeout', '90000', '--json'], { cwd: work, env: { ...process.env, HINDSIGHT_FROM_SOURCE: '1' } });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { did: string; rounds: number[]; droppedOut: boolean; earned: string; sentBytes: number };
    });
    const budget = 50_000_000n;
    const result = await runCoordinator({ node: node.url, signer: operator!.signer, task: 'procs', recipe, rounds: 2, budget, controllers: n, validation, noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 5000, joinTimeoutMs: 80_000 });
    const reports = await Promise.all(children);

    // The dropout left round 1 after its shares; the masks it left behind were removed, its peers counted.
    expect(reports[0]!.droppedOut).toBe(true);
    expect(result.rounds[0]!.dropped).toEqual([controllers[0]!.did]);
    expect(result.rounds[0]!.included).toHaveLength(n - 1);
    expect(result.rounds[1]!.included).toHaveLength(n - 1);
    for (const r of reports.slice(1)) expect(r.rounds).toEqual([1, 2]);

    const state = node.engine.state;
    const task = state.fl.get('procs')!;
    expect(task.completed).toBe(2);
    expect(task.finished).toBe(true);
    // Events: every step that matters is in the log.
    const counts = new Map<string, number>();
    for (let after = 0; ; ) {
      const rows = await node.engine.store.readAfter(after, 1000);
      if (rows.length === 0) break;
      for (const r of rows) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
      after = rows.at(-1)!.seq;
    }
    expect(counts.get('fl.task')).toBe(1);
    expect(counts.get('fl.join')).toBe(n);
    expect(counts.get('fl.stage')).toBe(2 * 2 * 3);
    expect(counts.get('fl.aggregate')).toBe(2);
    expect(counts.get('fl.pay')).toBe(1);
    // keys + shares from all 10 in round 1, masked + unmask from 9 (each unmask carrying its round-2
    // keys); round 2: shares, masked and unmask from those 9.
    expect(counts.get('fl.update')).toBe(2 * n + 2 * (n - 1) + 3 * (n - 1));

    // Payments: the escrow went to controllers as ledger credits, the rest back to the operator.
    expect(task.paid).toBe(result.paid);
    expect(balanceOf(state.ledger, operator!.did)).toBe(balance - task.paid);
    for (const [k, c] of controllers.entries()) {
      expect(balanceOf(state.ledger, c.did)).toBe(balance + BigInt(reports[k]!.earned));
      expect(task.controllers.get(c.did)!.earned.toString()).toBe(reports[k]!.earned);
    }
    expect(controllers.reduce((s, _c, k) => s + BigInt(reports[k]!.earned), 0n)).toBe(task.paid);
    expect(conservation(state.ledger).ok).toBe(true);
    expect(state.ledger.escrow).toBe(0n);

    const replayed = await replayLog(node.engine.store);
    expect(stateHash(replayed.state)).toBe(stateHash(state));
  }, 120_000);
});
