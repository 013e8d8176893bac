/** Test helper: the other spellings of a base64url text, which differ only in the unused bits of its last character. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function respellings(text: string): string[] {
  const spare = (text.length * 6) % 8; // bits of the last character that carry no data
  if (spare === 0) return [];
  const last = ALPHABET.indexOf(text[text.length - 1]!);
  const mask = (1 << spare) - 1;
  const out: string[] = [];
  for (let low = 0; low <= mask; low++) {
    const index = (last & ~mask) | low;
    if (index !== last) out.push(text.slice(0, -1) + ALPHABET[index]);
  }
  return out;
}
