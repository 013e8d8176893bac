/**
 * The server side of secure aggregation: relays keys and encrypted shares, collects masked inputs,
 * and after the unmask round removes the masks to learn only Σ x_u over the clients whose masked
 * input arrived. Shares are checked against their dealer's commitments; a holder that reveals a
 * wrong share is reported in `cheaters` and its share ignored, and every reconstructed secret is
 * checked (seed against its commitment, mask key against its advertised public key).
 */
import { GameRejection, ValidationError, expectedGot } from '../core/errors.js';
import { addMask, deriveKey, expandMask } from './prg.js';
import { type Share, fieldToBytes, reconstruct } from './shamir.js';
import {
  type AdvertiseKeys,
  type EncryptedShare,
  type MaskedInput,
  type RevealedShare,
  type SecAggConfig,
  type ShareKeys,
  type UnmaskResponse,
  equalBytes,
  neighbours,
  seedCommitment,
  shareCommitment,
  validateConfig,
} from './secagg-common.js';
import { keyPairFromSecret, sharedSecret } from './x25519.js';

type Phase = 'keys' | 'shares' | 'masked' | 'unmask' | 'done';

export type SecAggResult = {
  /** Σ x_u mod 2^32 over `included`. */
  sum: Uint32Array;
  included: number[];
  /** Shared keys but sent no masked input (their pairwise masks were removed). */
  dropped: number[];
  /** Holders whose revealed share did not match its commitment. */
  cheaters: number[];
};

export class SecAggServer {
  private phase: Phase = 'keys';
  private readonly keys = new Map<number, AdvertiseKeys>();
  private readonly shareMsgs = new Map<number, ShareKeys>();
  private readonly inbox = new Map<number, EncryptedShare[]>();
  private readonly masked = new Map<number, Uint32Array>();
  private readonly responses = new Map<number, UnmaskResponse>();

  constructor(readonly config: SecAggConfig) {
    validateConfig(config);
  }

  private expect(phase: Phase, what: string): void {
    if (this.phase !== phase) throw new GameRejection('fl.secagg.phase', `${what}: expected phase ${this.phase === 'done' ? 'none (session finished)' : phase}, got it in phase ${this.phase}`);
  }

  private participant(id: number, what: string): void {
    neighbours(this.config, id); // throws fl.secagg.not-participant
    void what;
  }

  receiveKeys(msg: AdvertiseKeys): void {
    this.expect('keys', 'advertise keys');
    this.participant(msg.id, 'advertise keys');
    if (this.keys.has(msg.id)) throw new ValidationError('fl.secagg.replay', `advertise keys: client ${msg.id} already advertised keys`);
    if (msg.cPk.length !== 32 || msg.sPk.length !== 32) throw expectedGot('fl.secagg.shape', 'public keys', '32 bytes each', [msg.cPk.length, msg.sPk.length]);
    this.keys.set(msg.id, msg);
  }

  /** Ends round 0; the roster every client receives. */
  closeKeys(): AdvertiseKeys[] {
    this.expect('keys', 'close keys');
    if (this.keys.size < this.config.threshold + 1) throw expectedGot('fl.secagg.too-few', 'clients with keys', `at least ${this.config.threshold + 1}`, this.keys.size);
    this.phase = 'shares';
    return [...this.keys.values()];
  }

  receiveShares(msg: ShareKeys): void {
    this.expect('shares', 'share keys');
    if (!this.keys.has(msg.id)) throw new GameRejection('fl.secagg.not-participant', `share keys: expected a client that advertised keys, got ${msg.id}`);
    if (this.shareMsgs.has(msg.id)) throw new ValidationError('fl.secagg.replay', `share keys: client ${msg.id} already sent its shares`);
    const expected = neighbours(this.config, msg.id).filter((v) => this.keys.has(v));
    const targets = msg.shares.map((s) => s.to);
    if (msg.shares.some((s) => s.from !== msg.id) || targets.join() !== expected.join() || msg.commitments.map((c) => c.to).join() !== expected.join()) {
      throw expectedGot('fl.secagg.shape', 'share keys', `one share and commitment for each neighbour ${expected.join(',')}`, targets);
    }
    this.shareMsgs.set(msg.id, msg);
  }

  /** Ends round 1; per client, the encrypted shares addressed to it. */
  closeShares(): Map<number, EncryptedShare[]> {
    this.expect('shares', 'close shares');
    this.phase = 'masked';
    for (const id of this.shareMsgs.keys()) this.inbox.set(id, []);
    for (const msg of this.shareMsgs.values()) {
      for (const share of msg.shares) this.inbox.get(share.to)?.push(share);
    }
    return this.inbox;
  }

