import { afterAll, describe, expect, it } from 'vitest';
import { compileCircom } from './circom.js';
import { assertSetupAllowed, contributePhase2, requiredPower, setupCircuit, verifyZkey } from './setup.js';
import { devPtau } from './ptau.js';
import { exportVerificationKey } from './snarkjs.js';
import { fullProve, groth16Verify } from './snarkjs.js';
import { terminateCurve } from './curve.js';

afterAll(terminateCurve);

const source = (n: number) => `pragma circom 2.1.0;
include "circomlib/circuits/poseidon.circom";
template T(n) {
  signal input a[n];
  signal input b;
  signal output c;
  signal output h;
  signal acc[n + 1];
  acc[0] <== b;
  for (var i = 0; i < n; i++) acc[i + 1] <== acc[i] * a[i];
  c <== acc[n];
  component p = Poseidon(2);
  p.inputs[0] <== a[0];
  p.inputs[1] <== b;
  h <== p.out;
}
component main {public [b]} = T(${n});
`;

describe('circom → dev ptau → groth16 toolchain', () => {
  it('compiles with --O2, sets up, proves and verifies; rejects a wrong public signal', async () => {
    const circuit = await compileCircom(source(8), 'chain');
    expect(circuit.nonLinearConstraints).toBeGreaterThan(200);
    expect(circuit.linearConstraints).toBe(0);
    const setup = await setupCircuit(circuit);
    expect(setup.insecure).toBe(true);
    expect(setup.contributions).toHaveLength(1);
    // the dev ptau is built at exactly the required power, so zkey new reads its top Lagrange level
    expect(setup.power).toBe(requiredPower(circuit));
    const { proof, publicSignals } = await fullProve({ a: [2, 3, 4, 5, 6, 7, 8, 9], b: 3 }, circuit.wasmPath, setup.zkeyPath);
    // outputs first (c, h), then public inputs (b)
    expect(publicSignals[0]).toBe(String(3 * 2 * 3 * 4 * 5 * 6 * 7 * 8 * 9));
    expect(publicSignals[2]).toBe('3');
    expect(await groth16Verify(setup.vkey, publicSignals, proof)).toBe(true);
    expect(await groth16Verify(setup.vkey, [publicSignals[0], publicSignals[1], '4'], proof)).toBe(false);

    // a community member's phase-2 contribution: recorded hash, zkey still checks against r1cs + ptau
    const next = `${setup.zkeyPath}.member.zkey`;
    const c = await contributePhase2(setup.zkeyPath, next, 'member-1', 'some entropy');
    expect(c.hash).toMatch(/^[0-9a-f]{128}$/);
    expect(await verifyZkey(circuit, (await devPtau(setup.power)).path, next)).toBe(true);
    const p2 = await fullProve({ a: [1, 1, 1, 1, 1, 1, 1, 2], b: 1 }, circuit.wasmPath, next);
    expect(await groth16Verify(await exportVerificationKey(next), p2.publicSignals, p2.proof)).toBe(true);
    expect(await groth16Verify(setup.vkey, p2.publicSignals, p2.proof)).toBe(false); // new delta: old key rejects

    expect(() => assertSetupAllowed(setup, { requireProofs: true })).toThrow(/expected keys from a public powers-of-tau ceremony/);
    expect(() => assertSetupAllowed(setup, { requireProofs: true, allowInsecureSetup: true })).not.toThrow();
    expect(() => assertSetupAllowed(setup, { requireProofs: false })).not.toThrow();
  });
});
