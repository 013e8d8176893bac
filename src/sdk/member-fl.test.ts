/**
 * A member bot hosting its FL controller: each host joins an open task by itself, takes part until
 * the end and reports once; a host that finds the cohort full stays out. Also the relay's long-poll
 * answers a bad wait with a precise 400.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { postEvent } from '../../test/support/load-driver.js';
import { makeTestCommunity } from '../../test/support/test-community.js';
import { flShards, smallRecipe } from '../../test/support/fl-fixture.js';
import { makeFeaturizer } from '../ml/features/featurizer.js';
import { csrFromRows } from '../ml/features/sparse.js';
import { runCoordinator } from './fl-coordinator.js';
import { MemberFlHost, type FlTaskOutcome } from './member-fl.js';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.cleanup();
  node = undefined;
});

describe('member bots hosting FL controllers', () => {
  it('three hosts join the task by themselves and finish it; a fourth finds the cohort full', async () => {
    const n = 3;
    const community = makeTestCommunity({ members: n + 2, id: 'fl-member' });
    node = await startTestNode();
    expect((await postEvent(node.url, community.genesis)).status).toBe(202);
    const recipe = smallRecipe({ groups: 1 });
    const data = flShards(n + 1, 20);
    const f = makeFeaturizer(recipe.featurizer);
    const validation = { X: csrFromRows(data.validation.map((e) => f.transform({ text: e.text })), f.dim), y: Int32Array.from(data.validation, (e) => e.label) };
    const [operator, ...members] = community.members;
    const hosts = members.map((m, k) => new MemberFlHost({ node: node!.url, signer: m.signer, examples: data.shards[k]!, timeoutMs: 20_000 }));
    const coordinator = runCoordinator({ node: node.url, signer: operator!.signer, task: 'm1', recipe, rounds: 2, budget: 1_000_000n, controllers: n, validation, noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 10_000 });
    let finished = false;
    void coordinator.finally(() => (finished = true)).catch(() => {});
    const outcomes: FlTaskOutcome[][] = hosts.map(() => []);
    // What `member run` does on each tick: look at the log, start controllers for tasks with room.
    // The first three hosts look first; the fourth only once the cohort is complete.
    while (node.engine.state.fl.get('m1')?.controllers.size !== n) {
      hosts.slice(0, n).forEach((h, k) => outcomes[k]!.push(...h.poll(node!.engine.state)));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(hosts[n]!.poll(node.engine.state)).toEqual([]);
    expect(hosts[n]!.active).toEqual([]);
    const result = await coordinator;
    expect(finished).toBe(true);
    for (const [k, h] of hosts.slice(0, n).entries()) outcomes[k]!.push(...(await h.settle()));
    for (const o of outcomes.slice(0, n)) {
      expect(o).toHaveLength(1);
      expect(o[0]).toMatchObject({ task: 'm1', ok: true });
      if (o[0]!.ok) expect(o[0]!.report.rounds).toEqual([1, 2]);
    }
    expect(result.rounds.map((r) => r.included.length)).toEqual([3, 3]);
    // Polling again never restarts a task it already took part in.
    expect(hosts[0]!.poll(node.engine.state)).toEqual([]);
    expect(hosts[0]!.active).toEqual([]);
  }, 60_000);

  it('refuses a wait without the fields its condition needs, and an unknown task', async () => {
    const community = makeTestCommunity({ members: 2, id: 'fl-wait' });
    node = await startTestNode();
    await postEvent(node.url, community.genesis);
    const missing = await fetch(`${node.url}/v1/fl/tasks/nope/wait?for=closed&round=1&group=0`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'http.invalidQuery', message: 'query.stage: expected a value when waiting for closed, got none' });
    const bad = await fetch(`${node.url}/v1/fl/tasks/nope/wait?for=soon`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${node.url}/v1/fl/tasks/nope/wait?for=finished&waitMs=0`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'fl.relay.notFound' });
  });
});
