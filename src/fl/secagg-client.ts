/** The client side of secure aggregation (see secagg-common.ts for the rounds). */
import { GameRejection, ValidationError, expectedGot } from '../core/errors.js';
import { addMask, deriveKey, expandMask } from './prg.js';
import type { RandomBytes } from './random-bytes.js';
import { fieldFromBytes, fieldToBytes, randomFieldElement, split } from './shamir.js';
import {
  type AdvertiseKeys,
  type EncryptedShare,
  type MaskedInput,
  type SecAggConfig,
  type ShareKeys,
  type UnmaskResponse,
  decryptShares,
  encryptShares,
  neighbours,
  seedCommitment,
  shareCommitment,
  validateConfig,
} from './secagg-common.js';
import { type KeyPair, generateKeyPair, sharedSecret } from './x25519.js';

type Phase = 'advertise' | 'share' | 'mask' | 'unmask' | 'done';

export class SecAggClient {
  private phase: Phase = 'advertise';
  private readonly cKeys: KeyPair;
  private readonly sKeys: KeyPair;
  private readonly seed: bigint;
  private roster = new Map<number, AdvertiseKeys>();
  /** Shares this client holds for each neighbour that completed ShareKeys. */
  private held = new Map<number, { b: bigint; s: bigint }>();
  /** X25519(c_u, c_v) per neighbour, computed once for encrypting and decrypting shares. */
  private readonly channel = new Map<number, Uint8Array>();

  constructor(
    readonly config: SecAggConfig,
    readonly id: number,
    private readonly random: RandomBytes,
  ) {
    validateConfig(config);
    neighbours(config, id); // throws for a non-participant
    this.cKeys = generateKeyPair();
    this.sKeys = generateKeyPair();
    this.seed = randomFieldElement(random);
  }

  private expect(phase: Phase): void {
    if (this.phase !== phase) throw new GameRejection('fl.secagg.phase', `client ${this.id}: expected phase ${phase}, got a ${phase} call in phase ${this.phase}`);
  }

  private channelKey(peer: number): Uint8Array {
    let dh = this.channel.get(peer);
    if (!dh) {
      dh = sharedSecret(this.cKeys, this.roster.get(peer)!.cPk);
      this.channel.set(peer, dh);
    }
    return dh;
  }

  advertise(): AdvertiseKeys {
    this.expect('advertise');
    this.phase = 'share';
    return { id: this.id, cPk: this.cKeys.publicKey, sPk: this.sKeys.publicKey };
  }

  /** Round 1: shares b_u and s_u among the neighbours that advertised keys. */
  shareKeys(roster: readonly AdvertiseKeys[]): ShareKeys {
    this.expect('share');
    const session = this.config.session;
    for (const entry of roster) this.roster.set(entry.id, entry);
    const holders = neighbours(this.config, this.id).filter((v) => this.roster.has(v));
    if (holders.length < this.config.threshold) {
      throw expectedGot('fl.secagg.too-few', 'neighbours with keys', `at least threshold = ${this.config.threshold}`, holders.length);
    }
    const bShares = split(this.seed, holders, this.config.threshold, this.random);
    const sShares = split(fieldFromBytes(this.sKeys.secretKey), holders, this.config.threshold, this.random);
    const shares: EncryptedShare[] = [];
    const commitments: ShareKeys['commitments'] = [];
    holders.forEach((to, k) => {
      const b = fieldToBytes(bShares[k]!.y);
      const s = fieldToBytes(sShares[k]!.y);
      const dh = this.channelKey(to);
      shares.push({ from: this.id, to, ciphertext: encryptShares(dh, session, this.id, to, b, s) });
      commitments.push({ to, b: shareCommitment(session, 'b', this.id, to, b), s: shareCommitment(session, 's', this.id, to, s) });
    });
    this.phase = 'mask';
    return { id: this.id, seedCommitment: seedCommitment(session, this.id, fieldToBytes(this.seed)), shares, commitments };
  }

  /** Round 2: decrypts the shares addressed to it and masks its quantized input. */
  maskedInput(received: readonly EncryptedShare[], input: Uint32Array): MaskedInput {
    this.expect('mask');
    if (input.length !== this.config.vectorLength) throw expectedGot('fl.secagg.shape', 'input length', String(this.config.vectorLength), input.length);
    const mine = new Set(neighbours(this.config, this.id));
    for (const share of received) {
      if (share.to !== this.id || !mine.has(share.from) || !this.roster.has(share.from)) {
        throw new ValidationError('fl.secagg.bad-share', `client ${this.id}: expected shares from its neighbours addressed to it, got one from ${share.from} to ${share.to}`);
      }
      if (this.held.has(share.from)) throw new ValidationError('fl.secagg.replay', `client ${this.id}: share from ${share.from} received twice`);
      const dh = this.channelKey(share.from);
      const { b, s } = decryptShares(dh, this.config.session, share.from, this.id, share.ciphertext);
      this.held.set(share.from, { b: fieldFromBytes(b), s: fieldFromBytes(s) });
    }
    const masked = Uint32Array.from(input);
    addMask(masked, expandMask(deriveKey(fieldToBytes(this.seed), this.config.session, 'self-mask'), masked.length), 1);
    for (const v of this.held.keys()) {
      const key = deriveKey(sharedSecret(this.sKeys, this.roster.get(v)!.sPk), this.config.session, 'pair-mask');
      addMask(masked, expandMask(key, masked.length), this.id < v ? 1 : -1);
    }
    this.phase = 'unmask';
    return { id: this.id, masked };
  }

  /**
   * Round 3: given the clients whose masked inputs the server received, reveals b-shares for them and
   * s-shares for neighbours that shared keys but dropped — never both for the same client.
   */
  unmask(survivors: readonly number[]): UnmaskResponse {
    this.expect('unmask');
    const alive = new Set(survivors);
    if (!alive.has(this.id)) throw new GameRejection('fl.secagg.not-survivor', `client ${this.id}: expected to be among the survivors, got a list without it`);
    if (alive.size < this.config.threshold) throw expectedGot('fl.secagg.too-few', 'survivors', `at least threshold = ${this.config.threshold}`, alive.size);
    const response: UnmaskResponse = { id: this.id, seedShares: [], keyShares: [] };
    for (const [v, share] of this.held) {
      if (alive.has(v)) response.seedShares.push({ of: v, y: share.b });
      else response.keyShares.push({ of: v, y: share.s });
    }
    this.phase = 'done';
    return response;
  }
}
