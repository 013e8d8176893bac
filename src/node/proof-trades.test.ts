import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Engine } from '../engine/engine.js';
import { signEvent } from '../events/sign.js';
import { canonicalDid } from '../events/did.js';
import { eventCid, type SignedEvent } from '../events/envelope.js';
import { testKey, units } from '../../test/support/harness.js';
import { beliefFromScores, decodePublicSignals, zkKeyId } from '../statement/index.js';
import { buildModelCircuit, proveInference, type ModelCircuit } from '../zk/inference.js';
import { modelHashOf } from '../ml/artifact.js';
import { randomInputs, randomLogReg, seededRandom } from '../../test/support/test-models.js';
import { terminateCurve } from '../zk/curve.js';
import type { ModelArtifact } from '../ml/artifact-types.js';

const N = 8;
const admin = testKey('admin');
const alice = testKey('alice');
const bob = testKey('bob');
const dir = mkdtempSync(join(tmpdir(), 'hindsight-proofs-'));
let engine: Engine;
let circuit: ModelCircuit;
const modelA = randomLogReg(N, 2, true, { seed: 21 });
const modelB = randomLogReg(N, 2, true, { seed: 22 });
let hashA: string;
let hashB: string;
const rand = seededRandom(5);
const features: number[][] = [];
let time = 1_000;

async function submit(signer: typeof alice, type: string, payload: Record<string, unknown>): Promise<string> {
  const a = engine.state.authors.get(canonicalDid(signer.did));
  const event: SignedEvent = signEvent(signer, { type, community: 'zk', prev: a?.head ?? null, nonce: (a?.nonce ?? 0) + 1, time: time++, payload });
  await engine.submit(event);
  return eventCid(event);
}

beforeAll(async () => {
  circuit = await buildModelCircuit(modelA, { binding: 'public', items: 1 });
  hashA = await modelHashOf(modelA);
  hashB = await modelHashOf(modelB);
  for (let i = 0; i < 3; i++) features.push(randomInputs(rand, N, circuit.layout.input.bits, circuit.layout.input.signed));
  engine = await Engine.open({ dir });
  await engine.submit(
    signEvent(admin, {
      type: 'community.create',
      community: 'zk',
      prev: null,
      nonce: 1,
      time: time++,
      payload: { name: 'zk', config: { trading: 'continuous', admins: [admin.did], resolver: admin.did, requireProofs: true }, treasury: units(1000), mint: [{ to: alice.did, amount: units(100) }, { to: bob.did, amount: units(100) }] },
    }),
  );
  const key = { vkey: circuit.setup.vkey, layout: circuit.layout };
  await submit(admin, 'zk.vkey', key);
  await submit(alice, 'model.commit', { modelHash: hashA, architecture: 'logreg-8', name: 'A', vkey: zkKeyId(key) });
  await submit(bob, 'model.commit', { modelHash: hashB, architecture: 'logreg-8', name: 'B', vkey: zkKeyId(key) });
  await submit(admin, 'round.schedule', { round: 1, subsidyPerItem: units(10), tradingDeadline: time + 100_000, revealDeadline: time + 200_000, seedCommitment: createHash('sha256').update(Buffer.alloc(32)).digest('hex') });
  await submit(admin, 'round.items', { round: 1, items: features.map((f, i) => ({ id: `x${i}`, outcomes: 2, input: { features: f } })) });
  await submit(admin, 'round.open', { round: 1 });
}, 600_000);

afterAll(async () => {
  await engine?.close();
  await terminateCurve();
  rmSync(dir, { recursive: true, force: true });
});

async function provenTrade(model: ModelArtifact, item: number) {
  const proof = await proveInference(circuit, model, [features[item]!]);
  const { scores } = decodePublicSignals(circuit.layout, proof.publicSignals).items[0]!;
  return { proof: { proof: proof.proof, publicSignals: proof.publicSignals }, belief: beliefFromScores(scores, circuit.layout.scaleBits).map(Number) };
}

describe('proof-carrying trades (requireProofs)', () => {
  it('accepts a trade whose belief is the proven output of the committed model on that item', async () => {
    const { proof, belief } = await provenTrade(modelA, 0);
    await submit(alice, 'trade.execute', { round: 1, item: 'x0', model: hashA, trade: { kind: 'belief', belief, maxCost: units(5) }, proof });
    expect(engine.state.rounds.get(1)!.markets.get('x0')!.positions.get(hashA)!.belief!.map(Number)).toEqual(belief);
  });

  it('rejects a trade without a proof, and a proof whose belief, item, model or bytes were changed; nothing is stored', async () => {
    const head = await engine.store.head();
    const trade = (belief: number[]) => ({ kind: 'belief', belief, maxCost: units(5) });
    const { proof, belief } = await provenTrade(modelA, 1);
    await expect(submit(alice, 'trade.execute', { round: 1, item: 'x1', model: hashA, trade: trade(belief) })).rejects.toMatchObject({ code: 'zk.proofRequired' });
    const shift = belief[0]! >= belief[1]! ? -1_000_000 : 1_000_000; // toward the smaller entry: still a valid belief
    const shifted = [belief[0]! + shift, belief[1]! - shift];
    await expect(submit(alice, 'trade.execute', { round: 1, item: 'x1', model: hashA, trade: trade(shifted), proof })).rejects.toMatchObject({ code: 'zk.beliefMismatch' });
    await expect(submit(alice, 'trade.execute', { round: 1, item: 'x2', model: hashA, trade: trade(belief), proof })).rejects.toMatchObject({ code: 'zk.inputMismatch' });
    const asB = await provenTrade(modelA, 2);
    await expect(submit(bob, 'trade.execute', { round: 1, item: 'x2', model: hashB, trade: trade(asB.belief), proof: asB.proof })).rejects.toMatchObject({ code: 'zk.modelMismatch' });
    const [x, y] = proof.proof.pi_a;
    const tampered = { ...proof, proof: { ...proof.proof, pi_a: [y, x, '1'] } };
    await expect(submit(alice, 'trade.execute', { round: 1, item: 'x1', model: hashA, trade: trade(belief), proof: tampered })).rejects.toMatchObject({ code: 'zk.proofInvalid' });
    const signals = [...proof.publicSignals];
    signals[2] = String(BigInt(signals[2]!) + 1n);
    await expect(submit(alice, 'trade.execute', { round: 1, item: 'x1', model: hashA, trade: trade(belief), proof: { ...proof, publicSignals: signals } })).rejects.toMatchObject({ code: 'zk.proofInvalid' });
    expect(await engine.store.head()).toBe(head);
  });
});
