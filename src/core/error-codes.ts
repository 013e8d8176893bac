/**
 * Every error code, in one casing: dotted lowerCamel segments, `area.whatWentWrong`
 * (`zk.proofInvalid`, `fl.secagg.sessionReused`). HindsightError and every helper that builds one
 * take an ErrorCode, so a code that is not listed here does not compile. Codes are part of the API:
 * HTTP clients and rejection receipts carry them, so renaming one is a breaking change (docs/api.md,
 * "Error codes", lists past renames). error-codes.test.ts checks the casing, that codes are unique and
 * that each one is used somewhere in src/.
 */
export const ERROR_CODES = {
  /** ML model artifacts (files) */
  artifact: ['artifact.invalid'],
  /** game: admin / resolver rights */
  auth: ['auth.notAdmin', 'auth.notResolver'],
  /** sdk: operator bankroll */
  bankroll: ['bankroll.invalid'],
  /** beliefs (probability vectors) */
  belief: ['belief.invalid', 'belief.notDistribution', 'belief.wrongLength'],
  /** the bench command */
  bench: ['bench.unknown'],
  /** CACAO delegations */
  cacao: ['cacao.badSignature', 'cacao.capMismatch', 'cacao.expired', 'cacao.invalid', 'cacao.noExpiry',
    'cacao.notYetValid', 'cacao.wrongAudience', 'cacao.wrongIssuer', 'cacao.wrongResource'],
  /** local EVM chain (anvil, solc, deploys) */
  chain: ['chain.alreadyAnchored', 'chain.alreadyConfigured', 'chain.anchorFuture', 'chain.anvilMissing',
    'chain.anvilStart', 'chain.claimMismatch', 'chain.contractsMissing', 'chain.deployFailed',
    'chain.duplicateLog', 'chain.noRoot', 'chain.notConfigured', 'chain.notPkh', 'chain.nothingToPublish',
    'chain.reverted', 'chain.rootMismatch', 'chain.rootStale', 'chain.rpcFailed', 'chain.solcFailed', 'chain.staleEpoch',
    'chain.unknownAccount'],
  /** content ids */
  cid: ['cid.invalid', 'cid.nonCanonical'],
  /** command-line arguments */
  cli: ['cli.badAttestation', 'cli.badFormat', 'cli.badInteger', 'cli.badItem', 'cli.badJson',
    'cli.badLabel', 'cli.badMint', 'cli.badModel', 'cli.badNumber', 'cli.badRound', 'cli.badRules', 'cli.badServe',
    'cli.badTime', 'cli.invalid', 'cli.noLabels', 'cli.noSalts', 'cli.noStore', 'cli.nodeAndStore', 'cli.nodeOwnsDir'],
  /** sdk: demo collusion */
  collusion: ['collusion.badFraction'],
  /** game: resolver committee */
  committee: ['committee.disabled', 'committee.none', 'committee.notSeated'],
  /** game: the community */
  community: ['community.creatorNotAdmin', 'community.exists', 'community.missing', 'community.notFound',
    'community.notGenesisAdmin'],
  /** cryptographic primitives (src/crypto) */
  crypto: ['crypto.badLength', 'crypto.lengthMismatch'],
  /** members' encrypted training data: blobs, grants, revocations */
  data: ['data.blob.invalid', 'data.blob.mismatch', 'data.blob.notFound', 'data.decrypt', 'data.epoch', 'data.grant.epoch', 'data.key.invalid', 'data.revoke.unknown', 'data.vault'],
  /** ML datasets */
  dataset: ['dataset.invalid', 'dataset.lineInvalid'],
  /** the demo command */
  demo: ['demo.badOption', 'demo.datasetTooSmall', 'demo.outForeign', 'demo.outNotEmpty'],
  /** DIDs */
  did: ['did.invalid', 'did.nonCanonical', 'did.notKey', 'did.unsupportedKey'],
  /** canonical encoding */
  encoding: ['encoding.invalid', 'encoding.nonCanonical'],
  /** signed events: envelope, schema, author chain */
  event: ['event.forkedPrev', 'event.noHandler', 'event.nonceReplayed', 'event.schema', 'event.timeSkew',
    'event.tooDeep', 'event.tooLarge', 'event.unknownField', 'event.unknownType', 'event.unreadable', 'event.wrongCommunity'],
  /** ML featurizers */
  featurizer: ['featurizer.input', 'featurizer.invalid'],
  /** federated learning: tasks, updates, SecAgg, DP, payments */
  fl: ['fl.aggregate.dropped', 'fl.aggregate.included', 'fl.aggregate.notOperator', 'fl.aggregate.round',
    'fl.dp.invalid', 'fl.join.duplicate', 'fl.join.operator', 'fl.oversize.invalid', 'fl.partition.invalid',
    'fl.pay.finished', 'fl.pay.notOperator', 'fl.pay.notParticipant', 'fl.pay.overBudget', 'fl.payments.invalid',
    'fl.stage.duplicate', 'fl.stage.notOperator', 'fl.stage.notSecure', 'fl.stage.order', 'fl.stage.round', 'fl.stage.slots',
    'fl.update.closed', 'fl.update.notAdmitted', 'fl.update.slot', 'fl.update.next', 'fl.relay.notFound', 'fl.relay.badStep', 'fl.controller.timeout', 'fl.controller.invalid',
    'fl.quantize.invalid', 'fl.robust.invalid', 'fl.secagg.badCiphertext', 'fl.secagg.badShare',
    'fl.secagg.bothShares', 'fl.secagg.config', 'fl.secagg.notParticipant', 'fl.secagg.notSurvivor',
    'fl.secagg.phase', 'fl.secagg.reconstruction', 'fl.secagg.replay', 'fl.secagg.sessionReused',
    'fl.secagg.shape', 'fl.secagg.tooFew', 'fl.shamir.invalid', 'fl.shamir.mismatch', 'fl.strategy.invalid',
    'fl.task.exists', 'fl.task.finished', 'fl.task.unknown', 'fl.train.badShape', 'fl.update.format',
    'fl.update.missing', 'fl.update.notParticipant', 'fl.update.order', 'fl.update.replay',
    'fl.update.shape', 'fl.update.stage', 'fl.update.stale', 'fl.x25519.invalidKey'],
  /** read replicas following a leader */
  follower: ['follower.diverged', 'follower.halted', 'follower.notShared', 'follower.retry',
    'follower.streamDropped', 'follower.timeout'],
  /** hex strings */
  hex: ['hex.invalid'],
  /** HTTP requests to a node */
  http: ['http.badLastEventId', 'http.badRequest', 'http.bodyTooLarge', 'http.emptyBody',
    'http.invalidParams', 'http.invalidQuery', 'http.malformedJson', 'http.notFound', 'http.rateLimited',
    'http.tooDeep', 'http.unsupportedMediaType'],
  /** bugs and broken invariants, never the caller's fault (HTTP 500) */
  internal: ['internal.invariant', 'internal.workerExited'],
  /** game: items */
  item: ['item.badBuckets', 'item.duplicate', 'item.keyDuplicate', 'item.keyEarly', 'item.keyLate',
    'item.keyWindowOpen', 'item.malformedCiphertext', 'item.notLabelable', 'item.notPending',
    'item.notPublished', 'item.notSubmitter', 'item.quota', 'item.roundFull', 'item.tooLarge',
    'item.unknown'],
  /** item files and item features */
  items: ['items.disabled', 'items.invalid'],
  /** game: key publication; signing keys on disk */
  key: ['key.badExpiry', 'key.badResource', 'key.exists', 'key.invalid', 'key.mismatch', 'key.nonCanonical', 'key.unreadable'],
  /** game: labels */
  label: ['label.alreadyExposed', 'label.commitEarly', 'label.commitLate', 'label.duplicate',
    'label.duplicateItem', 'label.exposeLate', 'label.exposeMismatch', 'label.noCommit',
    'label.notCommitted', 'label.nothingToReveal', 'label.resolveEarly', 'label.resolved',
    'label.revealEarly', 'label.revealLate'],
  /** game: balances */
  ledger: ['ledger.insufficientFunds', 'ledger.invalidAmount'],
  /** LMSR markets and fixed-point maths */
  market: ['market.closed', 'market.liquidity', 'market.notFound', 'market.outOfDomain', 'market.outcome',
    'market.outcomes', 'market.quantities', 'market.rule', 'market.shares', 'market.subsidy', 'market.unknown'],
  /** game: membership, bonds, attestations */
  member: ['member.attestationExpired', 'member.attestationMissing', 'member.badAmount',
    'member.badAttestation', 'member.balanceTooLow', 'member.balanceUnknown', 'member.bondTooSmall', 'member.exists',
    'member.gateMisconfigured', 'member.notAllowed', 'member.notAttestor', 'member.notBonded',
    'member.notMember', 'member.nothingUnbonding', 'member.seatOpen', 'member.unbondPending'],
  /** ML training and metrics */
  ml: ['ml.badClasses', 'ml.badRate', 'ml.badSeed', 'ml.badShape', 'ml.lengthMismatch', 'ml.negativeFeature',
    'ml.noPredictions'],
  /** game: committed models */
  model: ['model.committedLate', 'model.exists', 'model.notFound', 'model.notOwner', 'model.ownerMismatch',
    'model.unknown'],
  /** money strings */
  money: ['money.invalid'],
  /** talking to a node (client side) and node set-up */
  node: ['node.adminMismatch', 'node.badResponse', 'node.badUrl', 'node.dirLocked', 'node.historyDiverged', 'node.internal', 'node.noAdmin',
    'node.noStore', 'node.readOnly', 'node.requestInFlight', 'node.streamEnded', 'node.unknownCode', 'node.unreachable'],
  /** sdk: market operator */
  operator: ['operator.badBelief', 'operator.badState'],
  /** POST /v1/predict */
  predict: ['predict.disabled', 'predict.invalidBody', 'predict.noModels', 'predict.unknownModel'],
  /** game: resolution */
  resolve: ['resolve.badOutcome', 'resolve.badSeed', 'resolve.committeeCommunity', 'resolve.computed', 'resolve.duplicateLabel',
    'resolve.notComputed'],
  /** game: reward rules (resolution functions, scoring rule, changes and votes) and access reports */
  rules: ['rules.duplicateVote', 'rules.enacted', 'rules.functionExists', 'rules.noQuorum', 'rules.pastRound',
    'rules.rejected', 'rules.unknownFunction', 'rules.unknownProposal', 'rules.votingClosed', 'rules.votingDisabled',
    'rules.votingOpen'],
  access: ['access.duplicate', 'access.notReporter'],
  /** game: trade reveals */
  reveal: ['reveal.duplicate', 'reveal.late', 'reveal.mismatch', 'reveal.notOwner', 'reveal.unknownCommit',
    'reveal.wrongPhase'],
  /** game: rounds */
  round: ['round.badDeadline', 'round.badSubsidy', 'round.early', 'round.exists', 'round.late',
    'round.noItems', 'round.noSeed', 'round.notFound', 'round.seedExists', 'round.unknown',
    'round.wrongPhase'],
  /** verifiable served answers (blend or leader with proofs) */
  served: ['served.blendMismatch', 'served.featurizerMismatch', 'served.inputMismatch', 'served.invalidAnswer', 'served.logMismatch',
    'served.noModels', 'served.weightMismatch'],
  /** signatures */
  sig: ['sig.incompleteDelegation', 'sig.invalid', 'sig.malformed', 'sig.nonCanonical', 'sig.signerNotKey',
    'sig.unexpectedDelegation'],
  /** request traces (time id size [extra]) */
  trace: ['trace.badLine'],
  /** ml: the streams use case (buckets, windows) */
  streams: ['streams.badBuckets', 'streams.badOption'],
  /** simulation statistics */
  sim: ['sim.lengthMismatch'],
  /** ML dataset splits */
  split: ['split.invalid', 'split.tooSmall'],
  /** proof statements (field elements, model hashes) */
  statement: ['statement.badModelHash', 'statement.notFieldElement'],
  /** event stores */
  store: ['store.appendFailed', 'store.cidMismatch', 'store.closed', 'store.diskFull', 'store.invalidInput',
    'store.invalidUrl', 'store.noLocation', 'store.openFailed', 'store.queryFailed', 'store.schemaTooNew',
    'store.unavailable', 'store.writerFailed'],
  /** game: trades */
  trade: ['trade.badMaxCost', 'trade.continuousDisabled', 'trade.delta', 'trade.duplicate', 'trade.maxCost',
    'trade.maxCostExceeded', 'trade.noOp', 'trade.oversell', 'trade.sealedDisabled', 'trade.sharesNegative',
    'trade.wrongLength'],
  /** game: treasury */
  treasury: ['treasury.insufficient'],
  /** hindsight up: a local community with bots */
  up: ['up.botsNotReady'],
  /** zero-knowledge proofs, circuits and trusted set-up */
  zk: ['zk.archMismatch', 'zk.batchExists', 'zk.beliefMismatch', 'zk.beliefRequired', 'zk.bits', 'zk.circuitBounds', 'zk.digestMismatch',
    'zk.featurizerMismatch', 'zk.noFeaturizer', 'zk.notProvable',
    'zk.circuitName', 'zk.claimMismatch', 'zk.classes', 'zk.compileFailed', 'zk.input', 'zk.inputBits',
    'zk.inputMismatch', 'zk.insecureSetup', 'zk.items', 'zk.layoutUnsupported', 'zk.modelMismatch',
    'zk.noProof', 'zk.noVkey', 'zk.onnxInvalid', 'zk.onnxUnsupported', 'zk.packLength', 'zk.packRange',
    'zk.packValue', 'zk.proofInvalid', 'zk.proofRequired', 'zk.ptauInvalid', 'zk.ptauPower',
    'zk.ptauTooSmall', 'zk.selfCheck', 'zk.signalsMalformed', 'zk.vkeyExists', 'zk.weightsShape',
    'zk.zkeyFailed'],
} as const;

export type ErrorArea = keyof typeof ERROR_CODES;
export type ErrorCode = (typeof ERROR_CODES)[ErrorArea][number];

const CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());

/** Every code, flattened (tests, docs). */
export const ALL_ERROR_CODES: readonly ErrorCode[] = Object.values(ERROR_CODES).flat();

/** For codes that arrive at run time (a worker's reply, an HTTP error body): check, never cast. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}
