import { afterAll, describe, expect, it } from 'vitest';
import { parseEther } from 'viem';
import { startAnvil, type AnvilNode } from './anvil.js';
import { anvilAccount, chainClients, deployContract } from './clients.js';
import { compileSolidity } from './solc.js';

let node: AnvilNode | undefined;
afterAll(async () => node?.stop());

const counter = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Counter {
  uint256 public count;
  event Bumped(uint256 by);
  function bump(uint256 by) external { count += by; emit Bumped(by); }
}`;

describe('anvil harness + solc-js + viem', () => {
  it('starts anvil on a free port, deploys a compiled contract, transacts, and stops', async () => {
    node = await startAnvil();
    expect(node.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node.chainId).toBe(31337);
    const c = chainClients(node.rpcUrl);
    expect(await c.publicClient.getBalance({ address: anvilAccount(0).address })).toBeGreaterThan(parseEther('1000'));
    const { Counter } = compileSolidity({ 'Counter.sol': counter });
    const { address } = await deployContract(c, Counter);
    const hash = await c.walletClient.writeContract({ address, abi: Counter.abi, functionName: 'bump', args: [5n], account: c.account, chain: c.chain });
    await c.publicClient.waitForTransactionReceipt({ hash });
    expect(await c.publicClient.readContract({ address, abi: Counter.abi, functionName: 'count' })).toBe(5n);
    const pid = node.pid;
    await node.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    node = undefined;
  });

  it('reports solidity errors as "expected …, got …"', () => {
    expect(() => compileSolidity({ 'Bad.sol': 'contract {' })).toThrow(/expected no errors, got/);
  });
});
