import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, eventTypeSpec, registeredTypes, type EventType } from '../events/registry.js';
import { HANDLERS, type HandlerTable } from './handlers.js';
import type { Handler } from './rules.js';

describe('the handler table', () => {
  it('has a handler for every event type of the schema table, and nothing else', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(EVENT_SCHEMAS).sort());
    expect(registeredTypes()).toEqual(Object.keys(EVENT_SCHEMAS).sort());
    for (const type of registeredTypes()) expect(typeof HANDLERS[type as EventType]).toBe('function');
  });

  it('knows only own keys of the tables, not Object.prototype', () => {
    expect(eventTypeSpec('toString')).toBeUndefined();
    expect(eventTypeSpec('constructor')).toBeUndefined();
  });

  it('keeps each type’s round index: payload.round for game events, none for FL task rounds or zk.vkey', () => {
    expect(eventTypeSpec('round.open')?.roundOf?.({ round: 3 })).toBe(3);
    expect(eventTypeSpec('label.commit')?.roundOf?.({ round: 4, commits: [] })).toBe(4);
    expect(eventTypeSpec('fl.update')?.roundOf?.({ task: 't', round: 5 })).toBeNull();
    expect(eventTypeSpec('zk.vkey')?.roundOf).toBeUndefined();
  });

  it('rejects mistyped handlers at compile time (checked by tsc, not at run time)', () => {
    // A handler reads the payload its type's schema outputs.
    const open: Handler<'round.open'> = (_state, ev) => {
      const round: number = ev.payload.round;
      // @ts-expect-error round.open carries no amount
      void ev.payload.amount;
      void round;
    };
    // @ts-expect-error a ledger.mint handler reads {to, amount}, so it cannot handle round.open
    const wrongSlot: HandlerTable['round.open'] = HANDLERS['ledger.mint'];
    const { 'zk.vkey': _zk, ...withoutZk } = HANDLERS;
    // @ts-expect-error a table without zk.vkey is not a HandlerTable
    const incomplete: HandlerTable = withoutZk;
    expect([open, wrongSlot, incomplete, _zk].every((x) => x !== undefined)).toBe(true);
  });
});
