/**
 * The treasury contract from TypeScript: deploy (with a local test token), deposit, publish a payout
 * root, claim, anchor, read status and confirmed logs. Every write waits for its receipt and
 * returns the gas it used; a revert surfaces as `chain.reverted` with the contract's error name.
 */
import { BaseError, ContractFunctionRevertedError, parseEventLogs, type Address, type Hex, type Log } from 'viem';
import { HindsightError } from '../core/errors.js';
import { deployContract, type ChainClients } from './clients.js';
import { projectContracts } from './contracts.js';

export type TreasuryAddresses = { treasury: Address; token: Address };
export type Tx = { hash: Hex; gasUsed: bigint; blockNumber: bigint };

/** Default claim window: 30 days. */
export const DEFAULT_CLAIM_WINDOW = 30n * 24n * 3600n;

function treasuryAbi() {
  return projectContracts().HindsightTreasury.abi;
}
function tokenAbi() {
  return projectContracts().TestToken.abi;
}

/** Runs a contract write and waits for it; reverts become HindsightError('chain.reverted') naming the error. */
export async function send(c: ChainClients, request: { address: Address; abi: readonly unknown[]; functionName: string; args: readonly unknown[]; gas?: bigint }): Promise<Tx> {
  let hash: Hex;
  try {
    // Simulating first turns a revert into a decoded custom error instead of a bare failed receipt.
    await c.publicClient.simulateContract({ ...request, abi: request.abi as never, account: c.account } as never);
    hash = await c.walletClient.writeContract({ ...request, abi: request.abi as never, account: c.account, chain: c.chain } as never);
  } catch (error) {
    throw revertError(request.functionName, error);
  }
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new HindsightError('chain.reverted', `${request.functionName}: expected success, got a reverted transaction ${hash}`, { hash });
  return { hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
}

export function revertError(fn: string, error: unknown): HindsightError {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      const name = revert.data?.errorName ?? revert.reason ?? 'unknown';
      const args = (revert.data?.args ?? []).map((a) => String(a));
      return new HindsightError('chain.reverted', `${fn}: expected the contract to accept it, got revert ${name}(${args.join(', ')})`, { error: name, args }, { cause: error });
    }
    return new HindsightError('chain.rpcFailed', `${fn}: expected the chain to answer, got ${error.shortMessage}`, {}, { cause: error });
  }
  return new HindsightError('chain.rpcFailed', `${fn}: expected the chain to answer, got ${String(error)}`, {}, { cause: error });
}

/** Deploys the test token and a treasury for it with `c.account` as admin. */
export async function deployTreasury(c: ChainClients, options: { claimWindow?: bigint; token?: Address } = {}): Promise<TreasuryAddresses & { gas: { token: bigint; treasury: bigint } }> {
  const { HindsightTreasury, TestToken } = projectContracts();
  let token = options.token;
  let tokenGas = 0n;
  if (!token) {
    const t = await deployContract(c, TestToken);
    token = t.address;
    tokenGas = t.gasUsed;
  }
  const tr = await deployContract(c, HindsightTreasury, [token, c.account.address, options.claimWindow ?? DEFAULT_CLAIM_WINDOW]);
  return { treasury: tr.address, token, gas: { token: tokenGas, treasury: tr.gasUsed } };
}

export async function mintTestToken(c: ChainClients, token: Address, to: Address, amount: bigint): Promise<Tx> {
  return send(c, { address: token, abi: tokenAbi(), functionName: 'mint', args: [to, amount] });
}

/** Approves (when the allowance is short) and deposits; returns the deposit transaction. */
export async function deposit(c: ChainClients, a: TreasuryAddresses, amount: bigint): Promise<Tx> {
  const allowance = (await c.publicClient.readContract({ address: a.token, abi: tokenAbi(), functionName: 'allowance', args: [c.account.address, a.treasury] })) as bigint;
  if (allowance < amount) await send(c, { address: a.token, abi: tokenAbi(), functionName: 'approve', args: [a.treasury, amount] });
  return send(c, { address: a.treasury, abi: treasuryAbi(), functionName: 'deposit', args: [amount] });
}

export async function publishRoot(c: ChainClients, treasury: Address, epoch: number, root: Hex): Promise<Tx> {
  return send(c, { address: treasury, abi: treasuryAbi(), functionName: 'publishRoot', args: [BigInt(epoch), root] });
}

export async function claim(c: ChainClients, treasury: Address, cumulative: bigint, proof: readonly Hex[]): Promise<Tx> {
  return send(c, { address: treasury, abi: treasuryAbi(), functionName: 'claim', args: [cumulative, proof] });
}

