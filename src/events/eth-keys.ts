import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { cidString } from '../core/encoding.js';
import { didPkh, parseDid, sameDid, type Did } from './did.js';
import { Ed25519Signer, loadKey, type Signer } from './keys.js';
import { eip191Message } from './sign.js';

/**
 * Identities people already have: an Ethereum account (secp256k1, `did:pkh:eip155:<chain>:<address>`)
 * that signs events itself with EIP-191 personal_sign, and a session key (an Ed25519 did:key) that an
 * Ethereum account delegated to with a SIWE message turned into a CACAO, which signs events for it.
 * Only @noble (no viem) so that loading a key file stays cheap for every command; building the SIWE
 * message and checking the CACAO's signature live in cacao.ts, which imports viem.
 */

export const DEFAULT_CHAIN_ID = 1;

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'a 32-byte secp256k1 private key as 0x + 64 lowercase hex digits');

const EthKeyFileSchema = z.strictObject({ type: z.literal('secp256k1'), did: z.string(), privateKey: Hex32 });
export type EthKeyFile = z.infer<typeof EthKeyFileSchema>;

/** What a session key file keeps of its CACAO beyond the fields verification reads (cacao.ts checks it fully). */
const CacaoShape = z.object({
  p: z.object({ iss: z.string(), aud: z.string(), iat: z.string(), exp: z.string().optional(), resources: z.array(z.string()).optional() }),
});

