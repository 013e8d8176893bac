/**
 * The server side of secure aggregation: relays keys and encrypted shares, collects masked inputs,
 * and after the unmask round removes the masks to learn only Σ x_u over the clients whose masked
 * input arrived. Every revealed share is checked against its dealer's commitment; a holder that
 * reveals a wrong share is reported in `cheaters` and its share ignored, and every reconstructed
 * seed is checked against the dealer's commitment to it. The server does no key agreement.
 */
import { GameRejection, HindsightError, ValidationError, expectedGot } from '../../core/errors.js';
import { addVectors } from '../../crypto/prg.js';
import { type Share, reconstruct } from '../../crypto/shamir.js';
import {
  type AdvertiseKeys,
  type EncryptedShare,
  type MaskedInput,
  SHARE_BYTES,
  SHARE_COMMITMENT_BYTES,
  type SecAggConfig,
  SessionCrypto,
  SessionGraph,
  type ShareKeys,
  type UnmaskResponse,
  equalBytes,
} from './common.js';

type Phase = 'keys' | 'shares' | 'masked' | 'unmask' | 'done';

export type SecAggResult = {
  /** Σ x_u mod 2^32 over `included`. */
  sum: Uint32Array;
  included: number[];
  /** Shared keys but sent no masked input (their pair masks were removed). */
  dropped: number[];
  /** Holders whose revealed share did not match its commitment. */
  cheaters: number[];
};

type Revealed = { holder: number; y: Uint8Array };
/** A secret the server rebuilds: b_dealer (item 0) or the pair seed dealer–item, removed with `sign`. */
type RebuildTask = { dealer: number; item: number; sign: 1 | -1; shares: Revealed[] };

export class SecAggServer {
  private phase: Phase = 'keys';
  private readonly crypto: SessionCrypto;
  private readonly graph: SessionGraph;
  private readonly keys = new Map<number, AdvertiseKeys>();
  private readonly shareMsgs = new Map<number, ShareKeys & { byHolder: Map<number, Uint8Array>; dealt: number[] }>();
  private readonly inbox = new Map<number, EncryptedShare[]>();
  private readonly masked = new Map<number, Uint32Array>();
  private readonly responders = new Set<number>();
  /** Revealed shares by dealer, then by item: 0 for the dealer's b-seed, else the pair partner. */
  private readonly revealed = new Map<number, Map<number, Revealed[]>>();

  constructor(readonly config: SecAggConfig) {
    this.graph = new SessionGraph(config);
    this.crypto = new SessionCrypto(config.session);
  }

  private expect(phase: Phase, what: string): void {
    if (this.phase !== phase) throw new GameRejection('fl.secagg.phase', `${what}: expected phase ${this.phase === 'done' ? 'none (session finished)' : phase}, got it in phase ${this.phase}`);
  }

  receiveKeys(msg: AdvertiseKeys): void {
    this.expect('keys', 'advertise keys');
    this.graph.neighbours(msg.id); // throws fl.secagg.notParticipant
    if (this.keys.has(msg.id)) throw new ValidationError('fl.secagg.replay', `advertise keys: client ${msg.id} already advertised keys`);
    if (msg.publicKey.length !== 32) throw expectedGot('fl.secagg.shape', 'public key', '32 bytes', msg.publicKey.length);
    this.keys.set(msg.id, msg);
  }

  /** Ends round 0; the roster every client receives. */
  closeKeys(): AdvertiseKeys[] {
    this.expect('keys', 'close keys');
    if (this.keys.size < this.config.threshold + 1) throw expectedGot('fl.secagg.tooFew', 'clients with keys', `at least ${this.config.threshold + 1}`, this.keys.size);
    this.phase = 'shares';
    return [...this.keys.values()];
  }

