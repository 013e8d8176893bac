import { afterAll, describe, expect, it } from 'vitest';
import { parseEther } from 'viem';
import { startAnvil, type AnvilNode } from './anvil.js';
import { anvilAccount, chainClients, deployContract } from './clients.js';
import { projectContracts } from './contracts.js';

let node: AnvilNode | undefined;
afterAll(async () => node?.stop());

// solc's own checks (compiling, its error messages) live in groth16-verifier.test.ts, which loads
// the compiler anyway; this file deploys the project's cached build so it never loads solc's wasm.
describe('anvil harness + viem', () => {
  it('starts anvil on a free port, deploys a compiled contract, transacts, and stops', async () => {
    node = await startAnvil();
    expect(node.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node.chainId).toBe(31337);
    const c = chainClients(node.rpcUrl);
    expect(await c.publicClient.getBalance({ address: anvilAccount(0).address })).toBeGreaterThan(parseEther('1000'));
    const { TestToken } = projectContracts();
    const { address } = await deployContract(c, TestToken);
    const hash = await c.walletClient.writeContract({ address, abi: TestToken.abi, functionName: 'mint', args: [anvilAccount(1).address, 5n], account: c.account, chain: c.chain });
    await c.publicClient.waitForTransactionReceipt({ hash });
    expect(await c.publicClient.readContract({ address, abi: TestToken.abi, functionName: 'balanceOf', args: [anvilAccount(1).address] })).toBe(5n);
    const pid = node.pid;
    await node.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    node = undefined;
  });
});
