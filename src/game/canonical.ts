import { cidString, decode, encode } from '../core/encoding.js';

/**
 * A tagged, DAG-CBOR-safe form of state: Maps become sorted [key, value] lists, bigints become
 * decimal strings under a tag (DAG-CBOR would decode small integers as numbers), so the same form
 * both hashes deterministically and restores exactly from a snapshot.
 */
type Tagged = unknown;

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function toTagged(value: unknown): Tagged {
  if (typeof value === 'bigint') return { $n: value.toString() };
  if (value instanceof Map) {
    const entries = [...value.entries()].sort((a, b) => compareKeys(a[0], b[0]));
    return { $m: entries.map(([k, v]) => [toTagged(k), toTagged(v)]) };
  }
  if (value instanceof Set) return { $s: [...value].sort(compareKeys).map(toTagged) };
  if (Array.isArray(value)) return value.map(toTagged);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toTagged(v);
    return out;
  }
  return value;
}

export function fromTagged(value: Tagged): unknown {
  if (Array.isArray(value)) return value.map(fromTagged);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.$n === 'string' && Object.keys(obj).length === 1) return BigInt(obj.$n);
    if (Array.isArray(obj.$m) && Object.keys(obj).length === 1) {
      return new Map((obj.$m as [unknown, unknown][]).map(([k, v]) => [fromTagged(k), fromTagged(v)]));
    }
    if (Array.isArray(obj.$s) && Object.keys(obj).length === 1) return new Set((obj.$s as unknown[]).map(fromTagged));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = fromTagged(v);
    return out;
  }
  return value;
}

export function encodeState<T>(state: T): Uint8Array {
  return encode(toTagged(state));
}

export function decodeState<T>(bytes: Uint8Array): T {
  return fromTagged(decode(bytes)) as T;
}

/** CID of the canonical state: equal on every node that applied the same log. */
export function stateHash(state: unknown): string {
  return cidString(toTagged(state));
}
