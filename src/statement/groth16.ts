import { z } from 'zod';

/**
 * The JSON shapes of a Groth16 proof and verification key on BN254 (snarkjs's format): points as
 * decimal coordinate strings, G1 projective [x, y, z], G2 [[x0, x1], [y0, y1], [z0, z1]].
 */
const Coordinate = z.string().regex(/^\d{1,80}$/, 'a decimal coordinate');
const G1 = z.tuple([Coordinate, Coordinate, Coordinate]);
const Fq2 = z.tuple([Coordinate, Coordinate]);
const G2 = z.tuple([Fq2, Fq2, Fq2]);

export const Groth16Proof = z.strictObject({
  pi_a: G1,
  pi_b: G2,
  pi_c: G1,
  protocol: z.literal('groth16'),
  curve: z.literal('bn128'),
});
export type Groth16Proof = z.infer<typeof Groth16Proof>;

/**
 * A verification key: the fields the pairing check reads, with one IC point per public signal plus
 * one. Other fields snarkjs exports (vk_alphabeta_12) pass through unchanged, so a key's id is the
 * same whether computed from the exported JSON or from the parsed event.
 */
export const VerificationKey = z
  .looseObject({
    protocol: z.literal('groth16'),
    curve: z.literal('bn128'),
    nPublic: z.number().int().min(1).max(65_536),
    vk_alpha_1: G1,
    vk_beta_2: G2,
    vk_gamma_2: G2,
    vk_delta_2: G2,
    IC: z.array(G1).min(2).max(65_537),
  })
  .refine((k) => k.IC.length === k.nPublic + 1, { path: ['IC'], message: 'expected nPublic + 1 points' });
export type VerificationKey = z.infer<typeof VerificationKey>;
