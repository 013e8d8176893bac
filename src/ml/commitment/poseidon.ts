/**
 * Poseidon (circomlib parameters, via circomlibjs) and the chained hash used for model and input
 * commitments: state = header; for each chunk of up to 15 words: state = Poseidon(state, chunk…).
 * The generated circuits compute exactly the same chain with circomlib's Poseidon templates.
 * circomlibjs is loaded on first use, so importing the ML toolkit stays cheap.
 */
import type { Poseidon } from 'circomlibjs';

let instance: Promise<Poseidon> | undefined;

export function poseidon(): Promise<Poseidon> {
  instance ??= loadPoseidon();
  return instance;
}

/**
 * Loading circomlibjs runs its own copy of ffjavascript, which sets `globalThis.curve_bn128 = null`.
 * If snarkjs built its BN254 engine before that, the engine would be orphaned: terminateCurve could
 * no longer find it and its worker threads would keep the process alive. So a curve already there
 * is put back.
 */
async function loadPoseidon(): Promise<Poseidon> {
  const global = globalThis as { curve_bn128?: unknown };
  const before = global.curve_bn128;
  const circomlib = await import('circomlibjs');
  if (before && !global.curve_bn128) global.curve_bn128 = before;
  return circomlib.buildPoseidon();
}

export const CHAIN_CHUNK = 15;

/** Sizes of the Poseidon calls of a chain over `words` words (each call also takes the state). */
export function chainChunks(words: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < words; i += CHAIN_CHUNK) out.push(Math.min(CHAIN_CHUNK, words - i));
  return out;
}

export async function chainHash(header: bigint, words: readonly bigint[]): Promise<bigint> {
  const p = await poseidon();
  let state = header;
  let at = 0;
  for (const n of chainChunks(words.length)) {
    state = p.F.toObject(p([state, ...words.slice(at, at + n)]));
    at += n;
  }
  return state;
}
