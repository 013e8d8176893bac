import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceService } from '../node/inference-service.js';
import { factsFromState } from '../engine/served-facts.js';
import { buildModelCircuit } from '../zk/inference.js';
import { terminateCurve } from '../zk/curve.js';
import { verifyServedAnswer, type ServedAnswer } from '../zk/served-answer.js';
import { modelHashOf } from '../ml/artifact.js';
import { zkKeyId } from '../statement/key-id.js';
import { GameHarness } from '../../test/support/harness.js';
import { startTestNode, type TestNode } from '../../test/support/test-node.js';
import { randomLogReg } from '../../test/support/test-models.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { openMarket } from '../game/exchange.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from './commands/zk.js';
import { runRegistered } from '../../test/support/cli.js';

const N = 6;
const strong: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 41 }), name: 'strong' };
const weak: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 42 }), name: 'weak' };
const features = [3, 0, 7, 1, 0, 2];
const h = new GameHarness();
let service: InferenceService;
let answer: ServedAnswer;

/**
 * Models are committed with real events (zk.vkey + model.commit); the settled round's P&L and
 * market are written into the state directly — what settlement would leave — to keep this fast.
 */
beforeAll(async () => {
  service = await InferenceService.create([strong, weak]);
  const mc = await buildModelCircuit(strong, { binding: 'hash', items: 1 });
  const key = { vkey: mc.setup.vkey, layout: mc.layout };
  await h.create({ members: ['alice', 'bob'] });
  await h.run('admin', 'zk.vkey', key);
  for (const [who, a] of [['alice', strong], ['bob', weak]] as const) {
    await h.run(who, 'model.commit', { modelHash: await modelHashOf(a), architecture: 'logreg-6', name: a.name, vkey: zkKeyId(key) });
  }
  await h.scheduleRound(1);
  const r = h.state.rounds.get(1)!;
  r.phase = 'settled';
  r.markets.set('item-1', openMarket('item-1', 2, 10_000_000n));
  const pnl = { [await modelHashOf(strong)]: 4_000_000n, [await modelHashOf(weak)]: -2_500_000n };
  for (const [hash, v] of Object.entries(pnl)) h.state.leaderboard.set(hash, { ...emptyStatsFor(hash), pnl: v, history: new Map([[1, { pnl: v, items: 1 }]]) });
  answer = await service.serve(h.state, { input: { features }, prove: false, serve: 'blend', temper: 0.5 }, 'blend');
}, 600_000);
afterAll(terminateCurve);

function emptyStatsFor(hash: string) {
  return { hash, pnl: 0n, cost: 0n, payout: 0n, itemsTraded: 0, scoredItems: 0, logLossSum: 0n, brierSum: 0n, calibration: Array.from({ length: 10 }, () => [0, 0] as [number, number]), history: new Map() };
}

describe('verifiable served answer', () => {
  it('the blend carries every component proof and weights from settled P&L, and verifies against the log', async () => {
    expect(answer.components).toHaveLength(2);
    expect(answer.asOfRound).toBe(1);
    const strongLine = answer.lines.find((l) => l.pnl === '4000000')!;
    expect(strongLine.weight).toBeGreaterThan(0.5);
    expect(await verifyServedAnswer(answer)).toMatchObject({ valid: true, proofs: 2, checkedAgainstLog: false });
    expect(await verifyServedAnswer(answer, factsFromState(h.state))).toMatchObject({ valid: true, proofs: 2, checkedAgainstLog: true });
  });

  it('rejects an altered blend weight, an altered component score, an altered proof — each on its own', async () => {
    const w = structuredClone(answer);
    w.lines[0]!.weight = Math.min(1, w.lines[0]!.weight + 0.01);
    expect(await verifyServedAnswer(w)).toMatchObject({ valid: false, reason: 'served.weightMismatch' });
    const s = structuredClone(answer);
    s.components[1]!.scores[0] = (BigInt(s.components[1]!.scores[0]!) + 1n).toString();
    expect(await verifyServedAnswer(s)).toMatchObject({ valid: false, reason: 'zk.claimMismatch' });
    const p = structuredClone(answer);
    p.components[0]!.proof.pi_a[0] = (BigInt(p.components[0]!.proof.pi_a[0]!) + 1n).toString();
    expect((await verifyServedAnswer(p)).valid).toBe(false);
    const b = structuredClone(answer);
    b.probabilities = b.probabilities.map((v, k) => (k === 0 ? v + 0.001 : v - 0.001));
    expect(await verifyServedAnswer(b)).toMatchObject({ valid: false, reason: 'served.blendMismatch' });
  });

  it('against the log: refuses P&L that is not the log\'s, and a model that was never committed', async () => {
    const pnl = structuredClone(answer);
    pnl.lines[1]!.pnl = '9000000';
    pnl.lines[1]!.weight = 0; // even a self-consistent rewrite is caught by the log check first
    expect(await verifyServedAnswer(pnl, factsFromState(h.state))).toMatchObject({ valid: false, reason: 'served.logMismatch' });
    const other = new GameHarness();
    await other.create();
    expect(await verifyServedAnswer(answer, factsFromState(other.state))).toMatchObject({ valid: false, reason: 'served.logMismatch' });
  });

  it('leader: one proven component, the line with the highest P&L', async () => {
    const leader = await service.serve(h.state, { input: { features }, prove: false, serve: 'leader', temper: 0.1 }, 'leader');
    expect(leader.components.map((c) => c.name)).toEqual(['strong']);
    expect(await verifyServedAnswer(leader, factsFromState(h.state))).toMatchObject({ valid: true, proofs: 1 });
  });
});

const cli = (args: string[]) => runRegistered(register, args);

describe('hindsight verify on a saved served answer', () => {
  it('accepts it and rejects the one with an altered weight (exit code 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-served-'));
    writeFileSync(join(dir, 'answer.json'), JSON.stringify(answer));
    expect(await cli(['verify', '--proof', join(dir, 'answer.json'), '--json'])).toMatchObject({ valid: true, proofs: 2 });
    const w = structuredClone(answer);
    w.lines[1]!.weight = 0.5;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(w));
    expect(await cli(['verify', '--proof', join(dir, 'bad.json'), '--json'])).toMatchObject({ valid: false, reason: 'served.weightMismatch' });
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });
});

describe('POST /v1/predict serve=blend', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ models: service });
  }, 120_000);
  afterAll(async () => node?.cleanup());
  it('answers 404 served.noModels when none of its models is committed, 400 on a bad serve value', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${node.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect(await post({ input: { features }, serve: 'blend' })).toMatchObject({ status: 404, json: { code: 'served.noModels' } });
    expect(await post({ input: { features }, serve: 'median' })).toMatchObject({ status: 400, json: { code: 'predict.invalidBody' } });
    const dir = mkdtempSync(join(tmpdir(), 'hs-served-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ features }));
    await expect(cli(['predict', '--node', node.url, '--input', join(dir, 'x.json'), '--json'])).rejects.toMatchObject({ code: 'node.badResponse', message: expect.stringMatching(/404 served.noModels/) });
  });
});
