import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InferenceService } from '../node/inference-service.js';
import { factsFromState } from '../engine/served-facts.js';
import { buildModelCircuit } from '../zk/inference.js';
import { terminateCurve } from '../zk/curve.js';
import { integerInput, predict } from '../zk/predict.js';
import { verifyServedAnswer, type ServedAnswer } from '../zk/served-answer.js';
import { modelHashOf } from '../ml/artifact.js';
import { zkKeyId } from '../statement/key-id.js';
import { GameHarness } from '../../test/support/harness.js';
import { startTestNode, postJson, type TestNode } from '../../test/support/test-node.js';
import { makeTestCommunity } from '../../test/support/test-community.js';
import { randomLogReg } from '../../test/support/test-models.js';
import type { FeaturizerSpec, ModelArtifact } from '../ml/artifact-types.js';
import { openMarket } from '../game/exchange.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from './commands/zk.js';
import { runRegistered } from '../../test/support/cli.js';

/**
 * Text models: 6 hashed unigram buckets (binary) is one small circuit shared by both models, so
 * the file builds one setup (cached by circuit). `bigrams` has the same width and input range, so
 * it proves on the same circuit: a node holding the same weights under another featurizer.
 */
const N = 6;
const unigrams: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: N, ngrams: [1], lowercase: true, transform: 'binary' };
const bigrams: FeaturizerSpec = { ...unigrams, ngrams: [1, 2] };
const strong: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 41, featurizer: unigrams }), name: 'strong' };
const weak: ModelArtifact = { ...randomLogReg(N, 2, true, { seed: 42, featurizer: unigrams }), name: 'weak' };
const asked = 'Cheap pills: win money now';
const h = new GameHarness();
let service: InferenceService;
let answer: ServedAnswer;

/**
 * Models are committed with real events (zk.vkey + model.commit with their featurizer); the
 * settled round's P&L and market are written into the state directly — what settlement would
 * leave — to keep this fast.
 */
beforeAll(async () => {
  service = await InferenceService.create([strong, weak]);
  const mc = await buildModelCircuit(strong, { binding: 'hash', items: 1 });
  const key = { vkey: mc.setup.vkey, layout: mc.layout };
  await h.create({ members: ['alice', 'bob'] });
  await h.run('admin', 'zk.vkey', key);
  for (const [who, a] of [['alice', strong], ['bob', weak]] as const) {
    await h.run(who, 'model.commit', { modelHash: await modelHashOf(a), architecture: 'logreg-6', name: a.name, vkey: zkKeyId(key), featurizer: unigrams });
  }
  await h.scheduleRound(1);
  const r = h.state.rounds.get(1)!;
  r.phase = 'settled';
  r.markets.set('item-1', openMarket('item-1', 2, 10_000_000n));
  const pnl = { [await modelHashOf(strong)]: 4_000_000n, [await modelHashOf(weak)]: -2_500_000n };
  for (const [hash, v] of Object.entries(pnl)) h.state.leaderboard.set(hash, { ...emptyStatsFor(hash), pnl: v, history: new Map([[1, { pnl: v, items: 1 }]]) });
  answer = await service.serve(h.state, { input: { text: asked }, prove: false, serve: 'blend', temper: 0.5 }, 'blend');
}, 600_000);
afterAll(terminateCurve);

function emptyStatsFor(hash: string) {
  return { hash, pnl: 0n, cost: 0n, payout: 0n, itemsTraded: 0, scoredItems: 0, logLossSum: 0n, brierSum: 0n, calibration: Array.from({ length: 10 }, () => [0, 0] as [number, number]), history: new Map() };
}

const features = (text: string) => integerInput(strong, { text }).join();

