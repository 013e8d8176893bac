import { describe, expect, it } from 'vitest';
import { FlUpdate } from '../events/types/fl.js';
import './fl.js';
import { GameHarness, units } from '../../test/support/harness.js';
import { makeRng } from '../ml/rng.js';
import { encodeUpdate, quantizeUpdate } from '../events/update-codec.js';
import { sha256Bytes } from '../core/encoding.js';
import { seededRandomBytes } from '../crypto/random-bytes.js';
import { SecAggClient } from '../fl/secagg/client.js';
import type { SecAggConfig } from '../fl/secagg/common.js';
import { SecAggServer } from '../fl/secagg/server.js';
import { balanceOf, conservation } from './ledger.js';
import { flState } from './fl.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const P = 17;
const update = (round: number, length = P) => Buffer.from(encodeUpdate(quantizeUpdate('int8', round, new Float64Array(length).fill(0.1), makeRng(round)))).toString('base64');
const task = (extra: Record<string, unknown> = {}) => ({
  task: 'spam-fl',
  architecture: 'logreg-binary',
  initialModel: pseudoModelHash('model-initial-0'),
  parameters: P,
  rounds: 2,
  clientsPerRound: 2,
  clipNorm: 1_000_000,
  noiseMultiplier: 1_100_000,
  delta: '0.00001',
  budget: units(100),
  ...extra,
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/**
 * Runs a real SecAgg session (clients and server of src/fl) and returns each client's fl.update
 * bodies, encoded as an event carries them, in stage order. `afterShares` clients send no masked
 * input or unmask response.
 */
function secAggBodies(config: SecAggConfig, afterShares: number[] = []) {
  const random = seededRandomBytes('fl-events');
  const server = new SecAggServer(config);
  const clients = config.clientIds.map((id) => new SecAggClient(config, id, random));
  const bodies = new Map<number, Record<string, unknown>[]>(config.clientIds.map((id) => [id, []]));
  for (const c of clients) {
    const keys = c.advertise();
    server.receiveKeys(keys);
    bodies.get(c.id)!.push({ stage: 'keys', group: 0, slot: keys.id, publicKey: hex(keys.publicKey) });
  }
  const roster = server.closeKeys();
  for (const c of clients) {
    const msg = c.shareKeys(roster);
    server.receiveShares(msg);
    bodies.get(c.id)!.push({
      stage: 'shares',
      seedCommitment: hex(msg.seedCommitment),
      pairCommitments: msg.pairCommitments.map((p) => ({ partner: p.partner, commitment: hex(p.commitment) })),
      shares: msg.shares.map((s) => ({ to: s.to, ciphertext: b64(s.ciphertext), digests: b64(s.digests) })),
    });
  }
  const inbox = server.closeShares();
  const live = clients.filter((c) => !afterShares.includes(c.id));
  for (const c of live) {
    const msg = c.maskedInput(inbox.get(c.id)!, new Uint32Array(config.vectorLength).fill(c.id));
    server.receiveMasked(msg);
    bodies.get(c.id)!.push({ stage: 'masked', update: b64(encodeUpdate({ kind: 'ring32', round: 1, scaleBits: 20, values: msg.masked })) });
  }
  const survivors = server.closeMasked();
  for (const c of live) {
    const msg = c.unmask(survivors);
    server.receiveUnmask(msg);
    bodies.get(c.id)!.push({
      stage: 'unmask',
      seedShares: msg.seedShares.map((s) => ({ of: s.of, y: hex(s.y) })),
      pairShares: msg.pairShares.map((s) => ({ dealer: s.dealer, partner: s.partner, y: hex(s.y) })),
    });
  }
  return { bodies, result: server.finalize() };
}

async function setup() {
  const h = new GameHarness();
  await h.create({ members: ['op', 'ann', 'ben', 'eve'] });
  await h.run('op', 'fl.task', task());
  await h.run('ann', 'fl.join', { task: 'spam-fl', examples: 40 });
  await h.run('ben', 'fl.join', { task: 'spam-fl', examples: 25 });
  return h;
}

describe('federated-learning events in the game', () => {
  it('runs a task: join, updates, aggregate, pay — conserving money', async () => {
    const h = await setup();
    await h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } });
    await h.run('ben', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } });
    await h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: pseudoModelHash('model-round-1'), included: [h.key('ann').did, h.key('ben').did], dropped: [] });
    await h.run('op', 'fl.pay', { task: 'spam-fl', payments: [{ to: h.key('ann').did, amount: units(60) }, { to: h.key('ben').did, amount: units(40) }] });
    expect(balanceOf(h.state.ledger, h.key('ann').did)).toBe(BigInt(units(1060)));
    expect(balanceOf(h.state.ledger, h.key('op').did)).toBe(BigInt(units(900)));
    expect(conservation(h.state.ledger).ok).toBe(true);
    const t = flState(h.state).get('spam-fl')!;
    expect(t.completed).toBe(1);
    expect(t.models).toEqual([pseudoModelHash('model-initial-0'), pseudoModelHash('model-round-1')]);
  });

  it('rejects stale rounds, replays, wrong shapes, non-participants and overspending with precise errors', async () => {
    const h = await setup();
    await expect(h.run('eve', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } })).rejects.toThrow(/author: expected a controller that joined task spam-fl/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 2, body: { stage: 'plain', update: update(2) } })).rejects.toThrow(/round: expected 1, got 2 \(not open yet\)/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1, P + 1) } })).rejects.toThrow(/update length: expected 17 coordinates, got 18/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(0) } })).rejects.toThrow(/update round: expected 1, got 0/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'keys', group: 0, slot: 1, publicKey: '00'.repeat(32) } })).rejects.toThrow(/body.stage: expected plain/);
    await h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } });
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } })).rejects.toThrow(/fl.update.replay|a stage not yet sent/);
    await expect(h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: pseudoModelHash('model-round-1'), included: [h.key('ben').did], dropped: [] })).rejects.toThrow(/included: expected controllers that sent a plain update/);
    await h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: pseudoModelHash('model-round-1'), included: [h.key('ann').did], dropped: [h.key('ben').did] });
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } })).rejects.toThrow(/round: expected 2, got 1 \(stale\)/);
    await expect(h.run('op', 'fl.pay', { task: 'spam-fl', payments: [{ to: h.key('ann').did, amount: units(101) }] })).rejects.toThrow(/payments: expected at most 100000000 micro-units/);
    await expect(h.run('op', 'fl.pay', { task: 'spam-fl', payments: [{ to: h.key('eve').did, amount: units(1) }] })).rejects.toThrow(/payments.to: expected a controller of task spam-fl/);
    await expect(h.run('ben', 'fl.pay', { task: 'spam-fl', payments: [{ to: h.key('ben').did, amount: units(1) }] })).rejects.toThrow(/author: expected the task operator/);
    await expect(h.run('op', 'fl.task', task())).rejects.toThrow(/task: expected a new task id/);
    await expect(h.run('op', 'fl.task', task({ task: 'x', clipNorm: 1.5 }))).rejects.toThrow();
  });

  it('secure-aggregation tasks enforce the stage order', async () => {
    const h = new GameHarness();
    await h.create({ members: ['op', 'ann'] });
    await h.run('op', 'fl.task', task({ secureAggregation: { threshold: 2, groups: 1 } }));
    await h.run('ann', 'fl.join', { task: 'spam-fl', examples: 10 });
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'masked', update: Buffer.from(encodeUpdate({ kind: 'ring32', round: 1, scaleBits: 20, values: new Uint32Array(P) })).toString('base64') } })).rejects.toThrow(/masked after keys, shares/);
    await h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'keys', group: 0, slot: 1, publicKey: 'ab'.repeat(32) } });
  });

  it("a real SecAgg+ session's messages pass the fl.update schema and the game (schema and protocol cannot drift)", async () => {
    const members = ['op', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const h = new GameHarness();
    await h.create({ members });
    await h.run('op', 'fl.task', task({ clientsPerRound: 6, secureAggregation: { threshold: 3, neighbors: 4, groups: 1 } }));
    for (const m of members.slice(1)) await h.run(m, 'fl.join', { task: 'spam-fl', examples: 10 });
    const config: SecAggConfig = { session: sha256Bytes(new TextEncoder().encode('spam-fl/1/0')), clientIds: [1, 2, 3, 4, 5, 6], threshold: 3, vectorLength: P, neighbors: 4 };
    const { bodies, result } = secAggBodies(config, [6]);
    expect(result.dropped).toEqual([6]);
    expect([...result.sum]).toEqual(new Array(P).fill(1 + 2 + 3 + 4 + 5));
    // Stage by stage, as the clients would post them.
    const names = ['keys', 'shares', 'masked'];
    // An unmask may carry the sender's keys for the next round (its own slot, and not in the last round).
    const next = { group: 0, slot: 1, publicKey: 'ab'.repeat(32) };
    const unmask1 = bodies.get(1)![3]!;
    bodies.get(1)![3] = { ...unmask1, next };
    for (let stage = 0; stage < 4; stage++) {
      if (stage === 3) await expect(h.run('c1', 'fl.update', { task: 'spam-fl', round: 1, body: { ...unmask1, next: { ...next, slot: 2 } } })).rejects.toThrow(/body.next.slot: expected 1 \(this controller's join order\), got 2/);
      for (const [slot, list] of bodies) if (list[stage]) await h.run(`c${slot}`, 'fl.update', { task: 'spam-fl', round: 1, body: list[stage] });
      // The operator closes each stage with the slots that sent it; the next stage is admitted only from those.
      if (stage < 3) await h.run('op', 'fl.stage', { task: 'spam-fl', round: 1, group: 0, stage: names[stage], slots: [...bodies].filter(([, l]) => l[stage]).map(([s]) => s) });
    }
    const did = (slot: number) => h.key(`c${slot}`).did;
    await h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: pseudoModelHash('model-round-1'), included: result.included.map(did), dropped: result.dropped.map(did) });
    // c1's unmask carried its round-2 keys (below): they count as round 2's keys; c2's did not.
    await expect(h.run('op', 'fl.stage', { task: 'spam-fl', round: 2, group: 0, stage: 'keys', slots: [1, 2] })).rejects.toThrow(/slots: expected slots that sent keys in group 0 this round, got 2/);
    await expect(h.run('c1', 'fl.update', { task: 'spam-fl', round: 2, body: { stage: 'keys', group: 0, slot: 1, publicKey: 'cd'.repeat(32) } })).rejects.toThrow(/body.stage: expected a stage not yet sent this round \(keys\)/);
    await h.run('c2', 'fl.update', { task: 'spam-fl', round: 2, body: { stage: 'keys', group: 0, slot: 2, publicKey: 'ef'.repeat(32) } });
    await h.run('op', 'fl.stage', { task: 'spam-fl', round: 2, group: 0, stage: 'keys', slots: [1, 2] });

    // Larger sessions, schema only: SecAgg+ (k = 8 of 40, where each client deals exactly 4 seeds)
    // and the full graph (20 clients, up to 10 seeds dealt), with dropouts.
    for (const [n, neighbors, dropped] of [[40, 8, [3, 17]], [20, undefined, [5]]] as const) {
      const big: SecAggConfig = { session: sha256Bytes(Uint8Array.of(n)), clientIds: Array.from({ length: n }, (_, k) => k + 1), threshold: 4, vectorLength: 4, neighbors };
      for (const body of [...secAggBodies(big, [...dropped]).bodies.values()].flat()) {
        const parsed = FlUpdate.safeParse({ task: 'spam-fl', round: 1, body });
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      }
    }

    // And the schema's own checks on these shapes.
    const shares = bodies.get(1)![1]! as { shares: { ciphertext: string }[] };
    const short = { ...shares, shares: shares.shares.map((s, i) => (i === 0 ? { ...s, ciphertext: s.ciphertext.slice(4) } : s)) };
    expect(FlUpdate.safeParse({ task: 'spam-fl', round: 1, body: short }).error?.issues[0]?.message).toMatch(/expected \d+ bytes \(\d shares\), got \d+/);
    const reversed = { ...shares, shares: [...shares.shares].reverse() };
    expect(FlUpdate.safeParse({ task: 'spam-fl', round: 1, body: reversed }).error?.issues[0]?.message).toMatch(/strictly ascending/);
    const urlSafe = { stage: 'masked', update: 'ab-_' };
    expect(FlUpdate.safeParse({ task: 'spam-fl', round: 1, body: urlSafe }).error?.issues[0]?.message).toMatch(/canonical padded base64 \(A–Z, a–z, 0–9, \+, \//);
    const bigElement = { stage: 'unmask', seedShares: [{ of: 1, y: 'ffffffff' + '00'.repeat(16) }], pairShares: [] };
    expect(FlUpdate.safeParse({ task: 'spam-fl', round: 1, body: bigElement }).error?.issues[0]?.message).toMatch(/each < 67108879/);
  });

  it("refuses next-round keys in a task's last round", async () => {
    const members = ['op', 'c1', 'c2', 'c3', 'c4'];
    const h = new GameHarness();
    await h.create({ members });
    await h.run('op', 'fl.task', task({ rounds: 1, clientsPerRound: 4, secureAggregation: { threshold: 2, groups: 1 } }));
    for (const m of members.slice(1)) await h.run(m, 'fl.join', { task: 'spam-fl', examples: 10 });
    const config: SecAggConfig = { session: sha256Bytes(Uint8Array.of(1)), clientIds: [1, 2, 3, 4], threshold: 2, vectorLength: P };
    const { bodies } = secAggBodies(config);
    const names = ['keys', 'shares', 'masked'];
    for (let stage = 0; stage < 3; stage++) {
      for (const [slot, list] of bodies) await h.run(`c${slot}`, 'fl.update', { task: 'spam-fl', round: 1, body: list[stage] });
      await h.run('op', 'fl.stage', { task: 'spam-fl', round: 1, group: 0, stage: names[stage], slots: [1, 2, 3, 4] });
    }
    const body = { ...bodies.get(1)![3]!, next: { group: 0, slot: 1, publicKey: 'ab'.repeat(32) } };
    await expect(h.run('c1', 'fl.update', { task: 'spam-fl', round: 1, body })).rejects.toThrow(/body.next: expected no next-round keys in the task's last round \(1\), got "keys for round 2"/);
    await h.run('c1', 'fl.update', { task: 'spam-fl', round: 1, body: bodies.get(1)![3]! });
  });
});
