import { z } from 'zod';
import { DidText, Hash32, ItemId, Micro, RoundNumber, Time } from './common.js';

/**
 * Reward rules a community chooses: how an item's outcome is decided from the community's data
 * (its resolution function) and how its markets score trades (LMSR or QMSR), plus how those
 * choices change (admin, or member vote). Fractions are parts per million.
 */
const Ppm = z.number().int().min(0).max(1_000_000);

/** Names a round type: a round.schedule may carry one to pick its resolution function. */
export const RoundType = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a round type: lowercase letters, digits and -, at most 32');

/** Signed access reports are counted by these reporters' DIDs; at least a majority must report an item. */
const Reporters = z.array(DidText).min(1).max(64);

/** Read-count boundaries of a log-scale bucketing: outcome = number of boundaries ≤ reads. */
const Boundaries = z.array(z.number().int().min(1).max(2 ** 40)).min(1).max(63);

/** A sandboxed function's budget: interrupt checks (one about every 10^4 bytecode steps) and heap bytes. */
export const SandboxBudget = z.strictObject({
  steps: z.number().int().min(1).max(1_000_000).default(20_000),
  memoryBytes: z.number().int().min(1 << 20).max(256 << 20).default(16 << 20),
});

export const ResolutionSpec = z.discriminatedUnion('fn', [
  /** Labels typed in: by the committee when the community has one (majority, or median to buckets for scalar items), else by the resolver. */
  z.strictObject({ fn: z.literal('labels') }),
  /** Built in: the median of the reporters' read counts per item, bucketed by `boundaries`. */
  z.strictObject({ fn: z.literal('reads'), reporters: Reporters, boundaries: Boundaries }),
  /** Community-written JavaScript published with rules.function, run in a sandbox; pinned by the sha256 of its source. */
  z.strictObject({ fn: z.literal('sandbox'), hash: Hash32, reporters: Reporters, budget: SandboxBudget.optional() }),
]);
export type ResolutionSpec = z.infer<typeof ResolutionSpec>;

export const RulesConfig = z.strictObject({
  scoring: z.enum(['lmsr', 'qmsr']).default('lmsr'),
  /** The resolution function of rounds without a round type (or with one not listed in byRoundType). */
  resolution: ResolutionSpec.default({ fn: 'labels' }),
  byRoundType: z.record(RoundType, ResolutionSpec).optional(),
  /** When set, every round must be scheduled with exactly this subsidy per item. */
  subsidyPerItem: Micro.optional(),
});
export type RulesConfig = z.infer<typeof RulesConfig>;

/** Member votes on rule changes; absent: only the admin changes rules. */
export const GovernanceConfig = z.strictObject({
  /** Share of members (joined, not left, at enactment) that must vote. */
  quorumPpm: Ppm.default(500_000),
  /** Share of the votes cast that must approve. */
  passPpm: Ppm.default(500_001),
  /** Event time from proposal to the end of voting; rules.enact only after it. */
  delay: Time.default(24 * 3600 * 1000),
});
export type GovernanceConfig = z.infer<typeof GovernanceConfig>;

export const RULES_EVENTS = {
  /** Publishes a resolution function's source; its id is the sha256 of the UTF-8 source. */
  'rules.function': z.strictObject({ name: z.string().min(1).max(100), source: z.string().min(1).max(48 * 1024) }),
  /** Admin: these rules apply to rounds numbered fromRound and later; fromRound must not be scheduled yet. */
  'rules.change': z.strictObject({ fromRound: RoundNumber, rules: RulesConfig }),
  /** Member: proposes a change for a vote (needs config.governance). */
  'rules.propose': z.strictObject({ fromRound: RoundNumber, rules: RulesConfig }),
  'rules.vote': z.strictObject({ proposal: z.string().min(20).max(120), approve: z.boolean() }),
  /** Anyone, after the voting delay: applies a passed proposal (fromRound must still be in the future). */
  'rules.enact': z.strictObject({ proposal: z.string().min(20).max(120) }),
  /** A reporter's signed read counts for a round's items in the round's outcome window. */
  'access.report': z.strictObject({
    round: RoundNumber,
    counts: z.array(z.strictObject({ item: ItemId, reads: z.number().int().min(0).max(2 ** 40) })).min(1).max(2000),
  }),
  /** The resolver reveals the ordering seed; the round's resolution function computes every outcome from the reports. */
  'round.compute': z.strictObject({ round: RoundNumber, seed: Hash32 }),
} as const satisfies Record<string, z.ZodType>;
