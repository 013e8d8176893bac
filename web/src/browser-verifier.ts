/**
 * The proof-of-inference verifier for the browser: the checks of src/zk/verify-inference.ts with
 * snarkjs's browser build for the pairing and the same Poseidon input hash the node uses. The web
 * build resolves src/zk/served-answer.ts's `import('./inference.js')` to this module
 * (web/vite.config.ts), so the page runs the node's own served-answer checks on top of it.
 */
import * as snarkjs from 'snarkjs';
import { inputHash } from '../../src/zk/input-hash';
import { inferenceVerifier } from '../../src/zk/verify-inference';

export const verifyInference = inferenceVerifier({
  pairing: (vkey, publicSignals, proof) => snarkjs.groth16.verify(vkey, publicSignals, proof),
  inputHash,
});
