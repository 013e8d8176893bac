/**
 * circomlibjs for the page: only its Poseidon, which the served-answer check needs for the hash
 * binding of an input (src/ml/commitment/poseidon.ts). Its main entry brings all of circomlib
 * (ethers, blake, MiMC, every constant table: 1.4 MB gzipped); this is circomlib's reference
 * Poseidon over the same constants, the function the circuits' Poseidon templates compute.
 */
// circomlibjs exports only its main entry and ships no types: the file is imported by path, typed as src/ml/commitment/poseidon.ts uses it.
// @ts-expect-error untyped JavaScript module
import buildPoseidonReference from '../../node_modules/circomlibjs/src/poseidon_reference.js';
import type { buildPoseidon as BuildPoseidon } from 'circomlibjs';

export const buildPoseidon: typeof BuildPoseidon = buildPoseidonReference;
