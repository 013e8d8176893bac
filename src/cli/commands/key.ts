import type { Command } from 'commander';
import { HindsightError, ValidationError } from '../../core/errors.js';
import { DEFAULT_CHAIN_ID, EthereumSigner, SessionSigner, loadSigner, saveSignerFile } from '../../events/eth-keys.js';
import { Ed25519Signer, saveKey } from '../../events/keys.js';
import { printResult } from '../output.js';

/**
 * `hindsight key`: identities. An Ed25519 did:key (the default), an Ethereum account as did:pkh
 * (`--eth`), and a session did:key the Ethereum account delegates to with a SIWE message / CACAO
 * (`key delegate`). Every command that takes `--key` accepts all three files (context.ts `signerFrom`).
 */
export function register(program: Command): void {
  const key = program.command('key').description('identities: did:key, Ethereum did:pkh, delegated session keys');
  key
    .command('new')
    .description('generate a key and save it with mode 0600: an Ed25519 did:key, or with --eth a secp256k1 Ethereum account (did:pkh)')
    .requiredOption('--out <file>', 'where to write the key file')
    .option('--eth', 'an Ethereum (secp256k1) key: identity did:pkh:eip155:<chain>:<address>, signs with EIP-191')
    .option('--chain-id <n>', 'EIP-155 chain id of the did:pkh (with --eth)', String(DEFAULT_CHAIN_ID))
    .option('--json', 'print one JSON object as the last line')
    .action((opts: { out: string; eth?: boolean; chainId: string; json?: boolean }) => {
      if (!opts.eth) {
        const signer = Ed25519Signer.generate();
        saveKey(signer, opts.out);
        printResult({ did: signer.did, kind: 'ed25519', file: opts.out }, opts, (r) => `${(r as { did: string }).did}`);
        return;
      }
      const signer = EthereumSigner.generate(positive(opts.chainId, '--chain-id'));
      saveSignerFile(signer.toKeyFile(), opts.out);
      printResult({ did: signer.did, kind: 'ethereum', address: signer.address, chainId: signer.chainId, file: opts.out }, opts, (r) => `${(r as { did: string }).did}`);
    });

  key
    .command('delegate')
    .description('let a session did:key sign for an Ethereum account: a SIWE message signed by the account becomes a CACAO; the session key file works with every --key')
    .requiredOption('--eth-key <file>', 'the Ethereum key file (hindsight key new --eth)')
    .requiredOption('--out <file>', 'where to write the session key file')
    .option('--expires <when>', 'end of the delegation: a duration from now (90s, 30m, 12h, 7d) or an ISO 8601 date-time', '24h')
    .option('--community <id...>', 'communities the session may act in (hindsight://community/<id> resources)')
    .option('--resources <uri...>', 'further resource URIs, verbatim')
    .option('--node <url>', "take the community from this node when neither --community nor --resources is given")
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { ethKey: string; out: string; expires: string; community?: string[]; resources?: string[]; node?: string; json?: boolean }) => {
      const account = loadSigner(opts.ethKey);
      if (!(account instanceof EthereumSigner)) {
        throw new ValidationError('key.invalid', `--eth-key ${opts.ethKey}: expected an Ethereum key file (hindsight key new --eth), got ${account instanceof SessionSigner ? 'a session key' : 'an Ed25519 key'}`, { field: 'eth-key' });
      }
      let communities = opts.community ?? [];
      if (communities.length === 0 && !opts.resources?.length && opts.node) {
        const { HttpClient } = await import('../../sdk/http-client.js');
        const client = new HttpClient(opts.node);
        try {
          const community = await client.community();
          if (!community) throw new ValidationError('community.missing', `--node ${opts.node}: expected a node with a community, got none`, { field: 'node' });
          communities = [community.id];
        } finally {
          await client.close();
        }
      }
      if (communities.length === 0 && !opts.resources?.length) {
        throw new ValidationError('key.badResource', '--community: expected the communities the session may act in (--community ID, --resources URI or --node URL), got none', { field: 'community' });
      }
      const now = new Date();
      const { delegateSession } = await import('../../events/delegate.js');
      const { signer } = delegateSession({ account, communities, resources: opts.resources, issuedAt: now, expiresAt: parseExpiry(opts.expires, now) });
      saveSignerFile(signer.toKeyFile(), opts.out);
      printResult({ ...(await describe(signer)), file: opts.out }, opts, human);
    });

  key
    .command('show')
    .description('what a key file is: its DID and kind; for a session, the account it signs for, its expiry and resources')
    .requiredOption('--key <file>', 'key file')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { key: string; json?: boolean }) => {
      printResult({ ...(await describe(loadSigner(opts.key))), file: opts.key }, opts, human);
    });
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new ValidationError('cli.badNumber', `${flag}: expected a positive integer, got ${value}`, { field: flag.slice(2) });
  return n;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: `<n>s|m|h|d` from now, or an ISO 8601 date-time with its zone. */
