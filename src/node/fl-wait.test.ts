import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GameState } from '../game/state.js';
import type { FlRelayIndex } from './fl-relay-index.js';
import { answer, mayBeReady, type FlWaitQuery } from './fl-wait.js';

const STAGES = ['keys', 'shares', 'masked', 'unmask'] as const;
type Message = { slot: number; author: string; body: Record<string, unknown> };

/** A relay over fixed message lists, filtering share inboxes as the real index does. */
function relayOver(lists: Map<string, Message[]>): FlRelayIndex {
  return {
    size: (task: string, round: number, group: number, stage: string) => lists.get(`${task}/${round}/${group}/${stage}`)?.length ?? 0,
    messages: (task: string, round: number, group: number, stage: string, to?: number) => {
      const list = lists.get(`${task}/${round}/${group}/${stage}`) ?? [];
      if (stage !== 'shares' || to === undefined) return list;
      return list.flatMap((m) => {
        const share = (m.body.shares as { to: number }[]).find((s) => s.to === to);
        return share ? [{ ...m, body: { stage: 'shares', shares: [share] } }] : [];
      });
    },
  } as unknown as FlRelayIndex;
}

const world = fc.record({
  finished: fc.boolean(),
  completed: fc.integer({ min: 0, max: 3 }),
  joined: fc.integer({ min: 0, max: 6 }),
  closed: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constantFrom(...STAGES)), { maxLength: 3 }),
  messages: fc.array(
    fc.record({ round: fc.integer({ min: 1, max: 4 }), group: fc.integer({ min: 0, max: 1 }), stage: fc.constantFrom(...STAGES), slot: fc.integer({ min: 1, max: 6 }), to: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }) }),
    { maxLength: 20 },
  ),
});

const query = fc.record({
  for: fc.constantFrom('joined', 'messages', 'closed', 'completed', 'finished'),
  round: fc.integer({ min: 1, max: 4 }),
  group: fc.integer({ min: 0, max: 1 }),
  stage: fc.constantFrom(...STAGES),
  to: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  count: fc.integer({ min: 0, max: 6 }),
  waitMs: fc.constant(0),
}) as fc.Arbitrary<FlWaitQuery>;

describe('fl waits: the cheap readiness check', () => {
  it('is true whenever the full answer is ready, so no waiter is left hanging (property)', () => {
    fc.assert(
      fc.property(world, query, (w, q) => {
        const lists = new Map<string, Message[]>();
        for (const m of w.messages) {
          const key = `t/${m.round}/${m.group}/${m.stage}`;
          const body = m.stage === 'shares' ? { stage: m.stage, shares: m.to.map((to) => ({ to })) } : { stage: m.stage };
          lists.set(key, [...(lists.get(key) ?? []), { slot: m.slot, author: `did:key:z${m.slot}`, body }]);
        }
        const task = {
          finished: w.finished,
          completed: w.completed,
          controllers: new Map(Array.from({ length: w.joined }, (_, i) => [`did:key:z${i}`, { slot: i + 1 }])),
          closed: new Map(w.closed.map(([g, s]) => [`${g}/${s}`, [1, 2]])),
          modelBlobs: [],
        };
        const state = { fl: new Map([['t', task]]) } as unknown as GameState;
        const relay = relayOver(lists);
        if (answer(state, relay, 't', q).ready) expect(mayBeReady(state, relay, 't', q)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('says no for a share inbox whose stage holds fewer dealers than asked, without reading it', () => {
    let reads = 0;
    const relay = { size: () => 2, messages: () => { reads++; return []; } } as unknown as FlRelayIndex;
    const state = { fl: new Map([['t', { finished: false, completed: 0, controllers: new Map(), closed: new Map(), modelBlobs: [] }]]) } as unknown as GameState;
    const q: FlWaitQuery = { for: 'messages', round: 1, group: 0, stage: 'shares', to: 3, count: 5, waitMs: 0 };
    expect(mayBeReady(state, relay, 't', q)).toBe(false);
    expect(mayBeReady(state, relay, 't', { ...q, count: 2 })).toBe(true);
    expect(reads).toBe(0);
  });
});
