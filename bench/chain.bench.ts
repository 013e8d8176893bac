/**
 * `hindsight bench chain --json`: gas of the treasury on a local anvil — deploy, deposit (the first
 * one also writes the depositor's claim slot, so its first claim is cheap), anchor, root
 * publication, claims (first and later, in a tree of 1,025 accounts; by a depositor and by an
 * account that never deposited), a claim covering 1 round against one covering 10, and the
 * exported Groth16 verifier's verifyProof.
 */
import type { Hex } from 'viem';
import type { BenchOptions } from './bench-types.js';
import { startAnvil } from '../src/chain/anvil.js';
import { chainClients, deployContract } from '../src/chain/clients.js';
import { anchor, claim, deployTreasury, deposit, mintTestToken, publishRoot, send } from '../src/chain/treasury.js';
import { payoutProof, payoutTree, type PayoutEntry } from '../src/game/payout-tree.js';
import { GROTH16_VERIFY_GAS } from '../src/chain/groth16.js';

/**
 * Uniswap's MerkleDistributor (github.com/Uniswap/merkle-distributor, test/MerkleDistributor.spec.ts,
 * "gas" cases): 78,466 for the first claim in a two-account tree and 62,000–95,000 across its larger
 * trees. It marks a bitmap, pays a fixed amount once and pays no cumulative difference; quoted here
 * because it is the usual yardstick for Merkle claims, measured by its authors with their compiler.
 */
export const UNISWAP_MERKLE_DISTRIBUTOR_CLAIM_GAS = { min: 62_000, max: 95_000 };

const FILLER = 1021;

export async function run(options: BenchOptions): Promise<object> {
  const node = await startAnvil({ accounts: 5 });
  try {
    const admin = chainClients(node.rpcUrl);
    // a, b and c deposit; d holds the token but never deposits (its first claim writes a fresh slot).
    const [a, b, c, dd] = [1, 2, 3, 4].map((i) => chainClients(node.rpcUrl, { accountIndex: i }));
    const d = await deployTreasury(admin, { claimWindow: 30n * 24n * 3600n });
    const addr = { treasury: d.treasury, token: d.token };
    for (const u of [a!, b!, c!, dd!]) await mintTestToken(admin, addr.token, u.account.address, 1_000_000n);
    const firstDeposit = await deposit(a!, addr, 100_000n);
    const laterDeposit = await deposit(a!, addr, 100_000n);
    await deposit(b!, addr, 100_000n);
    // c deposits all it has: its first claim writes a fresh token balance slot (the costliest case).
    await deposit(c!, addr, 1_000_000n);

    const filler: PayoutEntry[] = Array.from({ length: FILLER }, (_, i) => ({ account: `0x${(i + 1).toString(16).padStart(40, '0')}`, cumulative: 1n }));
    const cum = { a: 0n, b: 10n, c: 10n, d: 10n };
    const tree = () =>
      payoutTree([...filler, { account: a!.account.address, cumulative: cum.a }, { account: b!.account.address, cumulative: cum.b }, { account: c!.account.address, cumulative: cum.c }, { account: dd!.account.address, cumulative: cum.d }].filter((e) => e.cumulative > 0n));
    const proof = (t: ReturnType<typeof tree>, who: typeof a) => payoutProof(t, who!.account.address)!;
    const roots: bigint[] = [];
    let round = 0;
    const publish = async () => {
      const t = tree();
      roots.push((await publishRoot(admin, addr.treasury, ++round, t.root as Hex)).gasUsed);
      return t;
    };

    // One round: b and c claim (b's first claim has a token balance already; c's has none).
    let t = await publish();
    const pb = proof(t, b);
    const claimOneRound = (await claim(b!, addr.treasury, pb.cumulative, pb.proof as Hex[])).gasUsed;
    const pc = proof(t, c);
    const claimFreshHolder = (await claim(c!, addr.treasury, pc.cumulative, pc.proof as Hex[])).gasUsed;
    const pd = proof(t, dd);
    const claimNoDeposit = (await claim(dd!, addr.treasury, pd.cumulative, pd.proof as Hex[])).gasUsed;
    // Ten rounds: a's cumulative grows every round; it claims once at the end. b claims once more after one round.
    for (let i = 0; i < 10; i++) {
      cum.a += 10n;
      t = await publish();
    }
    const pa = proof(t, a);
    const claimTenRounds = (await claim(a!, addr.treasury, pa.cumulative, pa.proof as Hex[])).gasUsed;
    cum.b += 10n;
    t = await publish();
    const pb2 = proof(t, b);
    const claimLater = (await claim(b!, addr.treasury, pb2.cumulative, pb2.proof as Hex[])).gasUsed;

    const anchorGas = (await anchor(admin, addr.treasury, 1, `0x${'ab'.repeat(32)}`, 100)).gasUsed;
    const out: Record<string, unknown> = {
      chain: 'anvil (cancun, solc-js optimizer 10,000 runs)',
      treeAccounts: FILLER + 4,
      proofDepth: pa.proof.length,
      gas: {
        deployTreasury: Number(d.gas.treasury),
        deployTestToken: Number(d.gas.token),
        depositFirst: Number(firstDeposit.gasUsed),
        depositLater: Number(laterDeposit.gasUsed),
        publishRoot: Number(roots[roots.length - 1]),
        anchor: Number(anchorGas),
        claimFirstHolder: Number(claimOneRound),
        claimFirstFreshBalance: Number(claimFreshHolder),
        claimFirstNeverDeposited: Number(claimNoDeposit),
        claimLater: Number(claimLater),
        claimCovering1Round: Number(claimOneRound),
        claimCovering10Rounds: Number(claimTenRounds),
      },
      uniswapMerkleDistributorClaim: UNISWAP_MERKLE_DISTRIBUTOR_CLAIM_GAS,
      goalClaimAtMost70k: claimOneRound <= 70_000n && claimTenRounds <= 70_000n && claimLater <= 70_000n,
      // The first deposit writes the account's claim slot (zero -> nonzero) so its claims write nonzero -> nonzero.
      goalScope: 'claims by accounts that deposited and still hold the token; the first deposit pays the zero->nonzero claim-slot write',
    };
    if (!options.quick) out.groth16 = await groth16Gas(admin);
    return out;
  } finally {
    await node.stop();
  }
}