  receiveShares(msg: ShareKeys): void {
    this.expect('shares', 'share keys');
    if (!this.keys.has(msg.id)) throw new GameRejection('fl.secagg.notParticipant', `share keys: expected a client that advertised keys, got ${msg.id}`);
    if (this.shareMsgs.has(msg.id)) throw new ValidationError('fl.secagg.replay', `share keys: client ${msg.id} already sent its shares`);
    const expected = this.graph.neighbours(msg.id).filter((v) => this.keys.has(v));
    const dealt = this.graph.dealtPairs((v) => this.keys.has(v), msg.id);
    const targets = msg.shares.map((s) => s.to);
    const size = SHARE_BYTES * (1 + dealt.length);
    if (
      msg.shares.some((s) => s.from !== msg.id || s.ciphertext.length !== size || s.digests.length !== (1 + dealt.length) * SHARE_COMMITMENT_BYTES) ||
      targets.join() !== expected.join() ||
      msg.pairCommitments.map((c) => c.partner).join() !== dealt.join()
    ) {
      throw expectedGot('fl.secagg.shape', 'share keys', `${size} bytes of shares with commitments for each neighbour ${expected.join(',')}, pair commitments for ${dealt.join(',')}`, targets);
    }
    this.shareMsgs.set(msg.id, { ...msg, byHolder: new Map(msg.shares.map((s) => [s.to, s.digests])), dealt });
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
    if (!this.shareMsgs.has(msg.id)) throw new GameRejection('fl.secagg.notParticipant', `masked input: expected a client that shared keys, got ${msg.id}`);
    if (this.masked.has(msg.id)) throw new ValidationError('fl.secagg.replay', `masked input: client ${msg.id} already sent its input`);
    if (msg.masked.length !== this.config.vectorLength) throw expectedGot('fl.secagg.shape', 'masked input length', String(this.config.vectorLength), msg.masked.length);
    this.masked.set(msg.id, msg.masked);
  }

  /** Ends round 2; the survivor list sent to every survivor. */
  closeMasked(): number[] {
    this.expect('masked', 'close masked');
    if (this.masked.size < this.config.threshold) throw expectedGot('fl.secagg.tooFew', 'masked inputs', `at least threshold = ${this.config.threshold}`, this.masked.size);
    this.phase = 'unmask';
    return [...this.masked.keys()].sort((a, b) => a - b);
  }

  receiveUnmask(msg: UnmaskResponse): void {
    this.expect('unmask', 'unmask');
    if (!this.masked.has(msg.id)) throw new GameRejection('fl.secagg.notParticipant', `unmask: expected a survivor, got ${msg.id}`);
    if (this.responders.has(msg.id)) throw new ValidationError('fl.secagg.replay', `unmask: client ${msg.id} already answered`);
    for (const s of msg.seedShares) {
      if (!this.masked.has(s.of)) throw new GameRejection('fl.secagg.bothShares', `unmask: client ${msg.id} revealed a seed share of ${s.of}, which sent no input`);
    }
    for (const s of msg.pairShares) {
      // A pair seed of two survivors, with both b-seeds, would expose their inputs' sum of two.
      if (this.masked.has(s.dealer) === this.masked.has(s.partner)) {
        throw new GameRejection('fl.secagg.bothShares', `unmask: client ${msg.id} revealed the pair seed of ${s.dealer}–${s.partner}: expected pairs with exactly one survivor`);
      }
    }
    this.responders.add(msg.id);
    const add = (dealer: number, item: number, y: Uint8Array) => {
      let byItem = this.revealed.get(dealer);
      if (!byItem) this.revealed.set(dealer, (byItem = new Map()));
      const list = byItem.get(item);
      if (list) list.push({ holder: msg.id, y });
      else byItem.set(item, [{ holder: msg.id, y }]);
    };
    for (const s of msg.seedShares) add(s.of, 0, s.y);
    for (const s of msg.pairShares) add(s.dealer, s.partner, s.y);
  }

  /**
   * Which secrets to rebuild — b_u of each survivor, and the pair seed of each pair of a survivor u
   * and a client v that shared keys but sent no input (u masked with v: it received v's shares) —
   * with the revealed shares of each; all revealed shares are checked in one batch.
   */
  private secretsToRebuild(included: number[], dropped: number[]): RebuildTask[] {
    const revealed = (dealer: number, item: number) => this.revealed.get(dealer)?.get(item) ?? [];
    const tasks: RebuildTask[] = [];
    for (const u of included) tasks.push({ dealer: u, item: 0, sign: -1, shares: revealed(u, 0) });
    for (const v of dropped) {
      for (const u of this.graph.neighbours(v)) {
        if (!this.masked.has(u) || !this.inbox.get(u)?.some((s) => s.from === v)) continue;
        const dealer = this.graph.dealerOf(u, v);
        const partner = dealer === u ? v : u;
        tasks.push({ dealer, item: partner, sign: u < v ? -1 : 1, shares: revealed(dealer, partner) });
      }
    }
    return tasks;
  }

