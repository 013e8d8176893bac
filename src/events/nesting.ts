/**
 * How deeply an event may nest arrays and objects. The deepest real event is a few levels (an
 * envelope, a CACAO, a proof's `pi_b`); schema checks, DAG-CBOR encoding and structured cloning all
 * recurse, and a few thousand levels overflow their stacks. The HTTP node refuses such a body on
 * its text before parsing; this is the same limit for values that arrive already parsed (the
 * embedded client, the SDK, a log being replayed).
 */
export const MAX_EVENT_NESTING = 64;

/**
 * True when `value` holds arrays or objects more than `max` levels inside one another. Iterative,
 * so the check itself cannot overflow; it stops at the first branch past the limit.
 */
export function nestingExceeds(value: unknown, max: number): boolean {
  // Two parallel stacks rather than one of pairs: every event passes through here, so no allocation per value.
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
