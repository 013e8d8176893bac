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
