/**
 * The typed surface over snarkjs (declared in vendor.d.ts). Everything in src/zk calls snarkjs
 * through here so the untyped boundary stays in one file.
 */
import * as snarkjs from 'snarkjs';
import { HindsightError } from '../core/errors.js';
import type { Groth16Proof, VerificationKey } from '../statement/groth16.js';

export type { Groth16Proof, VerificationKey };

const quiet = undefined;

export async function newZkey(r1csPath: string, ptauPath: string, zkeyPath: string): Promise<void> {
  const result = await snarkjs.zKey.newZKey(r1csPath, ptauPath, zkeyPath, quiet);
  if (result === -1) throw new HindsightError('zk.zkeyFailed', `snarkjs zkey new: expected a zkey from ${r1csPath} and ${ptauPath}, got a failure`, { r1csPath, ptauPath });
}

/** Phase-2 contribution: returns the contribution hash (hex) the contributor should publish. */
export async function contributeZkey(oldPath: string, newPath: string, name: string, entropy: string): Promise<string> {
  const hash = await snarkjs.zKey.contribute(oldPath, newPath, name, entropy, quiet);
  return Buffer.from(hash).toString('hex');
}

export async function beaconZkey(oldPath: string, newPath: string, name: string, beaconHex: string, iterationsExp = 10): Promise<string> {
  const hash = await snarkjs.zKey.beacon(oldPath, newPath, name, beaconHex, iterationsExp, quiet);
  return Buffer.from(hash).toString('hex');
}

export function exportVerificationKey(zkey: string | Uint8Array): Promise<VerificationKey> {
  return snarkjs.zKey.exportVerificationKey(typeof zkey === 'string' ? zkey : { type: 'mem', data: zkey }, quiet);
}

export async function exportSolidityVerifier(zkeyPath: string, template: string): Promise<string> {
  return snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: template }, quiet);
}

export function r1csInfo(path: string): ReturnType<typeof snarkjs.r1cs.info> {
  return snarkjs.r1cs.info(path, quiet);
}

/** Witness (from the circuit's wasm) + Groth16 proof. zkey/wasm may be paths or loaded bytes. */
export function fullProve(
  input: Record<string, unknown>,
  wasm: string | Uint8Array,
  zkey: string | Uint8Array,
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const asFile = (f: string | Uint8Array) => (typeof f === 'string' ? f : { type: 'mem' as const, data: f });
  return snarkjs.groth16.fullProve(input, asFile(wasm), asFile(zkey));
}

export function groth16Verify(vkey: VerificationKey, publicSignals: string[], proof: Groth16Proof): Promise<boolean> {
  return snarkjs.groth16.verify(vkey, publicSignals, proof, quiet);
}

export function solidityCallData(proof: Groth16Proof, publicSignals: string[]): Promise<string> {
  return snarkjs.groth16.exportSolidityCallData(proof, publicSignals);
}

/** Runs the circuit's witness generator only (no proof): the full witness, wire 0 = 1, then outputs. */
export async function computeWitness(input: Record<string, unknown>, wasm: Uint8Array): Promise<bigint[]> {
  const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.wtns.calculate(input, { type: 'mem', data: wasm }, out);
  return snarkjs.wtns.exportJson(out);
}

/** Checks a zkey against its circuit and ptau (the whole phase-2 contribution chain). */
export function verifyZkeyFromR1cs(r1csPath: string, ptauPath: string, zkeyPath: string): Promise<boolean> {
  return snarkjs.zKey.verifyFromR1cs(r1csPath, ptauPath, zkeyPath, quiet);
}
