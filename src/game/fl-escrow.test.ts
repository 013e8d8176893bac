import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameHarness, units } from '../../test/support/harness.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';
import { balanceOf, conservation } from './ledger.js';

const task = { task: 't', architecture: 'logreg', initialModel: pseudoModelHash('m0'), parameters: 4, rounds: 1, clientsPerRound: 3, clipNorm: 1_000_000, noiseMultiplier: 0, delta: '0.00001', budget: units(100) };

async function setup(secure = false) {
  const h = new GameHarness();
  await h.create({ members: ['op', 'a', 'b', 'c'] });
  await h.run('op', 'fl.task', secure ? { ...task, secureAggregation: { threshold: 2, groups: 1 } } : task);
  for (const m of ['a', 'b', 'c']) await h.run(m, 'fl.join', { task: 't', examples: 5 });
  return h;
}

describe('FL budget in escrow', () => {
  it('conserves money whatever is paid: escrow never negative, over-budget refused, the final pay returns the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 60 })), { maxLength: 5 }), async (pays) => {
        const h = await setup();
        expect(balanceOf(h.state.ledger, h.key('op').did)).toBe(BigInt(units(900)));
        let paid = 0n;
        for (const [to, amount] of pays) {
          const ok = paid + BigInt(units(amount)) <= BigInt(units(100));
          const attempt = h.run('op', 'fl.pay', { task: 't', payments: [{ to: h.key(to).did, amount: units(amount) }] });
          if (ok) {
            await attempt;
            paid += BigInt(units(amount));
          } else await expect(attempt).rejects.toThrow(/payments: expected at most/);
          expect(conservation(h.state.ledger).ok).toBe(true);
          expect(h.state.ledger.escrow).toBe(BigInt(units(100)) - paid);
        }
        await h.run('op', 'fl.pay', { task: 't', payments: [], final: true });
        expect(h.state.ledger.escrow).toBe(0n);
        expect(balanceOf(h.state.ledger, h.key('op').did)).toBe(BigInt(units(1000)) - paid);
        expect(conservation(h.state.ledger).ok).toBe(true);
        await expect(h.run('op', 'fl.pay', { task: 't', payments: [{ to: h.key('a').did, amount: '1' }] })).rejects.toThrow(/task: expected a task whose escrow is not settled yet/);
      }),
      { numRuns: 15 },
    );
  });

  it('secure-aggregation stages: own slot, closed stages refused, later stages only from the slots a closure lists', async () => {
    const h = await setup(true);
    const key = (slot: number) => ({ stage: 'keys', group: 0, slot, publicKey: 'ab'.repeat(32) });
    await expect(h.run('a', 'fl.update', { task: 't', round: 1, body: key(2) })).rejects.toThrow(/body.slot: expected 1 \(this controller's join order\), got 2/);
    await h.run('a', 'fl.update', { task: 't', round: 1, body: key(1) });
    await h.run('b', 'fl.update', { task: 't', round: 1, body: key(2) });
    await expect(h.run('op', 'fl.stage', { task: 't', round: 1, group: 0, stage: 'keys', slots: [1, 3] })).rejects.toThrow(/slots: expected slots that sent keys in group 0 this round, got 3/);
    await expect(h.run('op', 'fl.stage', { task: 't', round: 1, group: 0, stage: 'shares', slots: [] })).rejects.toThrow(/stage: expected shares after keys is closed/);
    await expect(h.run('a', 'fl.stage', { task: 't', round: 1, group: 0, stage: 'keys', slots: [1] })).rejects.toThrow(/author: expected the task operator/);
    await h.run('op', 'fl.stage', { task: 't', round: 1, group: 0, stage: 'keys', slots: [1] });
    await expect(h.run('c', 'fl.update', { task: 't', round: 1, body: key(3) })).rejects.toThrow(/body.stage: expected a stage still open in group 0, got "keys \(closed\)"/);
    const shares = { stage: 'shares', seedCommitment: '00'.repeat(32), pairCommitments: [], shares: [{ to: 1, ciphertext: Buffer.alloc(20).toString('base64'), digests: Buffer.alloc(16).toString('base64') }] };
    await expect(h.run('b', 'fl.update', { task: 't', round: 1, body: shares })).rejects.toThrow(/body.stage: expected slot 2 listed by the operator's closing of keys in group 0, got "\[1\]"/);
    await h.run('a', 'fl.update', { task: 't', round: 1, body: shares });
    await expect(h.run('op', 'fl.stage', { task: 't', round: 1, group: 0, stage: 'keys', slots: [1] })).rejects.toThrow(/stage: expected a stage not yet closed in group 0, got "keys"/);
  });
});