describe('verifiable served answer', () => {
  it('the blend carries the asked text, every component proof and weights from settled P&L, and verifies against the log', async () => {
    expect(answer.format).toBe('hindsight-served/2');
    expect(answer.input).toEqual({ text: asked });
    expect(answer.components).toHaveLength(2);
    expect(answer.components.map((c) => c.featurizer)).toEqual([unigrams, unigrams]);
    expect(answer.components[0]!.x).toEqual(integerInput(strong, { text: asked }).map(String));
    expect(answer.asOfRound).toBe(1);
    const strongLine = answer.lines.find((l) => l.pnl === '4000000')!;
    expect(strongLine.weight).toBeGreaterThan(0.5);
    expect(await verifyServedAnswer(answer)).toMatchObject({ valid: true, proofs: 2, checkedAgainstLog: false });
    expect(await verifyServedAnswer(answer, factsFromState(h.state), { input: { text: asked } })).toMatchObject({ valid: true, proofs: 2, checkedAgainstLog: true });
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

  it('refuses an answer about other text: its text changed, or not the text the client asked about', async () => {
    const other = 'meeting notes for lunch';
    expect(features(other)).not.toBe(features(asked));
    const t = structuredClone(answer);
    t.input = { text: other };
    expect(await verifyServedAnswer(t)).toMatchObject({ valid: false, reason: 'served.inputMismatch', message: expect.stringMatching(/^components\[0\]\.x\[\d\]: expected \d+ \(the answer's text "meeting notes for lunch" through hashed-ngrams 6 buckets, ngrams 1/) });
    expect(await verifyServedAnswer(answer, undefined, { input: { text: other } })).toMatchObject({ valid: false, reason: 'served.inputMismatch', message: expect.stringMatching(/^input: expected the item you asked about \(text "meeting notes for lunch"\), got an answer about text "Cheap pills/) });
    const x = structuredClone(answer);
    x.components[1]!.x[0] = x.components[1]!.x[0] === '0' ? '64' : '0';
    expect(await verifyServedAnswer(x)).toMatchObject({ valid: false, reason: 'served.inputMismatch', message: expect.stringMatching(/^components\[1\]\.x\[0\]/) });
    const f = structuredClone(answer);
    f.input = { features: [1, 0, 0, 0, 0, 1] };
    expect(await verifyServedAnswer(f)).toMatchObject({ valid: false, reason: 'served.inputMismatch', message: expect.stringMatching(/text: expected a string/) });
    expect(await verifyServedAnswer({ ...answer, format: 'hindsight-served/1' })).toMatchObject({ valid: false, reason: 'served.invalidAnswer', message: expect.stringMatching(/expected hindsight-served\/2/) });
  });

  it('refuses a component proven under another featurizer than the committed one, and the node leaves such a model out', async () => {
    const strongBigrams: ModelArtifact = { ...strong, featurizer: bigrams };
    expect(integerInput(strongBigrams, { text: asked }).join()).not.toBe(features(asked));
    const r = await predict(strongBigrams, { text: asked }, { prove: true });
    const i = answer.components.findIndex((c) => c.name === 'strong');
    const swap = (featurizer: FeaturizerSpec) => {
      const a = structuredClone(answer);
      a.components[i] = { ...a.components[i]!, featurizer, x: r.x, scores: r.scores, probabilities: r.probabilities, proof: r.proof!, publicSignals: r.publicSignals! };
      return a;
    };
    // stating the committed featurizer: its x is not the featurization of the text under it
    expect(await verifyServedAnswer(swap(unigrams))).toMatchObject({ valid: false, reason: 'served.inputMismatch' });
    // stating the one it used: consistent on its own, but not the featurizer the log committed
    expect(await verifyServedAnswer(swap(bigrams), factsFromState(h.state))).toMatchObject({ valid: false, reason: 'served.featurizerMismatch', message: expect.stringMatching(/expected the featurizer committed with the model \(hashed-ngrams 6 buckets, ngrams 1,/) });
    const node = await InferenceService.create([strongBigrams, weak]);
    const served = await node.serve(h.state, { input: { text: asked }, prove: false, serve: 'leader', temper: 0.1 }, 'leader');
    expect(served.lines.map((l) => l.modelHash)).toEqual([await modelHashOf(weak)]);
    expect(await verifyServedAnswer(served, factsFromState(h.state))).toMatchObject({ valid: true, proofs: 1 });
  });

  it('property: any text whose features differ from the asked text\'s fails verification; equal features verify', async () => {
    const words = ['cheap', 'PILLS', 'win', 'money', 'now', 'lunch', 'notes', '!', '$', 'Money'];
    const mutated = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.array(fc.constantFrom(...words), { maxLength: 8 }).map((w) => w.join(' ')),
      fc.tuple(fc.nat(asked.length), fc.constantFrom('', ' ', ',', 'x', 'PILLS ', ':-)')).map(([at, s]) => asked.slice(0, at) + s + asked.slice(at + 1)),
      fc.constantFrom(asked.toUpperCase(), asked.replace(/:/g, ' '), 'now money win pills cheap'),
    );
    const facts = factsFromState(h.state);
    let same = 0, differ = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        const t = structuredClone(answer);
        t.input = { text };
        const check = await verifyServedAnswer(t, facts);
        if (features(text) === features(asked)) {
          same++;
          expect(check).toMatchObject({ valid: true });
        } else {
          differ++;
          expect(check).toMatchObject({ valid: false, reason: 'served.inputMismatch' });
        }
      }),
      { numRuns: 60, seed: 18 },
    );
    expect(same).toBeGreaterThan(0);
    expect(differ).toBeGreaterThan(0);
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
    const leader = await service.serve(h.state, { input: { text: asked }, prove: false, serve: 'leader', temper: 0.1 }, 'leader');
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
  const post = async (body: unknown) => {
    const res = await fetch(`${node.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('answers 404 served.noModels when none of its models is committed, 400 on a bad serve value', async () => {
    expect(await post({ input: { text: asked }, serve: 'blend' })).toMatchObject({ status: 404, json: { code: 'served.noModels' } });
    expect(await post({ input: { text: asked }, serve: 'median' })).toMatchObject({ status: 400, json: { code: 'predict.invalidBody' } });
    const dir = mkdtempSync(join(tmpdir(), 'hs-served-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ text: asked }));
    await expect(cli(['predict', '--node', node.url, '--input', join(dir, 'x.json'), '--json'])).rejects.toMatchObject({ code: 'node.badResponse', message: expect.stringMatching(/404 served.noModels/) });
  });

  it('from the command line: predict --node, then verify --node --input checks every proof against the text asked and the node\'s log', async () => {
    const c = makeTestCommunity({ members: 2 });
    const mc = await buildModelCircuit(strong, { binding: 'hash', items: 1 });
    const key = { vkey: mc.setup.vkey, layout: mc.layout };
    const events = [c.genesis, c.admin.next('zk.vkey', key)];
    for (const [m, a] of [[c.members[0]!, strong], [c.members[1]!, weak]] as const) {
      events.push(m.next('model.commit', { modelHash: await modelHashOf(a), architecture: 'logreg-6', name: a.name, vkey: zkKeyId(key), featurizer: unigrams }));
    }
    for (const e of events) expect((await postJson(`${node.url}/v1/events`, e)).status).toBe(202);
    const dir = mkdtempSync(join(tmpdir(), 'hs-served-'));
    writeFileSync(join(dir, 'asked.json'), JSON.stringify({ text: asked }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ text: 'lunch at noon' }));
    // leader: one proof keeps this cheap; the blend's checks are the same per component (above)
    const served = await cli(['predict', '--node', node.url, '--serve', 'leader', '--input', join(dir, 'asked.json'), '--out', join(dir, 'answer.json'), '--json']);
    expect(served).toMatchObject({ format: 'hindsight-served/2', rule: 'leader', input: { text: asked }, asOfRound: 0 });
    expect(JSON.parse(readFileSync(join(dir, 'answer.json'), 'utf8'))).toEqual(served);
    const verify = (input: string) => cli(['verify', '--proof', join(dir, 'answer.json'), '--node', node.url, '--input', join(dir, input), '--json']);
    expect(await verify('asked.json')).toMatchObject({ valid: true, proofs: 1, checkedAgainstLog: true });
    expect(await verify('other.json')).toMatchObject({ valid: false, reason: 'served.inputMismatch' });
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  }, 120_000);
});
