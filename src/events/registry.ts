import type { z } from 'zod';

/**
 * The payload schema of every event type. Each area declares its types in `src/events/types/*.ts`
 * and registers them here; `verifyEvent` refuses any type that is not registered. Schemas must be
 * strict (unknown fields rejected) and use only integers and strings (no floats: determinism).
 */
export type EventTypeSpec = {
  type: string;
  payload: z.ZodType;
  /** Where the round number sits in the payload, for the store's round index. */
  roundOf?: (payload: Record<string, unknown>) => number | null;
};

const registry = new Map<string, EventTypeSpec>();

export function registerEventType(spec: EventTypeSpec): void {
  if (registry.has(spec.type)) throw new Error(`event type ${spec.type} registered twice`);
  registry.set(spec.type, spec);
}

export function eventTypeSpec(type: string): EventTypeSpec | undefined {
  return registry.get(type);
}

export function registeredTypes(): string[] {
  return [...registry.keys()].sort();
}

/** Payloads that carry `round` as a top-level integer use this. */
export const roundField = (payload: Record<string, unknown>): number | null =>
  typeof payload.round === 'number' ? payload.round : null;
