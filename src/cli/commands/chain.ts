import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Address, Hex } from 'viem';
import { isErrorCode, ValidationError, type ErrorCode } from '../../core/errors.js';
import { NodeUnavailableError } from '../../sdk/http-client.js';
import { PayoutProofView } from '../../node/chain-routes.js';
import { startAnvil } from '../../chain/anvil.js';
import { chainClients, type ChainClients } from '../../chain/clients.js';
import { anchor, claim, claimedOf, deployTreasury, deposit, mintTestToken, treasuryStatus } from '../../chain/treasury.js';
import { balancePayload } from '../../chain/token-gate.js';
import { printResult } from '../output.js';

/**
 * `hindsight chain`: the community treasury on an EVM chain. `chain up` runs a local anvil with the
 * contracts deployed; the other commands talk to any JSON-RPC endpoint (`--rpc`). Accounts: anvil's
 * dev accounts by index (local only) or `--private-key-file` holding a 0x key.
 */
const AddressArg = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const Bytes32Arg = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const ProofFile = z.strictObject({ cumulative: z.string().regex(/^(0|[1-9]\d{0,77})$/), proof: z.array(Bytes32Arg).max(64) });

type Conn = { rpc: string; treasury: string; account: string; privateKeyFile?: string; json?: boolean };

function arg<T>(schema: z.ZodType<T>, value: string, flag: string, expected: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError('cli.invalid', `${flag}: expected ${expected}, got ${JSON.stringify(value).slice(0, 80)}`, { field: flag });
  return r.data;
}

function amountArg(value: string, flag: string): bigint {
  return BigInt(arg(z.string().regex(/^[1-9]\d{0,77}$/), value, flag, 'a positive integer of token units'));
}

function clientsOf(o: Conn): ChainClients {
  if (o.privateKeyFile) {
    const key = readFileSync(o.privateKeyFile, 'utf8').trim();
    return chainClients(o.rpc, { privateKey: arg(Bytes32Arg, key, '--private-key-file', 'a file holding 0x + 64 hex digits') as Hex });
  }
  return chainClients(o.rpc, { accountIndex: Number(arg(z.string().regex(/^\d{1,3}$/), o.account, '--account', 'an anvil dev account index')) });
}

function conn(cmd: Command, treasury = true): Command {
  cmd.requiredOption('--rpc <url>', 'JSON-RPC endpoint of the chain').option('--account <i>', 'anvil dev account index (local chains only)', '0').option('--private-key-file <file>', 'file holding the account key (0x + 64 hex)').option('--json', 'print one JSON object');
  if (treasury) cmd.requiredOption('--treasury <address>', 'the treasury contract');
  return cmd;
}

function proofFromFile(file: string): z.infer<typeof ProofFile> {
  const parsed = ProofFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ValidationError('cli.badJson', `--proof-file: expected {cumulative, proof: [0x…32 bytes]}, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: '--proof-file' });
  return parsed.data;
}

/** The node's proof for `account`; its errors (no root, no leaf, stale root) come back as they are. */
async function proofFromNode(node: string, account: string): Promise<z.infer<typeof ProofFile>> {
  const url = new URL(`/v1/chain/proof/${account}`, arg(z.string().url(), node, '--node', 'a node URL')).toString();
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new NodeUnavailableError('node.unreachable', `--node: expected a reachable node at ${url}, got ${(error as Error).message}`, { field: 'node' });
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body as { code?: string; message?: string } | null;
    throw new ValidationError(isErrorCode(e?.code) ? e!.code as ErrorCode : 'node.badResponse', `--node: ${e?.message ?? `HTTP ${res.status}`}`, { field: 'node', status: res.status });
  }
  const parsed = PayoutProofView.safeParse(body);
  if (!parsed.success) throw new ValidationError('node.badResponse', `--node: expected a PayoutProofView, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: 'node' });
  return { cumulative: parsed.data.cumulative, proof: parsed.data.proof };
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as object;

