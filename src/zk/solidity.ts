/**
 * Solidity Groth16 verifier export (snarkjs template) and calldata in the shape the generated
 * contract's `verifyProof(uint[2], uint[2][2], uint[2], uint[N])` takes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeModulesDir } from './cache.js';
import { exportSolidityVerifier, solidityCallData, type Groth16Proof } from './snarkjs.js';

export const VERIFIER_CONTRACT = 'Groth16Verifier';

export async function solidityVerifierSource(zkeyPath: string): Promise<string> {
  const template = readFileSync(join(nodeModulesDir(), 'snarkjs', 'templates', 'verifier_groth16.sol.ejs'), 'utf8');
  return exportSolidityVerifier(zkeyPath, template);
}

export type SolidityProofArgs = readonly [
  readonly [bigint, bigint],
  readonly [readonly [bigint, bigint], readonly [bigint, bigint]],
  readonly [bigint, bigint],
  readonly bigint[],
];

export async function solidityProofArgs(proof: Groth16Proof, publicSignals: string[]): Promise<SolidityProofArgs> {
  const text = await solidityCallData(proof, publicSignals);
  const [a, b, c, input] = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]];
  const big = (s: string) => BigInt(s);
  return [
    [big(a[0]), big(a[1])],
    [
      [big(b[0][0]), big(b[0][1])],
      [big(b[1][0]), big(b[1][1])],
    ],
    [big(c[0]), big(c[1])],
    input.map(big),
  ];
}
