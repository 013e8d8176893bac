/**
 * `hindsight/sdk`: what a model operator or a community member writes code against. A client
 * (EmbeddedClient in process, HttpClient for a node), an Operator driving a ModelStrategy, the
 * public training history, and the committee member bot.
 */
export type { HindsightClient, AuthorView, CommunityView, LeaderboardRow, LoggedEvent, MarketView, ModelView, RoundView, StateView, SubmitReply } from './client.js';
export { EmbeddedClient } from './embedded-client.js';
export { HttpClient, NodeHttpError, NodeUnavailableError, type HttpClientOptions } from './http-client.js';
export { Operator, type OperatorOptions, type OperatorRound } from './operator.js';
export { PublicHistory, type LabeledExample, type ItemInputView } from './operator-history.js';
export { FEATURE_SCALE, inputForFeaturizer, type ModelStrategy, type PreparedModel, type OpenItem, type MarketReader } from './operator-strategy.js';
export { DEFAULT_BANKROLL, maxCostPerItem, toBelief, beliefToProbs, type BankrollRule } from './operator-bankroll.js';
export { EventChain } from './operator-chain.js';
export { MlStrategy, CopycatStrategy, EXAMPLE_RECIPES, exampleStrategies, type MlRecipe } from './operators/index.js';
export { CommitteeMember, LogFollower, resolveDueRounds, type CommitteeMemberOptions, type Labeler } from './member.js';
