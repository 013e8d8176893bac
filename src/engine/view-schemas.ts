import { z } from 'zod';
import { SignedEventSchema } from '../events/dag-jws.js';
import { CommunityConfig } from '../events/types/core.js';
import { FeaturizerSpecSchema } from '../events/types/zk.js';

/**
 * The read models every surface answers with (the HTTP API, EmbeddedClient, HttpClient), as zod
 * schemas: the views in views.ts are typed by them, the routes publish them in /openapi.json, and
 * HttpClient checks a node's answers against them. Money is a decimal string of micro-units,
 * probabilities are integers at PROB_SCALE (10^12) written as decimal strings.
 */
const MicroText = z.string().regex(/^-?\d+$/).describe('micro-units as a decimal string');
const Phase = z.enum(['scheduled', 'trading', 'revealing', 'resolved', 'settled', 'void']);

export const SubmitReply = z
  .strictObject({
    cid: z.string().describe('the event id (CIDv1, dag-cbor, sha2-256)'),
    seq: z.number().int().min(1).describe('its position in the log'),
    duplicate: z.boolean().describe('true when the same event was already stored (idempotent resubmission)'),
  })
  .describe('an event stored in the log');
export type SubmitReply = z.infer<typeof SubmitReply>;

export const CommunityView = z.strictObject({ id: z.string(), name: z.string(), genesis: z.string(), config: CommunityConfig }).describe('the community a node serves');
export type CommunityView = z.infer<typeof CommunityView>;

export const AuthorView = z
  .strictObject({ did: z.string(), head: z.string().nullable(), nonce: z.number().int().min(0), balance: MicroText })
  .describe("an author's chain head (prev for its next event), last nonce and balance");
export type AuthorView = z.infer<typeof AuthorView>;

export const ModelView = z
  .strictObject({ hash: z.string(), owner: z.string(), name: z.string(), architecture: z.string(), vkey: z.string().nullable(), featurizer: FeaturizerSpecSchema.nullable().describe('committed beside the hash: what binds a proof to item text') })
  .describe('a committed model');
export type ModelView = z.infer<typeof ModelView>;

export const ConservationView = z.strictObject({ minted: MicroText, held: MicroText, ok: z.boolean() });

export const StateView = z
  .strictObject({
    community: z.string().nullable(),
    seq: z.number().int().min(0),
    accepted: z.number().int().min(0),
    rejected: z.number().int().min(0),
    clock: z.number().int().min(0).describe('the latest event time applied (ms)'),
    rounds: z.array(z.strictObject({ round: z.number().int(), phase: Phase, items: z.number().int() })),
    treasury: MicroText,
    conservation: ConservationView,
    stateHash: z.string().describe('sha-256 of the canonical state: equal on every node that applied the same log'),
  })
  .describe('state summary');
export type StateView = z.infer<typeof StateView>;

const ItemInputView = z.union([z.strictObject({ text: z.string() }), z.strictObject({ features: z.array(z.number().int()) })]);

export const RoundView = z
  .strictObject({
    round: z.number().int(),
    phase: Phase,
    subsidyPerItem: MicroText,
    tradingDeadline: z.number().int(),
    revealDeadline: z.number().int(),
    seed: z.string().nullable(),
    items: z.array(z.strictObject({ id: z.string(), outcomes: z.number().int(), input: ItemInputView })),
    sealed: z.array(z.strictObject({ commit: z.string(), trader: z.string(), item: z.string(), model: z.string(), maxCost: MicroText, revealed: z.boolean() })),
    outcomes: z.array(z.strictObject({ item: z.string(), outcome: z.number().int().nullable() })),
  })
  .describe('one round');
export type RoundView = z.infer<typeof RoundView>;

export const MarketView = z
  .strictObject({
    round: z.number().int(),
    item: z.string(),
    outcomes: z.number().int(),
    b: MicroText.describe('LMSR liquidity parameter'),
    subsidy: MicroText,
    q: z.array(MicroText).describe('outstanding shares per outcome'),
    prices: z.array(MicroText).describe('prices at PROB_SCALE (10^12)'),
    volume: MicroText,
    trades: z.number().int(),
    outcome: z.number().int().nullable(),
    voided: z.boolean(),
    settled: z.boolean(),
    positions: z.array(
      z.strictObject({ model: z.string(), trader: z.string(), shares: z.array(MicroText), netCost: MicroText, belief: z.array(MicroText).nullable() }),
    ),
  })
  .describe('one item market');
export type MarketView = z.infer<typeof MarketView>;

export const LeaderboardRow = z.strictObject({
  rank: z.number().int().min(1),
  hash: z.string(),
  name: z.string(),
  owner: z.string(),
  pnl: MicroText,
  itemsTraded: z.number().int(),
  scoredItems: z.number().int(),
  logLoss: z.string().nullable().describe('mean log loss (display only; exact sums stay in state)'),
  brier: z.string().nullable(),
  calibration: z.array(z.strictObject({ bucket: z.string(), predictions: z.number().int(), hits: z.number().int() })),
  history: z.array(z.strictObject({ round: z.number().int(), pnl: MicroText, items: z.number().int() })),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRow>;
export const LeaderboardView = z.strictObject({ rows: z.array(LeaderboardRow) }).describe('models ranked by profit');

export const LoggedEvent = z.strictObject({
  seq: z.number().int().min(1),
  cid: z.string(),
  type: z.string(),
  author: z.string(),
  round: z.number().int().nullable(),
  event: SignedEventSchema,
});
export type LoggedEvent = z.infer<typeof LoggedEvent>;
export const EventsPage = z.strictObject({ events: z.array(LoggedEvent), head: z.number().int().min(0) }).describe('events with seq > after, in order');
export type EventsPage = z.infer<typeof EventsPage>;

export const MemberView = z
  .strictObject({
    did: z.string(),
    left: z.boolean(),
    bond: MicroText,
    unbonding: z.strictObject({ amount: MicroText, availableAt: z.number().int() }).nullable(),
    slashed: MicroText,
    rewarded: MicroText,
  })
  .describe('one community member: bond, unbonding, slashes and rewards');
export type MemberView = z.infer<typeof MemberView>;

const Deadlines = z.strictObject({ trading: z.number().int(), tradeReveal: z.number().int(), labelCommit: z.number().int(), labelReveal: z.number().int() });
const DidAmount = z.strictObject({ did: z.string(), amount: MicroText });
export const CommitteeView = z
  .strictObject({
    round: z.number().int(),
    phase: Phase,
    seed: z.string(),
    beaconRound: z.number().int(),
    members: z.array(z.string()),
    committed: z.array(z.string()),
    revealed: z.array(z.string()),
    resolved: z.boolean(),
    labels: z.array(z.strictObject({ item: z.string(), label: z.number().int().nullable() })),
    rewards: z.array(DidAmount),
    penalties: z.array(DidAmount),
    deadlines: Deadlines,
  })
  .describe("a round's labelling committee: seats, who committed and revealed, labels, rewards and penalties");
export type CommitteeView = z.infer<typeof CommitteeView>;

export const SubmissionView = z.strictObject({
  id: z.string(),
  submitter: z.string(),
  outcomes: z.number().int(),
  buckets: z.array(z.number().int()).nullable(),
  status: z.string(),
  voidReason: z.string().nullable(),
});
export type SubmissionView = z.infer<typeof SubmissionView>;
export const SubmissionsView = z.strictObject({ round: z.number().int(), submissions: z.array(SubmissionView) }).describe("members' item submissions to a round");
export type SubmissionsView = z.infer<typeof SubmissionsView>;
