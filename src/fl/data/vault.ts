/**
 * A member's local data vault (`hindsight data put|grant|revoke|list`): a directory (0700) holding
 * its data keys by epoch and its grants (vault.json, 0600) and its sealed chunks (chunks/<id>). The
 * keys never leave it; chunks may also be stored on a node, which sees ciphertext only. Each method
 * returns the event payload to announce, so what the log learns is decided here and tested here.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.js';
import { secureRandomBytes, type RandomBytes } from '../../crypto/random-bytes.js';
import { keyPairFromSecret, type KeyPair } from '../../crypto/x25519.js';
import { DATA_KEY_BYTES, chunkExamples, openChunk, parseChunk, sealChunk, wrapDataKey, type SealedChunk, type WrappedKey } from './sealed.js';

export type Example = { text: string; label: number };

type VaultFile = {
  owner: string;
  epoch: number;
  /** Data keys by epoch, hex. */
  keys: Record<string, string>;
  chunks: { id: string; epoch: number; bytes: number; examples: number }[];
  grants: { to: string; recipientKey: string; epochs: number[]; revokedFrom: number | null }[];
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

export class DataVault {
  private constructor(readonly dir: string, private file: VaultFile, private readonly random: RandomBytes) {}

  static create(dir: string, owner: string, random: RandomBytes = secureRandomBytes): DataVault {
    if (existsSync(join(dir, 'vault.json'))) throw new ValidationError('data.vault', `vault: expected a directory without a vault, got one at ${dir}`, { field: 'vault' });
    const vault = new DataVault(dir, { owner, epoch: 0, keys: { 0: hex(random(DATA_KEY_BYTES)) }, chunks: [], grants: [] }, random);
    mkdirSync(join(dir, 'chunks'), { recursive: true, mode: 0o700 });
    vault.save();
    return vault;
  }

  static open(dir: string, random: RandomBytes = secureRandomBytes): DataVault {
    const path = join(dir, 'vault.json');
    if (!existsSync(path)) throw new ValidationError('data.vault', `vault: expected ${path} (hindsight data put creates it), got no such file`, { field: 'vault' });
    return new DataVault(dir, JSON.parse(readFileSync(path, 'utf8')) as VaultFile, random);
  }

  static openOrCreate(dir: string, owner: string, random: RandomBytes = secureRandomBytes): DataVault {
    const vault = existsSync(join(dir, 'vault.json')) ? DataVault.open(dir, random) : DataVault.create(dir, owner, random);
    if (vault.owner !== owner) throw new ValidationError('data.vault', `vault owner: expected ${owner}, got ${vault.owner}`, { field: 'key' });
    return vault;
  }

  private save(): void {
    writeFileSync(join(this.dir, 'vault.json'), JSON.stringify(this.file, null, 2), { mode: 0o600 });
  }

  get owner(): string {
    return this.file.owner;
  }

  get epoch(): number {
    return this.file.epoch;
  }

  private keyMap(): Map<number, Uint8Array> {
    return new Map(Object.entries(this.file.keys).map(([e, k]) => [Number(e), unhex(k)]));
  }

  /** Seals examples under the current key; the chunks are kept here and returned for upload. */
  put(examples: readonly Example[]): { chunks: SealedChunk[]; payload: { chunks: { id: string; epoch: number; bytes: number }[] } } {
    const key = unhex(this.file.keys[this.file.epoch]!);
    const plain = chunkExamples(examples);
    const chunks = plain.map((p) => sealChunk(this.owner, this.file.epoch, key, p, this.random));
    chunks.forEach((c, k) => {
      writeFileSync(join(this.dir, 'chunks', c.id), c.bytes, { mode: 0o600 });
      this.file.chunks.push({ id: c.id, epoch: c.epoch, bytes: c.bytes.length, examples: parseChunk(plain[k]!).length });
    });
    this.save();
    return { chunks, payload: { chunks: chunks.map((c) => ({ id: c.id, epoch: c.epoch, bytes: c.bytes.length })) } };
  }

  /** Wraps the keys of every epoch so far to the operator's X25519 public key. */
  grant(to: string, recipientKey: Uint8Array): { to: string; recipientKey: string; keys: WrappedKey[] } {
    const keys = [...this.keyMap()].map(([epoch, key]) => wrapDataKey(this.owner, to, recipientKey, epoch, key, this.random));
    const existing = this.file.grants.find((g) => g.to === to);
    const epochs = keys.map((k) => k.epoch);
    if (existing) Object.assign(existing, { recipientKey: hex(recipientKey), epochs, revokedFrom: null });
    else this.file.grants.push({ to, recipientKey: hex(recipientKey), epochs, revokedFrom: null });
    this.save();
    return { to, recipientKey: hex(recipientKey), keys };
  }

  /**
   * Revokes `to`: a fresh key for the next epoch (later data is sealed under it), and for each other
   * live grantee a grant of the new key, so only the revoked operator loses access to what follows.
   */
  revoke(to: string): { revoke: { to: string; epoch: number }; regrants: { to: string; recipientKey: string; keys: WrappedKey[] }[] } {
    const grant = this.file.grants.find((g) => g.to === to && g.revokedFrom === null);
    if (!grant) throw new ValidationError('data.revoke.unknown', `to: expected an operator holding a live grant, got ${to}`, { field: 'to' });
    const epoch = this.file.epoch + 1;
    this.file.keys[epoch] = hex(this.random(DATA_KEY_BYTES));
    this.file.epoch = epoch;
    grant.revokedFrom = epoch;
    const key = unhex(this.file.keys[epoch]!);
    const regrants = this.file.grants
      .filter((g) => g.revokedFrom === null)
      .map((g) => {
        g.epochs.push(epoch);
        return { to: g.to, recipientKey: g.recipientKey, keys: [wrapDataKey(this.owner, g.to, unhex(g.recipientKey), epoch, key, this.random)] };
      });
    this.save();
    return { revoke: { to, epoch }, regrants };
  }

  /** Every example in the vault, decrypted here (a controller training on its own data). */
  readAllExamples(): Example[] {
    const keys = this.keyMap();
    return this.file.chunks.flatMap((c) => parseChunk(openChunk(this.owner, new Uint8Array(readFileSync(join(this.dir, 'chunks', c.id))), keys)));
  }

  list(): { owner: string; epoch: number; chunks: VaultFile['chunks']; grants: VaultFile['grants']; files: number } {
    return { owner: this.owner, epoch: this.epoch, chunks: this.file.chunks, grants: this.file.grants, files: readdirSync(join(this.dir, 'chunks')).length };
  }
}

/** An operator's X25519 key for receiving grants: a 32-byte secret kept in a file (0600). */
export function newGrantKey(path: string, random: RandomBytes = secureRandomBytes): { publicKey: string } {
  const secret = random(32);
  const pair = keyPairFromSecret(secret);
  writeFileSync(path, JSON.stringify({ kind: 'x25519', secret: hex(secret), publicKey: hex(pair.publicKey) }), { mode: 0o600 });
  return { publicKey: hex(pair.publicKey) };
}

export function loadGrantKey(path: string): KeyPair {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { kind?: string; secret?: string };
  if (file.kind !== 'x25519' || typeof file.secret !== 'string' || !/^[0-9a-f]{64}$/.test(file.secret)) throw new ValidationError('data.key.invalid', `grant key file: expected {"kind":"x25519","secret": 64 hex digits}, got ${path} without one`, { field: 'grant-key' });
  return keyPairFromSecret(unhex(file.secret));
}