const SessionKeyFileSchema = z.strictObject({
  type: z.literal('session'),
  /** The Ethereum account (did:pkh) the session signs for: the author of its events. */
  did: z.string(),
  /** The session's own did:key, the CACAO's audience. */
  signer: z.string(),
  /** The session key's 32-byte Ed25519 seed, base64url. */
  privateKey: z.string(),
  cap: z.string(),
  cacao: z.record(z.string(), z.unknown()),
});
export type SessionKeyFile = z.infer<typeof SessionKeyFileSchema>;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** EIP-55 checksummed address of an uncompressed secp256k1 public key (keccak-256 of x‖y, last 20 bytes). */
export function ethAddress(publicKey: Uint8Array): `0x${string}` {
  const lower = hex(keccak_256(publicKey.subarray(1)).subarray(12));
  const digest = hex(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) out += Number.parseInt(digest[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out as `0x${string}`;
}

/** keccak256("\x19Ethereum Signed Message:\n" + length + message): what personal_sign signs. */
function personalMessageHash(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const joined = new Uint8Array(prefix.length + message.length);
  joined.set(prefix, 0);
  joined.set(message, prefix.length);
  return keccak_256(joined);
}

/**
 * An Ethereum account's key. Its events carry an EIP-191 signature in the one spelling the node
 * accepts (lowercase hex, low s, v 27/28): noble signs deterministically (RFC 6979) with low s.
 */
export class EthereumSigner implements Signer {
  readonly did: Did;
  readonly address: `0x${string}`;
  readonly #key: Uint8Array;

  private constructor(key: Uint8Array, readonly chainId: number) {
    if (!secp256k1.utils.isValidSecretKey(key)) throw new ValidationError('key.invalid', 'expected a secp256k1 private key in [1, n), got one outside it', { field: 'privateKey' });
    this.#key = key;
    this.address = ethAddress(secp256k1.getPublicKey(key, false));
    this.did = didPkh(chainId, this.address);
  }

  static generate(chainId = DEFAULT_CHAIN_ID): EthereumSigner {
    return new EthereumSigner(new Uint8Array(randomBytes(32)), checkChainId(chainId));
  }

  static fromPrivateKey(privateKey: string, chainId = DEFAULT_CHAIN_ID): EthereumSigner {
    if (!Hex32.safeParse(privateKey).success) throw new ValidationError('key.invalid', `expected a private key as 0x + 64 lowercase hex digits, got ${privateKey.length} characters`, { field: 'privateKey' });
    return new EthereumSigner(new Uint8Array(Buffer.from(privateKey.slice(2), 'hex')), checkChainId(chainId));
  }

  /** EIP-191 personal_sign of a text (UTF-8) or bytes: 0x + r ‖ s ‖ v, 65 bytes in lowercase hex. */
  personalSign(message: string | Uint8Array): `0x${string}` {
    const bytes = typeof message === 'string' ? new TextEncoder().encode(message) : message;
    const recovered = secp256k1.sign(personalMessageHash(bytes), this.#key, { prehash: false, format: 'recovered' });
    // noble's recovered format puts the recovery id first; Ethereum puts 27 + it last.
    return `0x${hex(recovered.subarray(1))}${(27 + recovered[0]!).toString(16)}`;
  }

  sign(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(Buffer.from(this.personalSign(bytes).slice(2), 'hex'));
  }

  /** An event's `sig`: personal_sign over `Hindsight event <CID of the unsigned envelope>` (what a wallet shows). */
  sigText(signingBytes: Uint8Array): string {
    return this.personalSign(eip191Message(signingBytes));
  }

  toKeyFile(): EthKeyFile {
    return { type: 'secp256k1', did: this.did, privateKey: `0x${hex(this.#key)}` };
  }

  static fromKeyFile(file: EthKeyFile, path = 'key file'): EthereumSigner {
    const did = parseDid(file.did, 'did');
    if (did.method !== 'pkh') throw new ValidationError('key.invalid', `${path}: expected did to be a did:pkh:eip155 for a secp256k1 key, got ${file.did}`, { field: 'did' });
    const signer = EthereumSigner.fromPrivateKey(file.privateKey, did.chainId);
    if (!sameDid(signer.did, file.did)) throw new ValidationError('key.mismatch', `${path}: expected did ${file.did} to match its private key, got ${signer.did}`, { field: 'did' });
    return signer;
  }
}

function checkChainId(chainId: number): number {
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new ValidationError('key.invalid', `chain id: expected a positive integer, got ${chainId}`, { field: 'chainId' });
  return chainId;
}

/**
 * A session key delegated by an Ethereum account: events name the account as author and carry the
 * session's did:key (`signer`), the CACAO and its CID (`cap`); the session key signs them.
 */
export class SessionSigner implements Signer {
  readonly did: Did;
  readonly delegation: { signer: Did; cap: string; cacao: Record<string, unknown> };
  readonly #session: Ed25519Signer;

  constructor(session: Ed25519Signer, cacao: Record<string, unknown>, path = 'session') {
    const shape = CacaoShape.safeParse(cacao);
    if (!shape.success) throw new ValidationError('key.invalid', `${path}: expected a CACAO with p.iss, p.aud and p.iat, got ${shape.error.issues[0]?.path.join('.')}: ${shape.error.issues[0]?.message}`, { field: 'cacao' });
    if (shape.data.p.aud !== session.did) throw new ValidationError('key.mismatch', `${path}: expected the CACAO's audience to be the session key ${session.did}, got ${shape.data.p.aud}`, { field: 'cacao.p.aud' });
    if (parseDid(shape.data.p.iss, 'cacao.p.iss').method !== 'pkh') throw new ValidationError('key.invalid', `${path}: expected the CACAO's issuer to be a did:pkh, got ${shape.data.p.iss}`, { field: 'cacao.p.iss' });
    this.#session = session;
    this.did = shape.data.p.iss;
    this.delegation = { signer: session.did, cap: cidString(cacao), cacao };
  }

  get sessionDid(): Did {
    return this.#session.did;
  }

  get cacao(): z.infer<typeof CacaoShape> {
    return this.delegation.cacao as z.infer<typeof CacaoShape>;
  }

  /** When the delegation ends (the CACAO's `exp`), or null if it has none (which no node accepts). */
  get expiresAt(): Date | null {
    const exp = this.cacao.p.exp;
    return exp === undefined ? null : new Date(Date.parse(exp));
  }

  get issuedAt(): Date {
    return new Date(Date.parse(this.cacao.p.iat));
  }

  get resources(): string[] {
    return this.cacao.p.resources ?? [];
  }

  sign(bytes: Uint8Array): Uint8Array {
    return this.#session.sign(bytes);
  }

  toKeyFile(): SessionKeyFile {
    const seed = this.#session.toKeyFile().privateKey;
    return { type: 'session', did: this.did, signer: this.#session.did, privateKey: seed, cap: this.delegation.cap, cacao: this.delegation.cacao };
  }

  static fromKeyFile(file: SessionKeyFile, path = 'key file'): SessionSigner {
    const session = Ed25519Signer.fromKeyFile({ type: 'ed25519', did: file.signer, privateKey: file.privateKey });
    const signer = new SessionSigner(session, file.cacao, path);
    if (!sameDid(signer.did, file.did)) throw new ValidationError('key.mismatch', `${path}: expected did ${file.did} to be the CACAO's issuer, got ${signer.did}`, { field: 'did' });
    if (signer.delegation.cap !== file.cap) throw new ValidationError('key.mismatch', `${path}: expected cap ${file.cap} to be the CID of its CACAO, got ${signer.delegation.cap}`, { field: 'cap' });
    return signer;
  }
}

export type AnySigner = Ed25519Signer | EthereumSigner | SessionSigner;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ValidationError('key.unreadable', `key file ${path}: expected a JSON key file, got ${(cause as Error).message}`, { field: 'key' }, { cause });
  }
}

/** Loads any key file the CLI writes: Ed25519 (`key new`), Ethereum (`key new --eth`) or a session (`key delegate`). */
export function loadSigner(path: string): AnySigner {
  const raw = readJson(path);
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (type === 'secp256k1') {
    const parsed = EthKeyFileSchema.safeParse(raw);
    if (!parsed.success) throw new ValidationError('key.invalid', `key file ${path}: expected {type:"secp256k1", did, privateKey}, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: 'key' });
    return EthereumSigner.fromKeyFile(parsed.data, `key file ${path}`);
  }
  if (type === 'session') {
    const parsed = SessionKeyFileSchema.safeParse(raw);
    if (!parsed.success) throw new ValidationError('key.invalid', `key file ${path}: expected {type:"session", did, signer, privateKey, cap, cacao}, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: 'key' });
    return SessionSigner.fromKeyFile(parsed.data, `key file ${path}`);
  }
  if (type !== 'ed25519') {
    throw new ValidationError('key.invalid', `key file ${path}: expected type "ed25519", "secp256k1" or "session", got ${JSON.stringify(type)}`, { field: 'key' });
  }
  return loadKey(path);
}

/** Writes any key file with mode 0600, never over an existing file (`key.exists`). */
export function saveSignerFile(file: { type: string }, path: string): void {
  if (existsSync(path)) throw new ValidationError('key.exists', `key file ${path} already exists; refusing to overwrite a key`);
  writeFileSync(path, `${JSON.stringify(file)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}
