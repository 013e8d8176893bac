/** JSON with bigints written as decimal strings (money is bigint micro-units everywhere). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), indent);
}