  finalize(): SecAggResult {
    this.expect('unmask', 'finalize');
    const cheaters = new Set<number>();
    const included = [...this.masked.keys()].sort((a, b) => a - b);
    const dropped = [...this.shareMsgs.keys()].filter((id) => !this.masked.has(id)).sort((a, b) => a - b);
    const sum = new Uint32Array(this.config.vectorLength);
    addVectors(
      sum,
      included.map((u) => this.masked.get(u)!),
      included.map(() => 1),
    );
    const tasks = this.secretsToRebuild(included, dropped);
    // A share is usable if it is a well-formed share its dealer committed to for that holder; the
    // usable ones (cells) are checked against their commitments in one batch.
    const cellTask: number[] = [];
    const cellHolder: number[] = [];
    const cellShare: Uint8Array[] = [];
    const tweaks: number[] = [];
    tasks.forEach((t, ti) => {
      const byHolder = this.shareMsgs.get(t.dealer)!.byHolder;
      for (const r of t.shares) {
        if (r.y.length !== SHARE_BYTES || !byHolder.has(r.holder)) {
          cheaters.add(r.holder);
          continue;
        }
        cellTask.push(ti);
        cellHolder.push(r.holder);
        cellShare.push(r.y);
        tweaks.push(t.dealer, r.holder, t.item);
      }
    });
    const shares = new Uint8Array(SHARE_BYTES * cellShare.length);
    cellShare.forEach((y, i) => shares.set(y, SHARE_BYTES * i));
    const actual = this.crypto.shareCommitments(tweaks, shares);
    const good: Share[][] = tasks.map(() => []);
    for (let i = 0; i < cellShare.length; i++) {
      const t = tasks[cellTask[i]!]!;
      const holder = cellHolder[i]!;
      const msg = this.shareMsgs.get(t.dealer)!;
      const index = t.item === 0 ? 0 : msg.dealt.indexOf(t.item) + 1;
      const committed = msg.byHolder.get(holder)!.subarray(SHARE_COMMITMENT_BYTES * index, SHARE_COMMITMENT_BYTES * (index + 1));
      if (equalBytes(actual.subarray(SHARE_COMMITMENT_BYTES * i, SHARE_COMMITMENT_BYTES * (i + 1)), committed)) good[cellTask[i]!]!.push({ x: this.graph.shareX(holder), y: cellShare[i]! });
      else cheaters.add(holder);
    }
    const seeds: Uint8Array[] = [];
    for (let ti = 0; ti < tasks.length; ti++) {
      const t = tasks[ti]!;
      const shares = good[ti]!;
      if (shares.length < this.config.threshold) {
        const what = t.item === 0 ? `seed shares of client ${t.dealer}` : `pair-seed shares of ${t.dealer}–${t.item}`;
        throw expectedGot('fl.secagg.tooFew', `valid ${what}`, `at least threshold = ${this.config.threshold}`, shares.length);
      }
      // Every share here matched its dealer's commitment and the result is checked against the
      // dealer's commitment to the seed, so the extra-share consistency check would add nothing.
      const what = () => (t.item === 0 ? `client ${t.dealer}` : `pair ${t.dealer}–${t.item}`);
      let seed: Uint8Array;
      try {
        seed = reconstruct(shares, this.config.threshold, 0);
      } catch (err) {
        // Committed shares that are no sharing of a seed (an element ≥ p, a limb out of range): the dealer's fault.
        if (!(err instanceof HindsightError)) throw err;
        throw new ValidationError('fl.secagg.reconstruction', `${what()}: expected shares of a 16-byte seed, got ${err.message}`, { client: t.dealer }, { cause: err });
      }
      const msg = this.shareMsgs.get(t.dealer)!;
      const ok =
        t.item === 0
          ? equalBytes(this.crypto.seedCommitment(t.dealer, seed), msg.seedCommitment)
          : equalBytes(this.crypto.pairCommitment(t.dealer, t.item, seed), msg.pairCommitments[msg.dealt.indexOf(t.item)]!.commitment);
      if (!ok) {
        throw new ValidationError('fl.secagg.reconstruction', `${what()}: reconstructed seed fails its commitment check`, { client: t.dealer });
      }
      seeds.push(seed);
    }
    this.crypto.addMasks(
      sum,
      seeds,
      tasks.map((t) => t.sign),
    );
    this.phase = 'done';
    return { sum, included, dropped, cheaters: [...cheaters].sort((a, b) => a - b) };
  }
}