export function parseExpiry(text: string, now: Date): Date {
  const duration = /^(\d+)([smhd])$/.exec(text);
  if (duration) return new Date(now.getTime() + Number(duration[1]) * UNIT_MS[duration[2]!]!);
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(at)) throw new ValidationError('key.badExpiry', `--expires: expected a duration like 30m, 12h, 7d or an ISO 8601 date-time like 2026-12-31T00:00:00Z, got ${JSON.stringify(text)}`, { field: 'expires' });
  if (at <= now.getTime()) throw new ValidationError('key.badExpiry', `--expires: expected a time after now (${now.toISOString()}), got ${new Date(at).toISOString()}`, { field: 'expires' });
  return new Date(at);
}

type KeyDescription = {
  did: string;
  kind: 'ed25519' | 'ethereum' | 'session';
  address?: string;
  chainId?: number;
  session?: string;
  cap?: string;
  issuedAt?: string;
  expiresAt?: string | null;
  expired?: boolean;
  resources?: string[];
  communities?: string[];
  /** 'valid', or the code of what is wrong with the CACAO's signature or fields (its expiry aside). */
  delegation?: string;
};

const COMMUNITY_PREFIX = 'hindsight://community/';

async function describe(signer: ReturnType<typeof loadSigner>): Promise<KeyDescription> {
  if (signer instanceof Ed25519Signer) return { did: signer.did, kind: 'ed25519' };
  if (signer instanceof EthereumSigner) return { did: signer.did, kind: 'ethereum', address: signer.address, chainId: signer.chainId };
  const expiresAt = signer.expiresAt;
  const communities = signer.resources.filter((r) => r.startsWith(COMMUNITY_PREFIX)).map((r) => r.slice(COMMUNITY_PREFIX.length));
  return {
    did: signer.did,
    kind: 'session',
    session: signer.sessionDid,
    cap: signer.delegation.cap,
    issuedAt: signer.cacao.p.iat,
    expiresAt: signer.cacao.p.exp ?? null,
    expired: expiresAt === null || Date.now() >= expiresAt.getTime(),
    resources: signer.resources,
    communities,
    delegation: await checkDelegation(signer, communities[0]),
  };
}

/** Verifies the CACAO as a node would at the moment it was issued (its expiry is reported apart). */
async function checkDelegation(signer: SessionSigner, community: string | undefined): Promise<string> {
  if (community === undefined) return 'cacao.wrongResource';
  const { verifyDelegation } = await import('../../events/cacao.js');
  try {
    await verifyDelegation({ cacao: signer.delegation.cacao, cap: signer.delegation.cap, author: signer.did, signer: signer.sessionDid, community, time: signer.issuedAt.getTime() });
    return 'valid';
  } catch (error) {
    if (error instanceof HindsightError) return error.code;
    throw error;
  }
}

function human(result: object): string {
  const r = result as KeyDescription & { file: string };
  if (r.kind !== 'session') return `${r.did}\n  kind: ${r.kind === 'ethereum' ? `Ethereum account (secp256k1, chain ${r.chainId})` : 'Ed25519 did:key'}\n  file: ${r.file}`;
  const lines = [
    r.did,
    `  kind: session key ${r.session}, delegated by ${r.did}`,
    `  issued: ${r.issuedAt}`,
    `  expires: ${r.expiresAt ?? 'never (no node accepts a CACAO without an expiry)'}${r.expired ? '  — EXPIRED: make a new one with hindsight key delegate' : ''}`,
    `  resources: ${(r.resources ?? []).join(', ') || '(none)'}`,
    `  delegation: ${r.delegation}`,
    `  file: ${r.file}`,
  ];
  return lines.join('\n');
}
