import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { canonicalDid } from '../events/did.js';
import { signEvent } from '../events/sign.js';
import { pseudoModelHash } from '../statement/index.js';
import { terminateCurve } from '../zk/curve.js';
import { testKey, units } from '../../test/support/harness.js';
import { EmbeddedClient } from './embedded-client.js';
import { Operator } from './operator.js';
import { PublicHistory, type LabeledExample } from './operator-history.js';
import type { ModelStrategy } from './operator-strategy.js';
import { MlStrategy } from './operators/ml-strategy.js';

/**
 * An SDK operator with a plain MlStrategy in a sealed community that requires proofs: it publishes
 * its batch key, commits its model with that key and its featurizer, trades the proven beliefs and
 * sends one round batch proof before its reveals; the node featurizes the items' text itself.
 */
const admin = testKey('admin');
const alice = testKey('alice');
const bob = testKey('bob');
const dir = mkdtempSync(join(tmpdir(), 'hindsight-batch-operator-'));
let engine: Engine;
let time = 1_000;

async function submitAdmin(type: string, payload: Record<string, unknown>): Promise<void> {
  const a = engine.state.authors.get(canonicalDid(admin.did));
  await engine.submit(signEvent(admin, { type, community: 'zk-batch', prev: a?.head ?? null, nonce: (a?.nonce ?? 0) + 1, time: time++, payload }));
}

const texts = ['cheap pills now', 'win money fast', 'meeting at noon', 'lunch tomorrow', 'free money pills', 'project notes attached'];
const bootstrap: LabeledExample[] = texts.map((text, i) => ({ round: 0, item: `b${i}`, outcomes: 2, input: { text }, label: i < 2 || i === 4 ? 1 : 0 }));

/** A model that cannot be proven (no artifact): shown as such, and its reveals are refused. */
const guesser: ModelStrategy = {
  name: 'guesser',
  async train() {
    return { modelHash: pseudoModelHash('guesser'), architecture: 'constant', beliefs: async (_r, items) => items.map(() => [0.5, 0.5]) };
  },
};

beforeAll(async () => {
  engine = await Engine.open({ dir });
  await engine.submit(
    signEvent(admin, {
      type: 'community.create',
      community: 'zk-batch',
      prev: null,
      nonce: 1,
      time: time++,
      payload: { name: 'zk-batch', config: { trading: 'sealed', admins: [admin.did], resolver: admin.did, requireProofs: true }, treasury: units(1000), mint: [{ to: alice.did, amount: units(100) }, { to: bob.did, amount: units(100) }] },
    }),
  );
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await terminateCurve();
  rmSync(dir, { recursive: true, force: true });
});

describe('an SDK operator with round batch proofs', () => {
  it('publishes its key, trades proven beliefs, and its one batch proof covers its reveals; a tampered batch is refused with nothing stored', async () => {
    const client = new EmbeddedClient(engine);
    const op = new Operator({ client, signer: alice, strategy: new MlStrategy({ name: 'lr', family: 'logreg', buckets: 16, ngrams: [1], epochs: 5 }), history: new PublicHistory(client, { bootstrap }), proofs: { batchItems: 4 } });
    const unprovable = new Operator({ client, signer: bob, strategy: guesser, history: new PublicHistory(client, { bootstrap }) });

    const tradingDeadline = time + 100_000;
    await submitAdmin('round.schedule', { round: 1, subsidyPerItem: units(10), tradingDeadline, revealDeadline: tradingDeadline + 100_000, seedCommitment: createHash('sha256').update(Buffer.alloc(32)).digest('hex') });
    const items = ['free pills money', 'notes for the meeting', 'win cheap pills', 'lunch at noon', 'money money'];
    await submitAdmin('round.items', { round: 1, items: items.map((text, i) => ({ id: `m${i}`, outcomes: 2, input: { text } })) });

    const commits = await op.prepare(1, time++);
    const record = op.rounds.get(1)!;
    expect(record.kit).toBeDefined();
    expect(commits.map((e) => e.payload)).toEqual([expect.objectContaining({ modelHash: record.model.modelHash, vkey: record.kit!.keyId, featurizer: record.model.artifact!.featurizer })]);
    expect(engine.state.vkeys.get(record.kit!.keyId)?.layout.binding).toBe('fold');
    await op.submit(commits);
    await unprovable.submit(await unprovable.prepare(1, time++));
    expect(unprovable.rounds.get(1)!.kit).toBeUndefined();
    await submitAdmin('round.open', { round: 1 });
    await op.submit(await op.trade(1, time++));
    await unprovable.submit(await unprovable.trade(1, time++));
    time = tradingDeadline;
    await submitAdmin('round.close', { round: 1 });

    const events = await op.reveal(1, time++);
    // 5 items, 4 slots per batch: two batch proofs, then five reveals.
    expect(events.map((e) => e.type)).toEqual(['zk.batch', 'zk.batch', ...items.map(() => 'trade.reveal')]);
    const head = await engine.store.head();
    const { type, community, prev, nonce, time: at, payload } = events[0]!;
    const p = payload as { batch: { scores: string[][] } };
    const bumped = { ...p, batch: { ...p.batch, scores: p.batch.scores.map((row, m) => (m === 0 ? [String(BigInt(row[0]!) + 1n)] : row)) } };
    await expect(engine.submit(signEvent(alice, { type, community, prev, nonce, time: at, payload: bumped }))).rejects.toMatchObject({ code: 'zk.digestMismatch' });
    expect(await engine.store.head()).toBe(head);

    await op.submit(events);
    const round = engine.state.rounds.get(1)!;
    const mine = [...round.sealed.values()].filter((s) => s.model === record.model.modelHash);
    expect(mine).toHaveLength(5);
    for (const s of mine) expect(s.revealed?.trade).toMatchObject({ kind: 'belief', belief: record.beliefs.get(s.item)!.map(BigInt) });
    // The unprovable operator sat the round out: it cannot trade where proofs are required.
    expect(unprovable.rounds.get(1)!.unproven).toBe(true);
    expect(await unprovable.reveal(1, time++)).toEqual([]);
  }, 600_000);
});