export async function anchor(c: ChainClients, treasury: Address, round: number, stateDigest: Hex, seq: number): Promise<Tx> {
  return send(c, { address: treasury, abi: treasuryAbi(), functionName: 'anchor', args: [BigInt(round), stateDigest, BigInt(seq)] });
}

export async function setPaused(c: ChainClients, treasury: Address, paused: boolean): Promise<Tx> {
  return send(c, { address: treasury, abi: treasuryAbi(), functionName: 'setPaused', args: [paused] });
}

export type TreasuryStatus = {
  balance: bigint;
  root: Hex;
  rootEpoch: number;
  deadline: number;
  anchorCount: number;
  paused: boolean;
  admin: Address;
  token: Address;
};

export async function treasuryStatus(c: Pick<ChainClients, 'publicClient'>, treasury: Address, blockNumber?: bigint): Promise<TreasuryStatus> {
  const abi = treasuryAbi();
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    c.publicClient.readContract({ address: treasury, abi, functionName, args, ...(blockNumber === undefined ? {} : { blockNumber }) } as never) as Promise<T>;
  const token = await read<Address>('token');
  const [balance, root, rootEpoch, deadline, anchorCount, paused, admin] = await Promise.all([
    c.publicClient.readContract({ address: token, abi: tokenAbi(), functionName: 'balanceOf', args: [treasury], ...(blockNumber === undefined ? {} : { blockNumber }) }) as Promise<bigint>,
    read<Hex>('root'),
    read<bigint>('rootEpoch'),
    read<bigint>('deadline'),
    read<bigint>('anchorCount'),
    read<boolean>('paused'),
    read<Address>('admin'),
  ]);
  return { balance, root, rootEpoch: Number(rootEpoch), deadline: Number(deadline), anchorCount: Number(anchorCount), paused, admin, token };
}

export async function claimedOf(c: Pick<ChainClients, 'publicClient'>, treasury: Address, account: Address): Promise<bigint> {
  return (await c.publicClient.readContract({ address: treasury, abi: treasuryAbi(), functionName: 'claimed', args: [account] })) as bigint;
}

export type ChainLogRef = { txHash: Hex; logIndex: number; blockNumber: bigint; blockHash: Hex };
export type DepositLog = ChainLogRef & { kind: 'deposit'; from: Address; amount: bigint };
export type ClaimLog = ChainLogRef & { kind: 'claim'; account: Address; amount: bigint; cumulative: bigint };
export type AnchorLog = ChainLogRef & { kind: 'anchor'; round: number; stateDigest: Hex; seq: number };
export type TreasuryLog = DepositLog | ClaimLog | AnchorLog;

/** The on-chain anchor of `round`, or undefined when the round has none. */
export async function anchorOf(c: Pick<ChainClients, 'publicClient'>, treasury: Address, round: number): Promise<{ stateDigest: Hex; seq: number } | undefined> {
  const [stateDigest, seq] = (await c.publicClient.readContract({ address: treasury, abi: treasuryAbi(), functionName: 'anchors', args: [BigInt(round)] })) as [Hex, bigint];
  return /^0x0+$/.test(stateDigest) ? undefined : { stateDigest, seq: Number(seq) };
}

/** Deposit, claim and anchor logs in [fromBlock, toBlock], in chain order. */
export async function treasuryLogs(c: Pick<ChainClients, 'publicClient'>, treasury: Address, fromBlock: bigint, toBlock: bigint): Promise<TreasuryLog[]> {
  if (toBlock < fromBlock) return [];
  const raw = await c.publicClient.getLogs({ address: treasury, fromBlock, toBlock });
  const parsed = parseEventLogs({ abi: treasuryAbi(), logs: raw as Log[] }) as unknown as { eventName: string; args: Record<string, unknown>; transactionHash: Hex; logIndex: number; blockNumber: bigint; blockHash: Hex }[];
  const out: TreasuryLog[] = [];
  for (const l of parsed) {
    const ref = { txHash: l.transactionHash, logIndex: l.logIndex, blockNumber: l.blockNumber, blockHash: l.blockHash };
    if (l.eventName === 'Deposited') out.push({ ...ref, kind: 'deposit', from: l.args.from as Address, amount: l.args.amount as bigint });
    if (l.eventName === 'Claimed') out.push({ ...ref, kind: 'claim', account: l.args.account as Address, amount: l.args.amount as bigint, cumulative: l.args.cumulative as bigint });
    if (l.eventName === 'Anchored') out.push({ ...ref, kind: 'anchor', round: Number(l.args.round as bigint), stateDigest: l.args.stateHash as Hex, seq: Number(l.args.seq as bigint) });
  }
  return out.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}