/** Gas of verifyProof for a real model proof, sent as a transaction with the fixed limit every caller uses. */
async function groth16Gas(admin: ReturnType<typeof chainClients>): Promise<object> {
  const { buildModelCircuit, proveInference } = await import('../src/zk/inference.js');
  const { solidityProofArgs, solidityVerifierSource, VERIFIER_CONTRACT } = await import('../src/zk/solidity.js');
  const { compileSolidity } = await import('../src/chain/solc.js');
  const { randomInputs, randomLogReg, seededRandom } = await import('../test/support/test-models.js');
  const { terminateCurve } = await import('../src/zk/curve.js');
  try {
    const model = randomLogReg(8, 2, true, { seed: 11 });
    const mc = await buildModelCircuit(model, { binding: 'hash', items: 1 });
    const x = randomInputs(seededRandom(3), 8, mc.layout.input.bits, mc.layout.input.signed);
    const p = await proveInference(mc, model, [x]);
    const verifier = compileSolidity({ 'Verifier.sol': await solidityVerifierSource(mc.setup.zkeyPath) })[VERIFIER_CONTRACT]!;
    const { address } = await deployContract(admin, verifier);
    const args = await solidityProofArgs(p.proof, p.publicSignals);
    const estimated = await admin.publicClient.estimateContractGas({ address, abi: verifier.abi, functionName: 'verifyProof', args, account: admin.account });
    const tx = await send(admin, { address, abi: verifier.abi, functionName: 'verifyProof', args, gas: GROTH16_VERIFY_GAS });
    return { publicSignals: p.publicSignals.length, verifyGasUsed: Number(tx.gasUsed), estimateGas: Number(estimated), fixedLimit: Number(GROTH16_VERIFY_GAS) };
  } finally {
    await terminateCurve();
  }
}
