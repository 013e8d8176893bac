import { z } from 'zod';
import { Belief, DidText, Hash32, ItemId, Micro, ModelHash, RoundNumber, Salt, SignedMicro, Time } from './common.js';
import { CommitteeConfig, ItemsConfig, MembershipConfig } from './committee-config.js';
import { GovernanceConfig, RoundType, RulesConfig } from './rules.js';
import { FeaturizerSpecSchema, ProofAttachment } from './zk.js';

export const CommunityConfig = z.strictObject({
  /** Sealed commit–reveal trading (default) or continuous immediate trading. */
  trading: z.enum(['sealed', 'continuous']).default('sealed'),
  admins: z.array(DidText).min(1).max(16),
  /** Signs round.resolve until a committee resolves labels. */
  resolver: DidText,
  maxPayloadBytes: z.number().int().min(1024).max(1 << 20).default(64 * 1024),
  snapshotEvery: z.number().int().min(100).max(10_000_000).default(10_000),
  requireProofs: z.boolean().default(false),
  /** Who may join; absent = open. */
  membership: MembershipConfig.optional(),
  /** Labels come from a sortition committee instead of `resolver`. */
  committee: CommitteeConfig.optional(),
  /** Members submit encrypted candidate items. */
  items: ItemsConfig.optional(),
  /** Reward rules (resolution function, scoring rule, subsidy) from round 1; changed later by rules.change / rules.enact. */
  rules: RulesConfig.optional(),
  /** Members may vote on rule changes. */
  governance: GovernanceConfig.optional(),
});
export type CommunityConfig = z.infer<typeof CommunityConfig>;

const CommunityCreate = z.strictObject({
  name: z.string().min(1).max(100),
  config: CommunityConfig,
  treasury: Micro,
  mint: z.array(z.strictObject({ to: DidText, amount: Micro })).max(10_000),
});

const Item = z.strictObject({
  id: ItemId,
  outcomes: z.number().int().min(2).max(64),
  input: z.union([
    z.strictObject({ text: z.string().max(16_384) }),
    z.strictObject({ features: z.array(z.number().int()).max(65_536) }),
  ]),
});
export type ItemInput = z.infer<typeof Item>;

/** A sealed trade as revealed; its commitment is sha256(dag-cbor({round,item,model,trade,salt})). */
export const TradeBody = z.union([
  z.strictObject({ kind: z.literal('belief'), belief: Belief, maxCost: Micro }),
  z.strictObject({ kind: z.literal('shares'), delta: z.array(SignedMicro).min(2).max(64), maxCost: Micro }),
]);
export type TradeBody = z.infer<typeof TradeBody>;

/** The core game's events (community, ledger, models, rounds, trades): type → payload schema. */
export const CORE_EVENTS = {
  'community.create': CommunityCreate,
  'ledger.mint': z.strictObject({ to: DidText, amount: Micro }),
  'ledger.transfer': z.strictObject({ to: DidText, amount: Micro }),
  'treasury.fund': z.strictObject({ amount: Micro }),
  'model.commit': z.strictObject({ modelHash: ModelHash, architecture: z.string().min(1).max(200), name: z.string().min(1).max(100), owner: DidText.optional(), vkey: Hash32.optional(), featurizer: FeaturizerSpecSchema.optional() }),
  'round.schedule': z.strictObject({
    round: RoundNumber,
    subsidyPerItem: Micro,
    tradingDeadline: Time,
    revealDeadline: Time,
    /** sha256 of the resolver's ordering seed; revealed in round.resolve. */
    seedCommitment: Hash32,
    /** Committee path: label commits end here (default revealDeadline); label reveals end at labelRevealDeadline. */
    labelCommitDeadline: Time.optional(),
    labelRevealDeadline: Time.optional(),
    /** Picks the resolution function from the rules' byRoundType. */
    roundType: RoundType.optional(),
  }),
  'round.items': z.strictObject({ round: RoundNumber, items: z.array(Item).min(1).max(500) }),
  'round.open': z.strictObject({ round: RoundNumber }),
  'round.close': z.strictObject({ round: RoundNumber }),
  'round.resolve': z.strictObject({
    round: RoundNumber,
    seed: Hash32,
    /** outcome index per item id; null voids the item. */
    labels: z.array(z.strictObject({ item: ItemId, outcome: z.number().int().min(0).max(63).nullable() })).max(10_000),
  }),
  'round.settle': z.strictObject({ round: RoundNumber }),
  'round.void': z.strictObject({ round: RoundNumber, reason: z.string().max(500) }),
  'trade.commit': z.strictObject({ round: RoundNumber, item: ItemId, model: ModelHash, commitment: Hash32, maxCost: Micro }),
  'trade.reveal': z.strictObject({ round: RoundNumber, commit: z.string().min(20).max(120), trade: TradeBody, salt: Salt, proof: ProofAttachment.optional() }),
  'trade.execute': z.strictObject({ round: RoundNumber, item: ItemId, model: ModelHash, trade: TradeBody, proof: ProofAttachment.optional() }),
} as const satisfies Record<string, z.ZodType>;
