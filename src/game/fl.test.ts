import { describe, expect, it } from 'vitest';
import '../events/types/fl.js';
import './fl.js';
import { GameHarness, units } from '../testing/harness.js';
import { makeRng } from '../ml/rng.js';
import { encodeUpdate, quantizeUpdate } from '../fl/update-codec.js';
import { balanceOf, conservation } from './ledger.js';
import { flState } from './fl.js';

const P = 17;
const update = (round: number, length = P) => Buffer.from(encodeUpdate(quantizeUpdate('int8', round, new Float64Array(length).fill(0.1), makeRng(round)))).toString('base64');
const task = (extra: Record<string, unknown> = {}) => ({
  task: 'spam-fl',
  architecture: 'logreg-binary',
  initialModel: 'model-initial-0',
  parameters: P,
  rounds: 2,
  clientsPerRound: 2,
  clipNorm: 1_000_000,
  noiseMultiplier: 1_100_000,
  delta: '0.00001',
  budget: units(100),
  ...extra,
});

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
    await h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: 'model-round-1', included: [h.key('ann').did, h.key('ben').did], dropped: [] });
    await h.run('op', 'fl.pay', { task: 'spam-fl', payments: [{ to: h.key('ann').did, amount: units(60) }, { to: h.key('ben').did, amount: units(40) }] });
    expect(balanceOf(h.state.ledger, h.key('ann').did)).toBe(BigInt(units(1060)));
    expect(balanceOf(h.state.ledger, h.key('op').did)).toBe(BigInt(units(900)));
    expect(conservation(h.state.ledger).ok).toBe(true);
    const t = flState(h.state).get('spam-fl')!;
    expect(t.completed).toBe(1);
    expect(t.models).toEqual(['model-initial-0', 'model-round-1']);
  });

  it('rejects stale rounds, replays, wrong shapes, non-participants and overspending with precise errors', async () => {
    const h = await setup();
    await expect(h.run('eve', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } })).rejects.toThrow(/author: expected a controller that joined task spam-fl/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 2, body: { stage: 'plain', update: update(2) } })).rejects.toThrow(/round: expected 1, got 2 \(not open yet\)/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1, P + 1) } })).rejects.toThrow(/update length: expected 17 coordinates, got 18/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(0) } })).rejects.toThrow(/update round: expected 1, got 0/);
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'keys', group: 0, slot: 1, cPk: '00'.repeat(32), sPk: '00'.repeat(32) } })).rejects.toThrow(/body.stage: expected plain/);
    await h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } });
    await expect(h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'plain', update: update(1) } })).rejects.toThrow(/fl.update.replay|a stage not yet sent/);
    await expect(h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: 'model-round-1', included: [h.key('ben').did], dropped: [] })).rejects.toThrow(/included: expected controllers that sent a plain update/);
    await h.run('op', 'fl.aggregate', { task: 'spam-fl', round: 1, modelHash: 'model-round-1', included: [h.key('ann').did], dropped: [h.key('ben').did] });
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
    await h.run('ann', 'fl.update', { task: 'spam-fl', round: 1, body: { stage: 'keys', group: 0, slot: 1, cPk: 'ab'.repeat(32), sPk: 'cd'.repeat(32) } });
  });
});
