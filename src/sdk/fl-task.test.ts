import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity } from '../../test/support/test-community.js';
import { flShards, smallRecipe } from '../../test/support/fl-fixture.js';
import { makeFeaturizer } from '../ml/features/featurizer.js';
import { csrFromRows } from '../ml/features/sparse.js';
import { stateHash } from '../game/canonical.js';
import { conservation, balanceOf } from '../game/ledger.js';
import { replayLog } from '../engine/replay.js';
import { runCoordinator } from './fl-coordinator.js';
import { runController } from './fl-controller.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import { Engine } from '../engine/engine.js';
import { leaderboardView } from '../engine/views.js';
import { DemoWorld, units } from '../sim/demo-world.js';
import { DEFAULT_BANKROLL } from './operator-bankroll.js';
import type { LabeledExample } from './operator-history.js';
import { FederatedStrategy } from './operators/fl-strategy.js';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.cleanup();
  node = undefined;
});

describe('a federated task over a node, controllers in process', () => {
  it('runs secure aggregation through the relay with a dropout and a noise sender, pays from escrow, replays', async () => {
    const n = 6;
    const community = makeTestCommunity({ members: n + 1, id: 'fl-inproc' });
    node = await startTestNode();
    expect((await postEvent(node.url, community.genesis)).status).toBe(202);
    const recipe = smallRecipe({ groups: 2 });
    const data = flShards(n, 40);
    const featurizer = makeFeaturizer(recipe.featurizer);
    const validation = { X: csrFromRows(data.validation.map((e) => featurizer.transform({ text: e.text })), featurizer.dim), y: Int32Array.from(data.validation, (e) => e.label) };
    const [operator, ...controllers] = community.members;
    const budget = 10_000_000n;
    const coordinator = runCoordinator({ node: node.url, signer: operator!.signer, task: 't1', recipe, rounds: 2, budget, controllers: n, validation, noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 3000 });
    const reports = await Promise.all(controllers.map((c, k) =>
      runController({ node: node!.url, signer: c.signer, task: 't1', examples: data.shards[k]!, behaviour: k === 0 ? 'dropout' : k === 1 ? 'noise' : 'honest', dropRound: 1, pollMs: 20, timeoutMs: 30_000 })));
    const result = await coordinator;
    expect(reports[0]!.droppedOut).toBe(true);
    expect(result.rounds[0]!.dropped).toContain(controllers[0]!.did);
    // Round 2: the dropout never comes back; a group left with fewer than 3 keys is not unmasked.
    expect(result.rounds[1]!.included).not.toContain(controllers[0]!.did);
    expect(result.rounds[1]!.included.length).toBeGreaterThanOrEqual(3);
    const state = node.engine.state;
    const task = state.fl.get('t1')!;
    expect(task.completed).toBe(2);
    expect(task.finished).toBe(true);
    expect(conservation(state.ledger).ok).toBe(true);
    expect(balanceOf(state.ledger, operator!.did)).toBe(1_000_000_000n - task.paid);
    expect(task.paid).toBe(result.paid);
    const replayed = await replayLog(node.engine.store);
    expect(stateHash(replayed.state)).toBe(stateHash(state));
    // The relay serves the round in progress only: a completed round's messages are in the log, not in the node's memory.
    const history = await fetch(`${node.url}/v1/fl/tasks/t1/messages?round=2&group=0&stage=keys`).then((r) => r.json() as Promise<{ messages: unknown[] }>);
    expect(history.messages).toEqual([]);
    const logged = await node.engine.store.readByType('fl.update', 0, 1000);
    const updates = logged.map((row) => decode<SignedEvent>(row.bytes).payload as { round: number; body: { stage: string; next?: unknown } });
    expect(updates.some((p) => p.round === 2)).toBe(true);
    // Round 2's keys came with round 1's unmasks: no keys message of its own in round 2 from those controllers.
    const unmasks = updates.filter((p) => p.round === 1 && p.body.stage === 'unmask');
    expect(unmasks.length).toBeGreaterThanOrEqual(3);
    expect(unmasks.every((p) => p.body.next !== undefined)).toBe(true);
    expect(updates.filter((p) => p.round === 2 && p.body.stage === 'keys')).toHaveLength(0);
    // A wait can carry the model's bytes, which hash to the blob id it names.
    const withModel = await fetch(`${node.url}/v1/fl/tasks/t1/wait?for=completed&round=1&include=model&waitMs=0`).then((r) => r.json() as Promise<{ model: string; modelData: string }>);
    expect(withModel.model).toBe(task.modelBlobs[2]);
    expect(`sha256-${createHash('sha256').update(Buffer.from(withModel.modelData, 'base64')).digest('hex')}`).toBe(withModel.model);

    // The federated model trades: committed by its Poseidon hash, it shows on the leaderboard.
    const fl = new FederatedStrategy('federated', recipe.featurizer, result.model);
    const engine = await Engine.open({ dir: join(node.dir, 'market') });
    try {
      const bootstrap: LabeledExample[] = [{ round: 0, item: 'b0', outcomes: 2, input: { text: 'public' }, label: 0 }];
      const w = await DemoWorld.create(engine, { seed: 1, community: 'fl-market', subsidyPerItem: units(10), budget: units(1000), bankroll: units(1000), rule: DEFAULT_BANKROLL, bootstrap, strategies: [fl] });
      const items = data.test.slice(0, 6).map((e, i) => ({ id: `r1-${i}`, outcomes: 2, input: { text: e.text.slice(0, 2000) } }));
      const set = { round: 1, items, labels: new Map(items.map((it, i) => [it.id, data.test[i]!.label])) };
      await w.schedule(set);
      await w.open(1);
      await w.trade(1);
      await w.closeAndReveal(1);
      await w.resolve(set);
      await w.settle(1);
      const hash = (await fl.train([], { round: 1, classes: 2 })).modelHash;
      expect(engine.state.models.has(hash)).toBe(true);
      const row = leaderboardView(engine.state).find((r) => r.hash === hash)!;
      expect(row.itemsTraded).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  }, 90_000);

  it('does not release a group left with fewer survivors than minSurvivors, and goes on without it', async () => {
    const n = 6;
    const community = makeTestCommunity({ members: n + 1, id: 'fl-floor' });
    node = await startTestNode();
    expect((await postEvent(node.url, community.genesis)).status).toBe(202);
    // One group of six, every sum released only with at least five survivors; two controllers leave after their shares.
    const recipe = smallRecipe({ groups: 1, minSurvivors: 5 });
    const data = flShards(n, 20);
    const featurizer = makeFeaturizer(recipe.featurizer);
    const validation = { X: csrFromRows(data.validation.map((e) => featurizer.transform({ text: e.text })), featurizer.dim), y: Int32Array.from(data.validation, (e) => e.label) };
    const [operator, ...controllers] = community.members;
    const coordinator = runCoordinator({ node: node.url, signer: operator!.signer, task: 'floor', recipe, rounds: 2, budget: 1_000_000n, controllers: n, validation, noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 1500 });
    const reports = await Promise.all(controllers.map((c, k) =>
      runController({ node: node!.url, signer: c.signer, task: 'floor', examples: data.shards[k]!, behaviour: k < 2 ? 'dropout' : 'honest', dropRound: 1, timeoutMs: 30_000 })));
    const result = await coordinator;
    // Round 1: four masked inputs, below the floor; round 2: four key senders, a session too small for it.
    expect(result.rounds.map((r) => r.included)).toEqual([[], []]);
    expect(reports.filter((r) => !r.droppedOut).every((r) => r.rounds.length === 0)).toBe(true);
    const state = node.engine.state;
    const task = state.fl.get('floor')!;
    expect(task.completed).toBe(2);
    expect(task.finished).toBe(true);
    expect(task.paid).toBe(0n);
    expect(balanceOf(state.ledger, operator!.did)).toBe(1_000_000_000n);
    expect(conservation(state.ledger).ok).toBe(true);
    // The task records the fewest survivors a released sum can have: the figure its ε rests on.
    const logged = await node.engine.store.readByType('fl.task', 0, 10);
    expect((decode<SignedEvent>(logged[0]!.bytes).payload as { secureAggregation: { threshold: number } }).secureAggregation.threshold).toBe(5);
    const replayed = await replayLog(node.engine.store);
    expect(stateHash(replayed.state)).toBe(stateHash(state));
  }, 60_000);

  it('refuses a recipe whose floor no group can reach, before anything is logged', async () => {
    const community = makeTestCommunity({ members: 2, id: 'fl-unreachable' });
    node = await startTestNode();
    await postEvent(node.url, community.genesis);
    const recipe = smallRecipe({ groups: 2, minSurvivors: 9 });
    const validation = { X: csrFromRows([], makeFeaturizer(recipe.featurizer).dim), y: new Int32Array(0) };
    await expect(runCoordinator({ node: node.url, signer: community.members[0]!.signer, task: 'nope', recipe, rounds: 1, budget: 1000n, controllers: 10, validation, noiseMultiplier: 1, delta: 1e-5 }))
      .rejects.toThrow(/minSurvivors: expected at most the smallest group \(5 controllers\), got 9/);
    expect(node.engine.state.fl.size).toBe(0);
  });
});