export function register(program: Command): void {
  const chain = program.command('chain').description('the community treasury on an EVM chain: local anvil, deposits, claims, anchors');

  chain
    .command('up')
    .description('start a local anvil (from npm), deploy the treasury and a test token, fund dev accounts 1–3; runs until Ctrl-C')
    .option('--claim-window <seconds>', 'how long each payout root stays claimable', String(30 * 24 * 3600))
    .option('--json', 'print one JSON object')
    .action(async (o: { claimWindow: string; json?: boolean }) => {
      const window = amountArg(o.claimWindow, '--claim-window');
      const node = await startAnvil();
      const admin = chainClients(node.rpcUrl);
      const d = await deployTreasury(admin, { claimWindow: window });
      for (const i of [1, 2, 3]) await mintTestToken(admin, d.token, chainClients(node.rpcUrl, { accountIndex: i }).account.address, 1_000_000_000n);
      printResult(json({ rpc: node.rpcUrl, chainId: node.chainId, treasury: d.treasury, token: d.token, admin: admin.account.address, gas: d.gas }), o);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await node.stop();
    });

  conn(chain.command('deposit').description('approve and deposit token units into the treasury (the node credits your did:pkh)'))
    .requiredOption('--amount <units>', 'token units')
    .action(async (o: Conn & { amount: string }) => {
      const c = clientsOf(o);
      const treasury = arg(AddressArg, o.treasury, '--treasury', 'a 0x address') as Address;
      const status = await treasuryStatus(c, treasury);
      const tx = await deposit(c, { treasury, token: status.token }, amountArg(o.amount, '--amount'));
      printResult(json({ from: c.account.address, ...tx }), o);
    });

  conn(chain.command('claim').description('claim what the current payout root owes this account (cumulative minus already claimed)'))
    .option('--node <url>', "fetch this account's proof from the node (GET /v1/chain/proof/:account)")
    .option('--proof-file <file>', 'or: JSON {cumulative, proof} for this account')
    .action(async (o: Conn & { proofFile?: string; node?: string }) => {
      const c = clientsOf(o);
      if ((o.node === undefined) === (o.proofFile === undefined)) throw new ValidationError('cli.invalid', `--node or --proof-file: expected exactly one, got ${o.node && o.proofFile ? 'both' : 'neither'}`, { field: 'node' });
      const proof = o.node !== undefined ? await proofFromNode(o.node, c.account.address) : proofFromFile(o.proofFile!);
      const treasury = arg(AddressArg, o.treasury, '--treasury', 'a 0x address') as Address;
      const tx = await claim(c, treasury, BigInt(proof.cumulative), proof.proof as Hex[]);
      printResult(json({ account: c.account.address, claimed: await claimedOf(c, treasury, c.account.address), ...tx }), o);
    });

  conn(chain.command('anchor').description("as the treasury admin: anchor a settled round's state digest and log position"))
    .requiredOption('--round <n>', 'round number')
    .requiredOption('--state-digest <0x…>', '32-byte digest of the state (the sha2-256 of its stateHash CID)')
    .requiredOption('--seq <n>', 'log position of that state')
    .action(async (o: Conn & { round: string; stateDigest: string; seq: string }) => {
      const c = clientsOf(o);
      const treasury = arg(AddressArg, o.treasury, '--treasury', 'a 0x address') as Address;
      const tx = await anchor(c, treasury, Number(amountArg(o.round, '--round')), arg(Bytes32Arg, o.stateDigest, '--state-digest', '0x + 64 hex digits') as Hex, Number(amountArg(o.seq, '--seq')));
      printResult(json(tx), o);
    });

  conn(chain.command('balance').description("read a member's balanceOf the gate token at a block: the chain.balance payload an admin logs before the member joins"), false)
    .requiredOption('--token <address>', 'the ERC-20 or ERC-721 of the token gate')
    .requiredOption('--member <did>', 'the member as did:pkh:eip155:<chain>:<address>')
    .requiredOption('--block <n>', "the snapshot block (the round's)")
    .action(async (o: Conn & { token: string; member: string; block: string }) => {
      const c = clientsOf(o);
      const member = arg(z.string().regex(/^did:pkh:eip155:\d+:0x[0-9a-fA-F]{40}$/), o.member, '--member', 'a did:pkh:eip155 DID');
      const block = BigInt(arg(z.string().regex(/^(0|[1-9]\d{0,15})$/), o.block, '--block', 'a block number'));
      printResult(await balancePayload(c, { address: arg(AddressArg, o.token, '--token', 'a 0x address') as Address }, member, block), o);
    });

  conn(chain.command('status').description('treasury balance, current root and deadline, anchors, pause'))
    .action(async (o: Conn) => {
      const c = clientsOf(o);
      printResult(json(await treasuryStatus(c, arg(AddressArg, o.treasury, '--treasury', 'a 0x address') as Address)), o);
    });
}