  receiveMasked(msg: MaskedInput): void {
    this.expect('masked', 'masked input');
    if (!this.shareMsgs.has(msg.id)) throw new GameRejection('fl.secagg.not-participant', `masked input: expected a client that shared keys, got ${msg.id}`);
    if (this.masked.has(msg.id)) throw new ValidationError('fl.secagg.replay', `masked input: client ${msg.id} already sent its input`);
    if (msg.masked.length !== this.config.vectorLength) throw expectedGot('fl.secagg.shape', 'masked input length', String(this.config.vectorLength), msg.masked.length);
    this.masked.set(msg.id, msg.masked);
  }

  /** Ends round 2; the survivor list sent to every survivor. */
  closeMasked(): number[] {
    this.expect('masked', 'close masked');
    if (this.masked.size < this.config.threshold) throw expectedGot('fl.secagg.too-few', 'masked inputs', `at least threshold = ${this.config.threshold}`, this.masked.size);
    this.phase = 'unmask';
    return [...this.masked.keys()].sort((a, b) => a - b);
  }

  receiveUnmask(msg: UnmaskResponse): void {
    this.expect('unmask', 'unmask');
    if (!this.masked.has(msg.id)) throw new GameRejection('fl.secagg.not-participant', `unmask: expected a survivor, got ${msg.id}`);
    if (this.responses.has(msg.id)) throw new ValidationError('fl.secagg.replay', `unmask: client ${msg.id} already answered`);
    const seedOf = new Set(msg.seedShares.map((s) => s.of));
    for (const s of msg.keyShares) {
      if (this.masked.has(s.of) || seedOf.has(s.of)) {
        throw new GameRejection('fl.secagg.both-shares', `unmask: client ${msg.id} revealed a key share of ${s.of}, a survivor — revealing both shares would expose its input`);
      }
    }
    this.responses.set(msg.id, msg);
  }

  private collect(of: number, kind: 'b' | 's', cheaters: Set<number>): Share[] {
    const dealer = this.shareMsgs.get(of)!;
    const good: Share[] = [];
    for (const r of this.responses.values()) {
      const revealed: RevealedShare | undefined = (kind === 'b' ? r.seedShares : r.keyShares).find((s) => s.of === of);
      if (!revealed) continue;
      const commitment = dealer.commitments.find((c) => c.to === r.id);
      if (!commitment || !equalBytes(shareCommitment(this.config.session, kind, of, r.id, fieldToBytes(revealed.y)), commitment[kind])) {
        cheaters.add(r.id);
        continue;
      }
      good.push({ x: r.id, y: revealed.y });
    }
    if (good.length < this.config.threshold) {
      throw expectedGot('fl.secagg.too-few', `valid ${kind === 'b' ? 'seed' : 'key'} shares of client ${of}`, `at least threshold = ${this.config.threshold}`, good.length);
    }
    return good;
  }

  finalize(): SecAggResult {
    this.expect('unmask', 'finalize');
    const { session, vectorLength } = this.config;
    const cheaters = new Set<number>();
    const included = [...this.masked.keys()].sort((a, b) => a - b);
    const dropped = [...this.shareMsgs.keys()].filter((id) => !this.masked.has(id)).sort((a, b) => a - b);
    const sum = new Uint32Array(vectorLength);
    for (const u of included) {
      addMask(sum, this.masked.get(u)!, 1);
      const seed = fieldToBytes(reconstruct(this.collect(u, 'b', cheaters), this.config.threshold));
      if (!equalBytes(seedCommitment(session, u, seed), this.shareMsgs.get(u)!.seedCommitment)) {
        throw new ValidationError('fl.secagg.reconstruction', `client ${u}: reconstructed seed fails its commitment check`, { client: u });
      }
      addMask(sum, expandMask(deriveKey(seed, session, 'self-mask'), vectorLength), -1);
    }
    for (const v of dropped) {
      const keys = keyPairFromSecret(fieldToBytes(reconstruct(this.collect(v, 's', cheaters), this.config.threshold)));
      if (!equalBytes(keys.publicKey, this.keys.get(v)!.sPk)) {
        throw new ValidationError('fl.secagg.reconstruction', `client ${v}: reconstructed mask key fails its public-key check`, { client: v });
      }
      for (const u of included) {
        if (!this.inbox.get(u)?.some((s) => s.from === v)) continue; // u never masked with v
        const key = deriveKey(sharedSecret(keys, this.keys.get(u)!.sPk), session, 'pair-mask');
        addMask(sum, expandMask(key, vectorLength), u < v ? -1 : 1);
      }
    }
    this.phase = 'done';
    return { sum, included, dropped, cheaters: [...cheaters].sort((a, b) => a - b) };
  }
}
