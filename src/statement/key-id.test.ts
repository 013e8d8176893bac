import { describe, expect, it } from 'vitest';
import { Groth16Proof, VerificationKey } from './groth16.js';
import { zkKeyId } from './key-id.js';
import type { PublicLayout } from './layout.js';

const g1 = ['1', '2', '1'] as [string, string, string];
const g2 = [['1', '2'], ['3', '4'], ['1', '0']] as [[string, string], [string, string], [string, string]];
const vkey: VerificationKey = { protocol: 'groth16', curve: 'bn128', nPublic: 1, vk_alpha_1: g1, vk_beta_2: g2, vk_gamma_2: g2, vk_delta_2: g2, IC: [g1, g1], vk_alphabeta_12: [] };
const layout: PublicLayout = {
  version: 1, kind: 'logreg', items: 1, scores: 1, classes: 2, binding: 'hash', input: { count: 8, bits: 14, signed: true },
  inputWords: 1, scaleBits: 6, weightBits: 8, scoreBits: 30, modelHeader: '1234567890',
};

describe('verification keys and proofs', () => {
  it('a key id is sha256 of the DAG-CBOR payload: independent of field order, sensitive to any field', () => {
    const id = zkKeyId({ vkey, layout });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(vkey).reverse()) as VerificationKey;
    expect(zkKeyId({ layout, vkey: reordered })).toBe(id);
    expect(zkKeyId({ vkey, layout: { ...layout, scaleBits: 7 } })).not.toBe(id);
    expect(zkKeyId({ vkey: { ...vkey, vk_alphabeta_12: [1] }, layout })).not.toBe(id);
  });

  it('schemas: a key keeps snarkjs extras and needs nPublic + 1 IC points; a proof is exactly snarkjs JSON', () => {
    expect(VerificationKey.parse(vkey)).toEqual(vkey);
    expect(VerificationKey.safeParse({ ...vkey, nPublic: 2 }).success).toBe(false);
    expect(VerificationKey.safeParse({ ...vkey, curve: 'bls12381' }).success).toBe(false);
    const proof = { pi_a: g1, pi_b: g2, pi_c: g1, protocol: 'groth16', curve: 'bn128' };
    expect(Groth16Proof.parse(proof)).toEqual(proof);
    expect(Groth16Proof.safeParse({ ...proof, extra: 1 }).success).toBe(false);
    expect(Groth16Proof.safeParse({ ...proof, pi_a: ['1', '2'] }).success).toBe(false);
    expect(Groth16Proof.safeParse({ ...proof, pi_a: ['1', '2', '-3'] }).success).toBe(false);
  });
});
