import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameRejection, HindsightError } from '../core/errors.js';
import { hex32, units } from '../../test/support/harness.js';
import { stateHash } from './canonical.js';
import { committeeGame, nameOf, newKey, saltFor, scheduleRound } from '../../test/support/committee-fixture.js';
import { sealItem, submittedItemId } from './items.js';
import { labelCommitment } from './labels.js';
import { conservation } from './ledger.js';

/**
 * Random sequences of committee-path events at random times: every event is either applied or
 * rejected with a GameRejection that leaves the state hash unchanged, and money is always conserved.
 */
const members = ['m0', 'm1', 'm2', 'm3', 'stranger'];
const Action = fc.record({
  who: fc.constantFrom(...members, 'admin'),
  kind: fc.constantFrom('commit', 'commit', 'reveal', 'reveal', 'resolve', 'key', 'join', 'bond', 'unbond', 'withdraw', 'leave', 'submit', 'key', 'badkey', 'expire', 'commit', 'reveal', 'badreveal', 'expose', 'resolve', 'close', 'open', 'settle'),
  window: fc.integer({ min: 0, max: 7 }),
  amount: fc.integer({ min: 1, max: 200 }),
  label: fc.integer({ min: 0, max: 1 }),
});

const tally = new Map<string, number>();
const labelOf = (who: string, item: string): number => (who.length + item.length) % 2;

describe('committee events under random sequences', () => {
  it('either apply or change nothing, and conserve money', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(Action, { minLength: 10, maxLength: 30 }), async (actions) => {
        const h = await committeeGame({ members: members.slice(0, 4), committee: { size: 3 }, membership: { unbondDelay: 500 } });
        await scheduleRound(h, 1);
        const first = sealItem({ input: { text: 'seed item' }, ...newKey('first') });
        const submitted: { id: string; key: string; by: string }[] = [{ id: submittedItemId(await h.run('m0', 'item.submit', { round: 1, outcomes: 2, ...first })), key: newKey('first').key, by: 'm0' }];
        await h.run('admin', 'round.items', { round: 1, items: [{ id: 'a', outcomes: 2, input: { text: 'a' } }] });
        if (actions.length % 2 === 0) await h.run('admin', 'round.open', { round: 1 });
        const r = h.state.rounds.get(1)!;
        // Times at and around every deadline, in random order (event time need not be monotonic).
        const windows = [h.time, r.tradingDeadline - 1, r.tradingDeadline, r.revealDeadline - 1, r.revealDeadline, r.labelRevealDeadline - 1, r.labelRevealDeadline, r.labelRevealDeadline + 600];
        let accepted = 0;
        for (const a of actions) {
          h.time = windows[a.window]!;
          const seats = r.committee?.members ?? [];
          // Label actions mostly come from seat holders (else nearly all would be committee.notSeated).
          if (['commit', 'reveal', 'badreveal'].includes(a.kind) && seats.length > 0 && a.amount % 5 !== 0) a.who = nameOf(h, members)(seats[a.amount % seats.length]!);
          const did = h.key(a.who).did;
          const items = [...r.items.keys()];
          const item = items[a.amount % Math.max(1, items.length)] ?? 'none';
          const salt = saltFor(a.who, 1, item);
          const payloads: Record<string, [string, Record<string, unknown>]> = {
            join: ['member.join', {}],
            bond: ['member.bond', { amount: units(a.amount) }],
            unbond: ['member.unbond', { amount: units(a.amount) }],
            withdraw: ['member.withdraw', {}],
            leave: ['member.leave', {}],
            submit: ['item.submit', { round: 1, outcomes: 2, ...sealItem({ input: { text: `t${a.amount}` }, ...newKey(`${a.who}${a.amount}`) }) }],
            key: ['item.key', { round: 1, item: submitted[a.amount % Math.max(1, submitted.length)]?.id ?? 's-none', key: submitted[a.amount % Math.max(1, submitted.length)]?.key ?? hex32('k') }],
            badkey: ['item.key', { round: 1, item: submitted[a.amount % Math.max(1, submitted.length)]?.id ?? 's-none', key: hex32('bad') }],
            expire: ['item.expire', { round: 1, item: submitted[a.amount % Math.max(1, submitted.length)]?.id ?? 's-none' }],
            commit: ['label.commit', { round: 1, commits: items.map((i) => ({ item: i, commitment: labelCommitment({ round: 1, item: i, member: did, label: labelOf(a.who, i), salt: saltFor(a.who, 1, i) }) })) }],
            reveal: ['label.reveal', { round: 1, reveals: items.map((i) => ({ item: i, label: labelOf(a.who, i), salt: saltFor(a.who, 1, i) })) }],
            badreveal: ['label.reveal', { round: 1, reveals: [{ item, label: a.label, salt: hex32('x').slice(0, 32) }] }],
            expose: ['label.expose', { round: 1, member: h.key(members[a.amount % 4]!).did, item, label: a.label, salt: saltFor(members[a.amount % 4]!, 1, item) }],
            resolve: ['label.resolve', { round: 1 }],
            close: ['round.close', { round: 1 }],
            open: ['round.open', { round: 1 }],
            settle: ['round.settle', { round: 1 }],
          };
          const [type, payload] = payloads[a.kind]!;
          const before = stateHash(h.state);
          try {
            const cid = await h.run(a.kind === 'open' || a.kind === 'settle' ? 'admin' : a.who, type, payload);
            accepted++;
            tally.set(type, (tally.get(type) ?? 0) + 1);
            if (type === 'item.submit') submitted.push({ id: submittedItemId(cid), key: newKey(`${a.who}${a.amount}`).key, by: a.who });
          } catch (error) {
            if (!(error instanceof HindsightError)) throw error;
            if (error instanceof GameRejection) expect(stateHash(h.state)).toBe(before);
          }
          expect(conservation(h.state.ledger).ok).toBe(true);
        }
        return accepted >= 0;
      }),
      { numRuns: 35, seed: 12 },
    );
    // The sequences must reach the label path, not only membership.
    for (const type of ['item.key', 'label.commit', 'label.reveal', 'label.resolve', 'member.bond']) expect(tally.get(type) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
