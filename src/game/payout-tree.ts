import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

/**
 * The payout tree the treasury contract checks claims against: OpenZeppelin's StandardMerkleTree
 * (double-hashed leaves, sorted) of (address account, uint256 cumulative claimable). Pure: the game
 * recomputes the root of every chain.root event from its own accounts.
 */
export const PAYOUT_LEAF_ENCODING = ['address', 'uint256'] as const;

export type PayoutEntry = { account: string; cumulative: bigint };

export function payoutTree(entries: readonly PayoutEntry[]): StandardMerkleTree<[string, string]> {
  const sorted = [...entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  return StandardMerkleTree.of(sorted.map((e): [string, string] => [e.account, e.cumulative.toString()]), [...PAYOUT_LEAF_ENCODING]);
}

/** The proof of `account`'s leaf, or undefined when it has none. */
export function payoutProof(tree: StandardMerkleTree<[string, string]>, account: string): { cumulative: bigint; proof: string[] } | undefined {
  const want = account.toLowerCase();
  for (const [i, [a, amount]] of tree.entries()) {
    if (a.toLowerCase() === want) return { cumulative: BigInt(amount), proof: tree.getProof(i) };
  }
  return undefined;
}
