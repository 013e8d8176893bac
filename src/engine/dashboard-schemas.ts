import { z } from 'zod';
import { Groth16Proof } from '../statement/index.js';

/**
 * Response schemas of the read views the web dashboard needs beyond the core views
 * (view-schemas.ts): a market's trade history, members, a model line's commits, a round's
 * committee progress and totals, FL tasks, the post feed and one proof with its key. Same
 * conventions: money in micro-units as decimal strings, probabilities at PROB_SCALE (10^12).
 */
const MicroText = z.string().regex(/^-?\d+$/).describe('micro-units as a decimal string');
const ProbText = z.string().regex(/^\d+$/).describe('a probability at PROB_SCALE (10^12)');

export const HistoryTrade = z.strictObject({
  index: z.number().int().min(1).describe('execution order within the market'),
  seq: z.number().int().min(1).describe('log position of the event that carried the trade (trade.execute or trade.reveal)'),
  cid: z.string(),
  time: z.number().int(),
  model: z.string(),
  trader: z.string(),
  cost: MicroText,
  prices: z.array(ProbText).describe('prices right after this trade'),
  proof: z.boolean().describe('the trade carried a Groth16 proof the node checked'),
});
export type HistoryTrade = z.infer<typeof HistoryTrade>;

export const MarketHistoryView = z
  .strictObject({
    round: z.number().int(),
    item: z.string(),
    mode: z.enum(['sealed', 'continuous']),
    initial: z.array(ProbText),
    trades: z.array(HistoryTrade),
    outcome: z.number().int().nullable(),
    executed: z.boolean().describe('false while sealed trades wait for the round to resolve'),
  })
  .describe("a market's price after every executed trade, rebuilt from the log");
export type MarketHistoryView = z.infer<typeof MarketHistoryView>;

export const MembersView = z
  .strictObject({
    members: z.array(z.strictObject({ did: z.string(), joinedAt: z.number().int(), left: z.boolean(), bond: MicroText, slashed: MicroText, rewarded: MicroText, balance: MicroText })),
    bonded: MicroText,
  })
  .describe('community members and their bonds');
export type MembersView = z.infer<typeof MembersView>;

export const ModelLineView = z
  .strictObject({
    hash: z.string(),
    owner: z.string(),
    name: z.string(),
    vkey: z.string().nullable(),
    commits: z.array(z.strictObject({ hash: z.string(), name: z.string(), architecture: z.string(), committedAt: z.number().int(), vkey: z.string().nullable() })).describe("the owner's model commits in log order"),
    rounds: z.array(z.strictObject({ round: z.number().int(), pnl: MicroText, items: z.number().int(), logLoss: z.number().nullable(), brier: z.number().nullable() })),
    proven: z.array(z.strictObject({ round: z.number().int(), item: z.string(), cid: z.string() })).describe('events carrying a proof by this model'),
  })
  .describe('a model, its line of commits and its per-round scores');
export type ModelLineView = z.infer<typeof ModelLineView>;

export const RoundDetailView = z
  .strictObject({
    round: z.number().int(),
    phase: z.string(),
    committee: z
      .strictObject({ seats: z.array(z.strictObject({ member: z.string(), commits: z.number().int(), reveals: z.number().int() })), resolved: z.boolean() })
      .nullable(),
    submissions: z.array(z.strictObject({ id: z.string(), submitter: z.string(), status: z.string(), voidReason: z.string().nullable() })),
    totals: z.strictObject({
      items: z.number().int(),
      trades: z.number().int(),
      volume: MicroText,
      subsidy: MicroText,
      subsidySpent: MicroText.describe('what the market maker paid out beyond what traders paid in, over settled markets'),
      marketLogLoss: z.number().nullable().describe('mean −ln(final price of the outcome) over resolved markets'),
      bestModel: z.strictObject({ hash: z.string(), name: z.string(), logLoss: z.number() }).nullable(),
    }),
  })
  .describe("a round's committee progress and totals");
export type RoundDetailView = z.infer<typeof RoundDetailView>;

const Calibration = z.array(z.strictObject({ bucket: z.number().int(), predictions: z.number().int(), hits: z.number().int() }));

export const LineBoardView = z
  .strictObject({
    window: z.number().int(),
    rounds: z.array(z.number().int()).describe('the settled rounds in the window'),
    method: z.string().describe('how calibration is computed'),
    lines: z.array(
      z.strictObject({
        line: z.string().describe('owner + model name'),
        name: z.string(),
        owner: z.string(),
        latest: z.string().describe('the newest model hash of the line'),
        pnl: MicroText,
        items: z.number().int(),
        logLoss: z.number().nullable(),
        brier: z.number().nullable(),
        calibrationError: z.number().nullable().describe('expected calibration error: Σ n_b/N · |hits_b/n_b − mean p_b|'),
        calibration: Calibration,
        cumulative: z.array(z.strictObject({ round: z.number().int(), pnl: MicroText })),
      }),
    ),
    market: z.strictObject({ logLoss: z.number().nullable(), brier: z.number().nullable(), calibrationError: z.number().nullable(), calibration: Calibration }),
  })
  .describe('model lines over a rolling window of settled rounds');
export type LineBoardView = z.infer<typeof LineBoardView>;

export const FlTasksView = z
  .strictObject({
    tasks: z.array(
      z.strictObject({
        task: z.string(), operator: z.string(), parameters: z.number().int(), rounds: z.number().int(), completed: z.number().int(),
        budget: MicroText, paid: MicroText, secureAggregation: z.boolean(),
        participants: z.array(z.strictObject({ did: z.string(), examples: z.number().int(), earned: MicroText })),
        privacy: z
          .strictObject({
            noiseMultiplier: z.number().describe('σ as the task declares it (its fl.task event, millionths made real)'),
            delta: z.string(),
            epsilon: z.number().nullable().describe('ε spent over the completed rounds; null = unbounded (no noise)'),
          })
          .nullable(),
      }),
    ),
    method: z.string().describe('how ε is computed'),
  })
  .describe('federated-learning tasks');
export type FlTasksView = z.infer<typeof FlTasksView>;

export const FeedView = z
  .strictObject({
    posts: z.array(
      z.strictObject({
        round: z.number().int(),
        item: z.string(),
        text: z.string().nullable(),
        phase: z.string(),
        prices: z.array(ProbText).describe('the market price: the served prediction for this post'),
        outcome: z.number().int().nullable(),
        models: z.array(z.strictObject({ model: z.string(), belief: z.array(ProbText).nullable() })),
        submitted: z.boolean().describe('a member submitted it (rather than the community admin)'),
      }),
    ),
    pending: z.array(z.strictObject({ round: z.number().int(), id: z.string(), submitter: z.string(), status: z.string() })).describe('member submissions still sealed'),
  })
  .describe('posts (items and member-submitted messages) newest first');
export type FeedView = z.infer<typeof FeedView>;

export const ProofView = z
  .strictObject({ cid: z.string(), type: z.string(), model: z.string(), proof: Groth16Proof, publicSignals: z.array(z.string()), vkeyId: z.string(), vkey: z.record(z.string(), z.unknown()) })
  .describe('a proof carried by a logged trade, with the verification key to check it');
export type ProofView = z.infer<typeof ProofView>;
