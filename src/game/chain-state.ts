/** What the game knows of the community's on-chain treasury (src/game/chain.ts). Money is token units = micro-units. */
export type ChainAccount = {
  /** Cumulative amount moved out of the ledger to be claimed on chain (chain.withdraw), less what expired. */
  allocated: bigint;
  /** Cumulative amount the contract paid (chain.claim), equal to the contract's `claimed[account]`. */
  paid: bigint;
};

export type ChainState = {
  config: { chainId: number; treasury: string; token: string } | null;
  /** `${txHash}:${logIndex}` of every deposit and claim recorded: each log counts once. */
  seen: Set<string>;
  deposited: bigint;
  withdrawn: bigint;
  paid: bigint;
  /** Unclaimed money that returned to the ledger treasury after a claim window closed. */
  returned: bigint;
  /** By lower-case address. */
  accounts: Map<string, ChainAccount>;
  /**
   * The latest payout root, whether its claim window was closed by chain.expire, and `withdrawn` as
   * it stood when the root was logged (a later withdrawal means the next root is due).
   */
  root: { epoch: number; root: string; seq: number; expired: boolean; withdrawn: bigint } | null;
  roots: number;
  anchors: Map<number, { seq: number; stateDigest: string; txHash: string }>;
  /** Token-gate inputs: balanceOf per member DID at a block, as the node read it. */
  balances: Map<string, { blockNumber: number; balance: bigint }>;
};

export function emptyChainState(): ChainState {
  return { config: null, seen: new Set(), deposited: 0n, withdrawn: 0n, paid: 0n, returned: 0n, accounts: new Map(), root: null, roots: 0, anchors: new Map(), balances: new Map() };
}

/** The treasury's token balance the ledger expects on chain: deposits − claims paid. */
export function expectedTreasuryBalance(c: ChainState): bigint {
  return c.deposited - c.paid;
}

/** True when a withdrawal happened since the latest root: the treasury needs a new root for it. */
export function rootDue(c: ChainState): boolean {
  return c.withdrawn > (c.root?.withdrawn ?? 0n);
}
