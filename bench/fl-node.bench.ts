/**
 * `hindsight bench fl-node`: one FedAvg round with SecAgg over a node (HTTP loopback, every message
 * a signed event through the relay) against the same round's SecAgg session run in process.
 * Controllers here are async tasks of this process, each with its own HTTP connection and event
 * chain (not worker threads or processes: on a 2-core machine these would only add scheduling).
 */
import { startTestNode } from '../test/support/test-node.js';
import { makeTestCommunity } from '../test/support/test-community.js';
import { flShards, smallRecipe } from '../test/support/fl-fixture.js';
import { makeFeaturizer } from '../src/ml/features/featurizer.js';
import { csrFromRows } from '../src/ml/features/sparse.js';
import { runCoordinator } from '../src/sdk/fl-coordinator.js';
import { runController } from '../src/sdk/fl-controller.js';
import { runSecAggSession } from '../src/fl/secagg/session.js';
import { sessionConfig } from '../src/fl/net/protocol.js';
import { seededRandomBytes } from '../src/crypto/random-bytes.js';

import type { BenchOptions } from './bench-types.js';

async function overNode(n: number) {
  const community = makeTestCommunity({ members: n + 1, id: `fl-bench-${n}` });
  const node = await startTestNode({ rateLimit: false });
  try {
    await fetch(`${node.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(community.genesis) });
    const recipe = smallRecipe({ groups: 1, neighbors: 14 });
    const data = flShards(n, 8, 100);
    const f = makeFeaturizer(recipe.featurizer);
    const validation = { X: csrFromRows(data.validation.map((e) => f.transform({ text: e.text })), f.dim), y: Int32Array.from(data.validation, (e) => e.label) };
    const [op, ...cs] = community.members;
    const coordinator = runCoordinator({ node: node.url, signer: op!.signer, task: 'b', recipe, rounds: 1, budget: 1_000_000n, controllers: n, validation, noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 60_000, pollMs: 20 });
    const reports = await Promise.all(cs.map((c, k) => runController({ node: node.url, signer: c.signer, task: 'b', examples: data.shards[k]!, pollMs: 20, timeoutMs: 120_000 })));
    const result = await coordinator;
    // Bytes a controller uploads: its events and nothing else (joins included).
    return { roundMs: result.rounds[0]!.ms, bytesPerController: reports.reduce((s, r) => s + r.sentBytes, 0) / n, included: result.rounds[0]!.included.length, recipe };
  } finally {
    await node.cleanup();
  }
}

function inProcess(n: number, recipe: ReturnType<typeof smallRecipe>) {
  const members = Array.from({ length: n }, (_, k) => k + 1);
  const config = sessionConfig('b', 1, 0, members, recipe);
  const inputs = new Map(members.map((m) => [m, new Uint32Array(recipe.dim).fill(m)]));
  const t0 = performance.now();
  const s = runSecAggSession(config, inputs, seededRandomBytes('bench'));
  return { sessionMs: performance.now() - t0, bytesPerClient: s.bytesPerClient };
}

export async function run(options: BenchOptions): Promise<object> {
  const out: Record<string, unknown> = {};
  for (const n of options.quick ? [10] : [10, 100]) {
    const node = await overNode(n);
    inProcess(n, node.recipe); // warm-up
    const local = inProcess(n, node.recipe);
    out[`controllers${n}`] = { overNodeRoundMs: Math.round(node.roundMs), inProcessSecAggMs: Math.round(local.sessionMs), ratio: +(node.roundMs / local.sessionMs).toFixed(2), bytesPerControllerOverNode: Math.round(node.bytesPerController), secaggBytesPerClientInProcess: Math.round(local.bytesPerClient), included: node.included };
  }
  return out;
}
