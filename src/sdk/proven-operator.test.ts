import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { canonicalDid } from '../events/did.js';
import { signEvent } from '../events/sign.js';
import { modelHashOf } from '../ml/artifact.js';
import { beliefFromScores, decodePublicSignals, zkKeyId, type ProofKey } from '../statement/index.js';
import { terminateCurve } from '../zk/curve.js';
import { buildModelCircuit, proveInference } from '../zk/inference.js';
import { integerInput } from '../zk/predict.js';
import { testKey, units } from '../../test/support/harness.js';
import { EmbeddedClient } from './embedded-client.js';
import { Operator } from './operator.js';
import { PublicHistory, type LabeledExample } from './operator-history.js';
import { inputForFeaturizer, type ModelStrategy, type PreparedModel, type ProvenBelief } from './operator-strategy.js';
import { MlStrategy } from './operators/ml-strategy.js';

/**
 * End to end: a model trained and committed through the SDK's normal path (Operator + MlStrategy,
 * whose model hash is `modelHashOf(artifact)`) trades sealed beliefs with proofs, and the node —
 * pairing check at intake, statement checks in apply — accepts them in a community that requires
 * proofs. Text items: the proof binds the input by its Poseidon hash; the model is committed with
 * its featurizer, so the node featurizes each item's text itself and checks that hash too.
 */
const admin = testKey('admin');
const alice = testKey('alice');
const dir = mkdtempSync(join(tmpdir(), 'hindsight-proven-operator-'));
let engine: Engine;
let time = 1_000;

async function submitAdmin(type: string, payload: Record<string, unknown>): Promise<void> {
  const a = engine.state.authors.get(canonicalDid(admin.did));
  await engine.submit(signEvent(admin, { type, community: 'zk-sdk', prev: a?.head ?? null, nonce: (a?.nonce ?? 0) + 1, time: time++, payload }));
}

/** An MlStrategy whose beliefs are proven: it builds its model's circuit and proves every item. */
class ProvenMlStrategy implements ModelStrategy {
  readonly name: string;
  key: ProofKey | undefined;

  constructor(private readonly inner: MlStrategy) {
    this.name = inner.name;
  }

  async train(history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel> {
    const model = await this.inner.train(history, context);
    const artifact = model.artifact!;
    const circuit = await buildModelCircuit(artifact, { binding: 'hash', items: 1 });
    const key = { vkey: circuit.setup.vkey, layout: circuit.layout };
    this.key = key;
    const beliefs = async (_round: number, items: readonly { input: LabeledExample['input'] }[]): Promise<ProvenBelief[]> => {
      const out: ProvenBelief[] = [];
      for (const item of items) {
        const x = integerInput(artifact, inputForFeaturizer(item.input));
        const p = await proveInference(circuit, artifact, [x]);
        const { scores } = decodePublicSignals(key.layout, p.publicSignals).items[0]!;
        out.push({ belief: beliefFromScores(scores, key.layout.scaleBits), proof: { proof: p.proof, publicSignals: p.publicSignals } });
      }
      return out;
    };
    return { ...model, vkey: zkKeyId(key), beliefs };
  }
}

const texts = ['cheap pills now', 'win money fast', 'meeting at noon', 'lunch tomorrow', 'free money pills', 'project notes attached'];
const bootstrap: LabeledExample[] = texts.map((text, i) => ({ round: 0, item: `b${i}`, outcomes: 2, input: { text }, label: i < 2 || i === 4 ? 1 : 0 }));

beforeAll(async () => {
  engine = await Engine.open({ dir });
  await engine.submit(
    signEvent(admin, {
      type: 'community.create',
      community: 'zk-sdk',
      prev: null,
      nonce: 1,
      time: time++,
      payload: { name: 'zk-sdk', config: { trading: 'sealed', admins: [admin.did], resolver: admin.did, requireProofs: true }, treasury: units(1000), mint: [{ to: alice.did, amount: units(100) }] },
    }),
  );
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await terminateCurve();
  rmSync(dir, { recursive: true, force: true });
});

describe('an SDK operator trading with proofs', () => {
  it('commits its model by the Poseidon hash its proofs carry, and its proven sealed trades are accepted', async () => {
    const client = new EmbeddedClient(engine);
    const strategy = new ProvenMlStrategy(new MlStrategy({ name: 'proven-lr', family: 'logreg', buckets: 16, ngrams: [1], epochs: 5 }));
    const op = new Operator({ client, signer: alice, strategy, history: new PublicHistory(client, { bootstrap }) });

    const tradingDeadline = time + 100_000;
    await submitAdmin('round.schedule', { round: 1, subsidyPerItem: units(10), tradingDeadline, revealDeadline: tradingDeadline + 100_000, seedCommitment: createHash('sha256').update(Buffer.alloc(32)).digest('hex') });
    await submitAdmin('round.items', { round: 1, items: [{ id: 'm1', outcomes: 2, input: { text: 'free pills money' } }, { id: 'm2', outcomes: 2, input: { text: 'notes for the meeting' } }] });

    const commits = await op.prepare(1, time++);
    const prepared = op.rounds.get(1)!.model;
    // The SDK's model hash is the artifact's Poseidon commitment: what `ml train` prints and proofs carry.
    expect(prepared.modelHash).toBe(await modelHashOf(prepared.artifact!));
    expect(commits.map((e) => e.payload)).toEqual([{ modelHash: prepared.modelHash, architecture: prepared.architecture, name: 'proven-lr', vkey: zkKeyId(strategy.key!), featurizer: prepared.artifact!.featurizer }]);
    await submitAdmin('zk.vkey', strategy.key!);
    await op.submit(commits);
    await submitAdmin('round.open', { round: 1 });

    const trades = await op.trade(1, time++);
    expect(trades).toHaveLength(2);
    await op.submit(trades);
    time = tradingDeadline;
    await submitAdmin('round.close', { round: 1 });
    const reveals = await op.reveal(1, time++);
    expect(reveals.every((e) => (e.payload as { proof?: unknown }).proof !== undefined)).toBe(true);
    // The node does check the proof: the same reveal with one proven score changed is refused.
    const { type, community, prev, nonce, time: at, payload } = reveals[0]!;
    const proof = (payload as { proof: ProvenBelief['proof'] }).proof;
    const bumped = proof.publicSignals.map((v, i) => (i === 2 ? String(BigInt(v) + 1n) : v));
    const forged = signEvent(alice, { type, community, prev, nonce, time: at, payload: { ...payload, proof: { ...proof, publicSignals: bumped } } });
    await expect(engine.submit(forged)).rejects.toMatchObject({ code: 'zk.proofInvalid' });
    await op.submit(reveals);

    const round = engine.state.rounds.get(1)!;
    const sealed = [...round.sealed.values()];
    expect(sealed.map((s) => s.model)).toEqual([prepared.modelHash, prepared.modelHash]);
    for (const s of sealed) {
      expect(s.revealed).not.toBeNull();
      const trade = s.revealed!.trade;
      expect(trade.kind === 'belief' && trade.belief).toEqual(op.rounds.get(1)!.beliefs.get(s.item)!.map(BigInt));
    }
  }, 600_000);
});
