/**
 * The token gate's chain read: balanceOf(owner) of an ERC-20 or ERC-721 at a fixed block (the
 * round's snapshot block, as Snapshot.org strategies do), so every reader gets the same number.
 * The node records the result in a chain.balance event; the game decides joins from that record.
 */
import { parseAbi, type Address } from 'viem';
import type { ChainClients } from './clients.js';
import { revertError } from './treasury.js';

/** ERC-20 and ERC-721 share this signature. */
const BALANCE_OF = parseAbi(['function balanceOf(address owner) view returns (uint256)']);

export async function readTokenBalance(c: Pick<ChainClients, 'publicClient'>, token: { address: Address }, owner: Address, blockNumber: bigint): Promise<bigint> {
  try {
    return await c.publicClient.readContract({ address: token.address, abi: BALANCE_OF, functionName: 'balanceOf', args: [owner], blockNumber });
  } catch (error) {
    throw revertError('balanceOf', error);
  }
}

/** The chain.balance payload for a member DID (did:pkh) read at `blockNumber`. */
export async function balancePayload(c: Pick<ChainClients, 'publicClient'>, token: { address: Address }, member: string, blockNumber: bigint): Promise<{ member: string; blockNumber: number; balance: string }> {
  const owner = member.slice(member.lastIndexOf(':') + 1) as Address;
  const balance = await readTokenBalance(c, token, owner, blockNumber);
  return { member, blockNumber: Number(blockNumber), balance: balance.toString() };
}
