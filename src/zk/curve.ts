import { buildBn128, type Curve } from 'ffjavascript';

/**
 * One shared BN254 engine (wasm + worker threads). snarkjs reaches the same instance through
 * `globalThis.curve_bn128`, so building it here keeps proving and verifying warm. Its workers keep
 * the process alive: call `terminateCurve()` when done (tests: in afterAll).
 */
let pending: Promise<Curve> | undefined;

export function getCurve(): Promise<Curve> {
  pending ??= buildBn128();
  return pending;
}

export async function terminateCurve(): Promise<void> {
  const global = globalThis as { curve_bn128?: Curve | null };
  const curves = new Set<Curve>();
  if (pending) curves.add(await pending);
  if (global.curve_bn128) curves.add(global.curve_bn128);
  pending = undefined;
  global.curve_bn128 = null;
  for (const curve of curves) await curve.terminate();
}

/** The BN254 scalar field order: public signals and circuit values live modulo this prime. */
export const FIELD_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Encodes a signed integer as a field element (negative → r − |v|). */
export function toField(v: bigint): bigint {
  const m = v % FIELD_R;
  return m < 0n ? m + FIELD_R : m;
}

/** Decodes a field element back to a signed integer (values above r/2 are negative). */
export function fromField(v: bigint): bigint {
  return v > FIELD_R / 2n ? v - FIELD_R : v;
}
