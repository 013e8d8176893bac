/**
 * Warm Groth16 verification on the main thread, same check as snarkjs's `groth16.verify`:
 *   e(−A, B) · e(vk_x, γ) · e(C, δ) · e(α, β) = 1,  vk_x = IC0 + Σ s_i·IC_i
 * but with the per-key parts precomputed once per verification key (prepared γ, δ and the Miller
 * loop of (α, β)) and no worker-thread round trips, which dominate snarkjs's verify for the few
 * public signals of a hash-bound proof. Many public signals fall back to the threaded multi-exp.
 */
import type { Curve } from 'ffjavascript';
import { FIELD_R } from '../statement/field.js';
import { getCurve } from './curve.js';
import type { Groth16Proof, VerificationKey } from './snarkjs.js';

type Ext = Curve & {
  prepareG1(p: Uint8Array): Uint8Array;
  prepareG2(q: Uint8Array): Uint8Array;
  millerLoop(p: Uint8Array, q: Uint8Array): Uint8Array;
  finalExponentiation(a: Uint8Array): Uint8Array;
  Gt: { mul(a: Uint8Array, b: Uint8Array): Uint8Array; eq(a: Uint8Array, b: Uint8Array): boolean; one: Uint8Array };
  G1: Curve['G1'] & { toJacobian(p: Uint8Array): Uint8Array; fromObject(o: bigint[]): Uint8Array; isValid(p: Uint8Array): boolean; neg(p: Uint8Array): Uint8Array; multiExpAffine(b: Uint8Array, s: Uint8Array): Promise<Uint8Array> };
  G2: Curve['G2'] & { toJacobian(p: Uint8Array): Uint8Array; fromObject(o: bigint[][]): Uint8Array; isValid(p: Uint8Array): boolean };
};

type Prepared = { IC: Uint8Array[]; gamma: Uint8Array; delta: Uint8Array; alphaBetaMl: Uint8Array };

const cache = new WeakMap<VerificationKey, Prepared>();

const big1 = (v: readonly string[]): bigint[] => v.map((s) => BigInt(s));
const big2 = (v: readonly (readonly string[])[]): bigint[][] => v.map((r) => r.map((s) => BigInt(s)));

function prepare(curve: Ext, vk: VerificationKey): Prepared {
  const IC = vk.IC.map((p) => curve.G1.toAffine(curve.G1.fromObject(big1(p))));
  // the wasm prepare functions take jacobian points (as snarkjs's pairingEq passes them)
  const alpha = curve.G1.toJacobian(curve.G1.fromObject(big1(vk.vk_alpha_1)));
  const beta = curve.G2.toJacobian(curve.G2.fromObject(big2(vk.vk_beta_2)));
  return {
    IC,
    gamma: curve.prepareG2(curve.G2.toJacobian(curve.G2.fromObject(big2(vk.vk_gamma_2)))),
    delta: curve.prepareG2(curve.G2.toJacobian(curve.G2.fromObject(big2(vk.vk_delta_2)))),
    alphaBetaMl: curve.millerLoop(curve.prepareG1(alpha), curve.prepareG2(beta)),
  };
}

function scalarLE(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

export async function fastGroth16Verify(vk: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
  const curve = (await getCurve()) as Ext;
  let pre = cache.get(vk);
  if (!pre) {
    pre = prepare(curve, vk);
    cache.set(vk, pre);
  }
  if (publicSignals.length !== pre.IC.length - 1) return false;
  const s = publicSignals.map((v) => (/^\d+$/.test(v) ? BigInt(v) : -1n));
  if (s.some((v) => v < 0n || v >= FIELD_R)) return false;
  let vkx: Uint8Array;
  if (s.length <= 32) {
    vkx = pre.IC[0];
    s.forEach((v, i) => {
      if (v !== 0n) vkx = curve.G1.add(vkx, curve.G1.timesScalar(pre.IC[i + 1], scalarLE(v)));
    });
  } else {
    const bases = new Uint8Array(64 * s.length);
    const scalars = new Uint8Array(32 * s.length);
    s.forEach((v, i) => {
      bases.set(pre.IC[i + 1], 64 * i);
      scalars.set(scalarLE(v), 32 * i);
    });
    vkx = curve.G1.add(await curve.G1.multiExpAffine(bases, scalars), pre.IC[0]);
  }
  let a: Uint8Array, b: Uint8Array, c: Uint8Array;
  try {
    a = curve.G1.fromObject(big1(proof.pi_a));
    b = curve.G2.fromObject(big2(proof.pi_b));
    c = curve.G1.fromObject(big1(proof.pi_c));
  } catch {
    return false;
  }
  if (!curve.G1.isValid(a) || !curve.G2.isValid(b) || !curve.G1.isValid(c)) return false;
  const j1 = (p: Uint8Array) => curve.G1.toJacobian(p);
  let ml = curve.millerLoop(curve.prepareG1(j1(curve.G1.neg(a))), curve.prepareG2(curve.G2.toJacobian(b)));
  ml = curve.Gt.mul(ml, curve.millerLoop(curve.prepareG1(j1(vkx)), pre.gamma));
  ml = curve.Gt.mul(ml, curve.millerLoop(curve.prepareG1(j1(c)), pre.delta));
  ml = curve.Gt.mul(ml, pre.alphaBetaMl);
  return curve.Gt.eq(curve.finalExponentiation(ml), curve.Gt.one);
}
