/** node's `assert` for circomlib's reference Poseidon in the browser (its only use: argument checks). */
export default function assert(condition: unknown, message?: string): asserts condition {
  if (!condition) throw new Error(message ?? 'assertion failed');
}
