import type { EventType } from '../events/registry.js';
import { chainAnchorHandler, chainBalanceHandler, chainClaimHandler, chainConfigureHandler, chainDepositHandler, chainExpireHandler, chainRootHandler, chainWithdrawHandler } from './chain.js';
import { committeeOpening } from './committee.js';
import { communityCreateHandler } from './community.js';
import { dataGrantHandler, dataPutHandler, dataRevokeHandler } from './data.js';
import { flAggregateHandler, flJoinHandler, flPayHandler, flStageHandler, flTaskHandler, flUpdateHandler } from './fl.js';
import { itemExpireHandler, itemKeyHandler, itemSubmitHandler, submissionOpening } from './items.js';
import { labelCommitHandler, labelExposeHandler, labelResolveHandler, labelRevealHandler } from './labels.js';
import { ledgerMintHandler, ledgerTransferHandler, treasuryFundHandler } from './ledger.js';
import { memberBondHandler, memberJoinHandler, memberLeaveHandler, memberUnbondHandler, memberWithdrawHandler } from './membership.js';
import { modelCommitHandler } from './models.js';
import { accessReportHandler, roundComputeHandler } from './compute.js';
import { rulesChangeHandler, rulesEnactHandler, rulesFunctionHandler, rulesProposeHandler, rulesVoteHandler } from './reward-rules.js';
import { zkBatchHandler, zkVkeyHandler } from './proofs.js';
import { roundCloseHandler, roundItemsHandler, roundOpenHandler, roundScheduleHandler, roundVoidHandler } from './rounds.js';
import type { Handler } from './rules.js';
import { roundResolveHandler, roundSettleHandler } from './settle.js';
import { tradeCommitHandler, tradeExecuteHandler, tradeRevealHandler } from './trades.js';

/** One handler per event type of the event table; a missing, extra or mistyped entry fails to compile. */
export type HandlerTable = { readonly [T in EventType]: Handler<T> };

/** The game's rules: event type → the handler apply runs for it. */
export const HANDLERS = {
  'community.create': communityCreateHandler,
  'ledger.mint': ledgerMintHandler,
  'ledger.transfer': ledgerTransferHandler,
  'treasury.fund': treasuryFundHandler,
  'model.commit': modelCommitHandler,
  'round.schedule': roundScheduleHandler,
  'round.items': roundItemsHandler,
  // Committee draw, then member-submitted items: their plans run in this order, then their commits.
  'round.open': roundOpenHandler([committeeOpening, submissionOpening]),
  'round.close': roundCloseHandler,
  'round.resolve': roundResolveHandler,
  'round.settle': roundSettleHandler,
  'round.void': roundVoidHandler,
  'trade.commit': tradeCommitHandler,
  'trade.reveal': tradeRevealHandler,
  'trade.execute': tradeExecuteHandler,
  'member.join': memberJoinHandler,
  'member.bond': memberBondHandler,
  'member.unbond': memberUnbondHandler,
  'member.withdraw': memberWithdrawHandler,
  'member.leave': memberLeaveHandler,
  'item.submit': itemSubmitHandler,
  'item.key': itemKeyHandler,
  'item.expire': itemExpireHandler,
  'label.commit': labelCommitHandler,
  'label.reveal': labelRevealHandler,
  'label.expose': labelExposeHandler,
  'label.resolve': labelResolveHandler,
  'zk.vkey': zkVkeyHandler,
  'zk.batch': zkBatchHandler,
  'fl.task': flTaskHandler,
  'fl.join': flJoinHandler,
  'fl.update': flUpdateHandler,
  'fl.aggregate': flAggregateHandler,
  'fl.pay': flPayHandler,
  'fl.stage': flStageHandler,
  'data.put': dataPutHandler,
  'data.grant': dataGrantHandler,
  'data.revoke': dataRevokeHandler,
  'chain.configure': chainConfigureHandler,
  'chain.deposit': chainDepositHandler,
  'chain.withdraw': chainWithdrawHandler,
  'chain.root': chainRootHandler,
  'chain.claim': chainClaimHandler,
  'chain.expire': chainExpireHandler,
  'chain.anchor': chainAnchorHandler,
  'chain.balance': chainBalanceHandler,
  'rules.function': rulesFunctionHandler,
  'rules.change': rulesChangeHandler,
  'rules.propose': rulesProposeHandler,
  'rules.vote': rulesVoteHandler,
  'rules.enact': rulesEnactHandler,
  'access.report': accessReportHandler,
  'round.compute': roundComputeHandler,
} as const satisfies HandlerTable;
