/**
 * viem clients for a chain (anvil by default) and a deploy helper.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { HindsightError } from '../core/errors.js';
import { ANVIL_MNEMONIC } from './anvil.js';

export type ChainClients = {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  account: Account;
};

export function localChain(rpcUrl: string, chainId = 31337): Chain {
  return defineChain({
    id: chainId,
    name: 'hindsight-local',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** Anvil's i-th dev private key (for did:pkh signers of the same account). */
export function anvilPrivateKey(index = 0): Hex {
  const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new HindsightError('chain.deployFailed', `dev account ${index}: expected a private key, got none`);
  return `0x${Buffer.from(key).toString('hex')}`;
}

/** Anvil's i-th pre-funded dev account. */
export function anvilAccount(index = 0): Account {
  return mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
}

export function chainClients(rpcUrl: string, options: { chainId?: number; privateKey?: Hex; accountIndex?: number } = {}): ChainClients {
  const chain = localChain(rpcUrl, options.chainId);
  const account = options.privateKey ? privateKeyToAccount(options.privateKey) : anvilAccount(options.accountIndex ?? 0);
  const transport = http(rpcUrl);
  return {
    chain,
    account,
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ chain, transport, account }),
  };
}

/** Deploys a contract and waits for its receipt; returns the address. */
export async function deployContract(c: ChainClients, contract: { abi: Abi; bytecode: Hex }, args: readonly unknown[] = []): Promise<{ address: Address; gasUsed: bigint }> {
  const hash = await c.walletClient.deployContract({ abi: contract.abi, bytecode: contract.bytecode, args, account: c.account, chain: c.chain });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress || receipt.status !== 'success') {
    throw new HindsightError('chain.deployFailed', `deploy: expected a contract address, got status ${receipt.status}`);
  }
  return { address: receipt.contractAddress, gasUsed: receipt.gasUsed };
}
