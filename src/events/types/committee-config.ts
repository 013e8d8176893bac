import { z } from 'zod';
import { DidText, Micro, Time } from './common.js';

/**
 * Optional community config for the community-made validation set. Kept apart from
 * core.ts so the core config only gains three optional fields. Fractions are parts per million
 * (integers: no floats in payloads).
 */
export const PPM = 1_000_000;
const Ppm = z.number().int().min(0).max(PPM);

/**
 * Token-gated membership. `check: 'attestation'` (default): a join carries an attestation signed by
 * `attestor`. `check: 'balanceOf'`: the node reads balanceOf on chain at a block and records it in a
 * chain.balance event before the join, so replay needs no chain.
 */
export const TokenGateConfig = z.strictObject({
  standard: z.enum(['erc20', 'erc721']),
  chainId: z.number().int().min(1).max(2 ** 32),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-hex contract address'),
  minBalance: Micro,
  check: z.enum(['attestation', 'balanceOf']).default('attestation'),
  attestor: DidText.optional(),
});
export type TokenGateConfig = z.infer<typeof TokenGateConfig>;

export const MembershipConfig = z.strictObject({
  mode: z.enum(['open', 'allowList', 'token']).default('open'),
  allowList: z.array(DidText).max(10_000).default([]),
  token: TokenGateConfig.optional(),
  /** Event-time delay (ms) between member.unbond and member.withdraw. */
  unbondDelay: Time.default(7 * 24 * 3600 * 1000),
});
export type MembershipConfig = z.infer<typeof MembershipConfig>;

export const CommitteeConfig = z.strictObject({
  /** Seats per round (k). */
  size: z.number().int().min(1).max(1001).default(15),
  /** Draw proportionally to bond instead of one seat chance per member. */
  weighted: z.boolean().default(false),
  /** Bond a member must hold to be drawn. */
  minBond: Micro.default('100000000'),
  /** Valid reveals needed per item, in ppm of the seats drawn; fewer → item voided. */
  quorumPpm: Ppm.default(500_001),
  /** Paid from the treasury each round, shared by reveals that match the final label. */
  rewardPerRound: Micro.default('10000000'),
  /** Fraction of bond lost by a seat holder with any missing (withheld, unmatched, exposed) reveal. */
  missingSlashPpm: Ppm.default(500_000),
  /** Fraction of bond lost for wrong labels, times wrong items / labelled items. */
  wrongSlashPpm: Ppm.default(100_000),
  /** Fraction of bond lost when someone exposes a label before the reveal window; half goes to the exposer. */
  exposeSlashPpm: Ppm.default(200_000),
});
export type CommitteeConfig = z.infer<typeof CommitteeConfig>;

export const ItemsConfig = z.strictObject({
  maxPerRound: z.number().int().min(1).max(500).default(200),
  perMemberQuota: z.number().int().min(1).max(500).default(10),
  /** Locked per submitted item; forfeited to the treasury if its key is missing or wrong. */
  bond: Micro.default('5000000'),
  formats: z.array(z.enum(['text', 'features'])).min(1).max(2).default(['text', 'features']),
  /** Largest plaintext (DAG-CBOR of {input, salt}) in bytes. */
  maxBytes: z.number().int().min(64).max(48 * 1024).default(16 * 1024),
});
export type ItemsConfig = z.infer<typeof ItemsConfig>;
