import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceService } from './inference-service.js';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { randomLogReg } from '../../test/support/test-models.js';
import { modelHashOf } from '../ml/artifact.js';
import { verifyPrediction } from '../zk/predict.js';
import { terminateCurve } from '../zk/curve.js';
import { GameHarness } from '../../test/support/harness.js';
import type { ModelArtifact } from '../ml/artifact-types.js';

const N = 8;
const strong: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 31 }), name: 'strong' };
const weak: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 32 }), name: 'weak' };
const features = [3, 0, 7, 1, 0, 2, 5, 4];
let node: TestNode;
let service: InferenceService;

beforeAll(async () => {
  service = await InferenceService.create([strong, weak]);
  node = await startTestNode({ models: service });
}, 300_000);
afterAll(async () => {
  await node?.cleanup();
  await terminateCurve();
});

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${node.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1/predict', () => {
  it('answers with the requested model, and with a proof that verifies offline when asked', async () => {
    const hash = await modelHashOf(weak);
    const plain = await post({ input: { features }, model: hash });
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ modelHash: hash, model: 'weak', route: 'requested' });
    const proven = await post({ input: { features }, model: hash, prove: true });
    expect(proven.status).toBe(200);
    expect(proven.json.predictedClass).toBe(plain.json.predictedClass);
    const check = await verifyPrediction(proven.json as never, { modelHash: hash });
    expect(check.valid).toBe(true);
  }, 300_000);

  it('routes to the best-ranked model it serves on the leaderboard', async () => {
    const h = new GameHarness();
    await h.create({ members: ['alice', 'bob'] });
    const strongHash = await modelHashOf(strong);
    const weakHash = await modelHashOf(weak);
    await h.run('alice', 'model.commit', { modelHash: weakHash, architecture: 'lr', name: 'weak' });
    await h.run('bob', 'model.commit', { modelHash: strongHash, architecture: 'lr', name: 'strong' });
    h.state.leaderboard.get(strongHash)!.pnl = 50n;
    h.state.leaderboard.get(weakHash)!.pnl = -5n;
    expect(service.route(h.state).held.artifact.name).toBe('strong');
    h.state.leaderboard.get(weakHash)!.pnl = 500n;
    expect(service.route(h.state)).toMatchObject({ rule: 'leaderboard', held: { artifact: { name: 'weak' } } });
  });

  it('rejects an unknown model and a malformed body with 4xx', async () => {
    expect((await post({ input: { features }, model: '0xdead' })).json).toMatchObject({ code: 'predict.unknownModel' });
    const bad = await post({ input: { pixels: [1] } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('predict.invalidBody');
  });
});
