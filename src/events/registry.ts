import type { z } from 'zod';
import { InternalError } from '../core/errors.js';
import { CHAIN_EVENTS } from './types/chain.js';
import { COMMITTEE_EVENTS } from './types/committee.js';
import { CORE_EVENTS } from './types/core.js';
import { FL_EVENTS } from './types/fl.js';
import { RULES_EVENTS } from './types/rules.js';
import { ZK_EVENTS } from './types/zk.js';

/**
 * The table of event types: every type the log accepts and its payload schema, assembled from the
 * per-area tables in `src/events/types/*.ts`. `verifyEvent` refuses any type not in it. Schemas must
 * be strict (unknown fields rejected) and use only integers and strings (no floats: determinism).
 */
export type EventTypeSpec = {
  type: string;
  payload: z.ZodType;
  /** Where the round number sits in the payload, for the store's round index. */
  roundOf?: (payload: Record<string, unknown>) => number | null;
};

type RoundOf = NonNullable<EventTypeSpec['roundOf']>;
type SchemaTable = Readonly<Record<string, z.ZodType>>;

/** Payloads that carry `round` as a top-level integer use this. */
export const roundField = (payload: Record<string, unknown>): number | null =>
  typeof payload.round === 'number' ? payload.round : null;

/** FL rounds are per task, not the game's market rounds: they stay out of the store's round index. */
const noGameRound = (): null => null;

/** Joins two tables; a type present in both is a compile error (its schema is typed never) and throws at load. */
function join<A extends SchemaTable, B extends SchemaTable>(a: A, b: B & { [K in keyof B]: K extends keyof A ? never : B[K] }): A & B {
  for (const type of Object.keys(b)) {
    if (Object.hasOwn(a, type)) throw new InternalError('internal.invariant', `event table: expected each type once, got ${type} twice`, { type });
  }
  return { ...a, ...b };
}

/** Every event type and its payload schema. */
export const EVENT_SCHEMAS = join(join(join(join(join(CORE_EVENTS, COMMITTEE_EVENTS), ZK_EVENTS), FL_EVENTS), RULES_EVENTS), CHAIN_EVENTS);

export type EventType = keyof typeof EVENT_SCHEMAS;
/** A payload of type T as its schema outputs it (defaults filled in): what the game's handler for T reads. */
export type PayloadOf<T extends EventType> = z.output<(typeof EVENT_SCHEMAS)[T]>;

const AREAS: [SchemaTable, RoundOf | undefined][] = [
  [CORE_EVENTS, roundField],
  [COMMITTEE_EVENTS, roundField],
  [ZK_EVENTS, undefined],
  [FL_EVENTS, noGameRound],
  [RULES_EVENTS, roundField],
  [CHAIN_EVENTS, roundField],
];

const specs = new Map<string, EventTypeSpec>(
  AREAS.flatMap(([table, roundOf]) => Object.entries(table).map(([type, payload]): [string, EventTypeSpec] => [type, roundOf ? { type, payload, roundOf } : { type, payload }])),
);

export function isEventType(type: string): type is EventType {
  return specs.has(type);
}

export function eventTypeSpec(type: string): EventTypeSpec | undefined {
  return specs.get(type);
}

export function registeredTypes(): string[] {
  return [...specs.keys()].sort();
}
