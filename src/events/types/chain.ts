import { z } from 'zod';
import { DidText, Micro, RoundNumber } from './common.js';

/**
 * On-chain treasury events. The node reads the chain (deposits, claims, token balances) and records
 * what it saw in admin-signed events, so replaying the log never needs the chain. Addresses and
 * hashes are lower-case hex: one spelling per value (the text is signed).
 */
const Address = z.string().regex(/^0x[0-9a-f]{40}$/, 'a lower-case 0x address of 40 hex digits');
const TxHash = z.string().regex(/^0x[0-9a-f]{64}$/, 'a lower-case 0x transaction hash of 64 hex digits');
const Bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'a lower-case 0x 32-byte hex value');
const ChainId = z.number().int().min(1).max(2 ** 32);
const BlockNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** balanceOf can exceed the 24 digits of Micro (18-decimal tokens): any uint256 in canonical decimal. */
const Uint256 = z.string().regex(/^(0|[1-9]\d{0,77})$/, 'a canonical decimal integer: no leading zeros, no sign, at most 78 digits');
const LogIndex = z.number().int().min(0).max(1_000_000);
/** A payout root's number on the treasury: each published root is the next epoch (uint64 on chain). */
const Epoch = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Where a log came from on chain: (txHash, logIndex) names it once, whatever reorgs do to blocks. */
const LogRef = { txHash: TxHash, logIndex: LogIndex, blockNumber: BlockNumber };

export const CHAIN_EVENTS = {
  /** Admin, once: the community's treasury contract and its token. */
  'chain.configure': z.strictObject({ chainId: ChainId, treasury: Address, token: Address }),
  /** Admin (the node's watcher): a confirmed Deposited log; credits did:pkh of `from`. */
  'chain.deposit': z.strictObject({ ...LogRef, from: Address, amount: Micro }),
  /** A did:pkh member moves ledger money out to be claimed on chain from the next payout root. */
  'chain.withdraw': z.strictObject({ amount: Micro }),
  /** Admin: the StandardMerkleTree root of (address, cumulative claimable), the treasury's root number `epoch` (1, 2, …). */
  'chain.root': z.strictObject({ epoch: Epoch, root: Bytes32 }),
  /** Admin (the node's watcher): a confirmed Claimed log. */
  'chain.claim': z.strictObject({ ...LogRef, account: Address, amount: Micro, cumulative: Micro }),
  /** Admin, after the claim window of the root of `epoch` closed on chain: unclaimed money returns to the treasury. */
  'chain.expire': z.strictObject({ epoch: Epoch }),
  /** Admin: the treasury anchored (round, state digest, seq) on chain in `txHash`. */
  'chain.anchor': z.strictObject({ round: RoundNumber, seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), stateDigest: Bytes32, txHash: TxHash }),
  /** Admin (the node): `member`'s balanceOf the gate token at `blockNumber`, read on chain: the token gate's decision input. */
  'chain.balance': z.strictObject({ member: DidText, blockNumber: BlockNumber, balance: Uint256 }),
} as const;
