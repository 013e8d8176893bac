/** The client side of secure aggregation (see common.ts for the rounds). */
import { GameRejection, ValidationError, expectedGot } from '../../core/errors.js';
import { PairKeys } from './pair-keys.js';
import type { RandomBytes } from '../../crypto/random-bytes.js';
import { split } from '../../crypto/shamir.js';
import {
  type AdvertiseKeys,
  type EncryptedShare,
  type MaskedInput,
  type PadMessage,
  SEED_BYTES,
  SHARE_BYTES,
  SHARE_COMMITMENT_BYTES,
  type SecAggConfig,
  SessionCrypto,
  SessionGraph,
  type ShareKeys,
  type UnmaskResponse,
} from './common.js';

type Phase = 'advertise' | 'share' | 'mask' | 'unmask' | 'done';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class SecAggClient {
  private phase: Phase = 'advertise';
  private readonly crypto: SessionCrypto;
  private readonly graph: SessionGraph;
  private readonly seed: Uint8Array;
  /** Per neighbour with keys: the pad key of the share channel and the pair seed (SessionCrypto.channel). */
  private readonly channels = new Map<number, { padKey: Uint8Array; pairSeed: Uint8Array }>();
  /** Per neighbour with keys: the partners whose pair seeds it deals (the layout of its shares). */
  private readonly dealtBy = new Map<number, number[]>();
  /** Per dealer that completed ShareKeys: the shares it gave this client (b-share, then its dealt pair seeds'). */
  private readonly held = new Map<number, Uint8Array>();

  /**
   * `keys`: the client's key pair for the task, reused across its sessions (see pair-keys.ts);
   * by default a fresh pair for this session alone.
   */
  constructor(
    readonly config: SecAggConfig,
    readonly id: number,
    private readonly random: RandomBytes,
    private readonly keys: PairKeys = new PairKeys(),
  ) {
    this.graph = new SessionGraph(config);
    this.graph.neighbours(id); // throws for a non-participant
    keys.claim(config.session);
    this.crypto = new SessionCrypto(config.session);
    this.seed = random(SEED_BYTES);
  }

  private expect(phase: Phase): void {
    if (this.phase !== phase) throw new GameRejection('fl.secagg.phase', `client ${this.id}: expected phase ${phase}, got a ${phase} call in phase ${this.phase}`);
  }

  advertise(): AdvertiseKeys {
    this.expect('advertise');
    this.phase = 'share';
    return { id: this.id, publicKey: this.keys.publicKey };
  }

  /**
   * Round 1: agrees a channel and pair seed with each neighbour, and shares b_u and the pair seeds it
   * deals among them. `advertisedIds`: every client whose keys the server's roster lists, when
   * `roster` holds only this client's neighbours (who deals a pair depends on their neighbours too).
   */
  shareKeys(roster: readonly AdvertiseKeys[], advertisedIds?: readonly number[]): ShareKeys {
    this.expect('share');
    const mine = new Set(this.graph.neighbours(this.id));
    const advertised = new Set<number>(advertisedIds);
    const keyOf = new Map<number, Uint8Array>();
    for (const entry of roster) {
      advertised.add(entry.id);
      if (mine.has(entry.id)) keyOf.set(entry.id, entry.publicKey);
    }
    const holders = [...keyOf.keys()].sort((a, b) => a - b);
    if (holders.length < this.config.threshold) {
      throw expectedGot('fl.secagg.tooFew', 'neighbours with keys', `at least threshold = ${this.config.threshold}`, holders.length);
    }
    for (const v of holders) this.channels.set(v, this.crypto.channel(this.keys.agree(keyOf.get(v)!)));
    for (const v of [this.id, ...holders]) this.dealtBy.set(v, this.graph.dealtPairs((w) => advertised.has(w), v));
    const dealt = this.dealtBy.get(this.id)!;
    const secrets = new Uint8Array(SEED_BYTES * (1 + dealt.length));
    secrets.set(this.seed);
    dealt.forEach((v, i) => secrets.set(this.channels.get(v)!.pairSeed, SEED_BYTES * (i + 1)));
    const bundles = split(
      secrets,
      holders.map((v) => this.graph.shareX(v)),
      this.config.threshold,
      this.random,
    );
    const items = [0, ...dealt];
    const tweaks = new Uint32Array(3 * holders.length * items.length);
    // split's shares are consecutive views of one buffer: the cells in holder-major order.
    const bundleBytes = SHARE_BYTES * items.length;
    const flat = new Uint8Array(bundles[0]!.buffer, bundles[0]!.byteOffset, bundleBytes * holders.length);
    holders.forEach((holder, k) => {
      items.forEach((item, i) => {
        const at = 3 * (k * items.length + i);
        tweaks[at] = this.id;
        tweaks[at + 1] = holder;
        tweaks[at + 2] = item;
      });
    });
    const digests = this.crypto.shareCommitments(tweaks, flat);
    const per = SHARE_COMMITMENT_BYTES * items.length;
    const ciphertexts = this.crypto.xorPads(holders.map((to, k) => ({ padKey: this.channels.get(to)!.padKey, from: this.id, to, data: bundles[k]! })));
    this.phase = 'mask';
    return {
      id: this.id,
      seedCommitment: this.crypto.seedCommitment(this.id, this.seed),
      pairCommitments: dealt.map((v) => ({ partner: v, commitment: this.crypto.pairCommitment(this.id, v, this.channels.get(v)!.pairSeed) })),
      shares: holders.map((to, k) => ({
        from: this.id,
        to,
        ciphertext: ciphertexts[k]!,
        digests: digests.subarray(per * k, per * (k + 1)),
      })),
    };
  }

  /** Round 2: decrypts and checks the shares addressed to it and masks its quantized input. */
  maskedInput(received: readonly EncryptedShare[], input: Uint32Array): MaskedInput {
    this.expect('mask');
    if (input.length !== this.config.vectorLength) throw expectedGot('fl.secagg.shape', 'input length', String(this.config.vectorLength), input.length);
    const tweaks: number[] = [];
    const pads: PadMessage[] = [];
    const digests: Uint8Array[] = [];
    // `held` fills only once every share has checked out (below), so duplicates are caught here.
    const seen = new Set<number>();
    for (const share of received) {
      const channel = this.channels.get(share.from);
      if (share.to !== this.id || !channel) {
        throw new ValidationError('fl.secagg.badShare', `client ${this.id}: expected shares from its neighbours addressed to it, got one from ${share.from} to ${share.to}`);
      }
      if (seen.has(share.from)) throw new ValidationError('fl.secagg.replay', `client ${this.id}: share from ${share.from} received twice`);
      seen.add(share.from);
      const items = [0, ...this.dealtBy.get(share.from)!];
      if (share.ciphertext.length !== SHARE_BYTES * items.length || share.digests.length !== SHARE_COMMITMENT_BYTES * items.length) {
        throw expectedGot(
          'fl.secagg.shape',
          `shares from ${share.from}`,
          `${SHARE_BYTES * items.length} bytes of shares and ${SHARE_COMMITMENT_BYTES * items.length} of commitments`,
          `${share.ciphertext.length} and ${share.digests.length}`,
        );
      }
      for (const item of items) tweaks.push(share.from, this.id, item);
      pads.push({ padKey: channel.padKey, from: share.from, to: this.id, data: share.ciphertext });
      digests.push(share.digests);
    }
    const bundles = this.crypto.xorPads(pads);
    const actual = this.crypto.shareCommitments(tweaks, concat(bundles));
    const expected = concat(digests);
    for (let i = 0; i < actual.length; i++) {
      if (actual[i] !== expected[i]) {
        const dealer = tweaks[3 * Math.floor(i / SHARE_COMMITMENT_BYTES)]!;
        throw new ValidationError('fl.secagg.badCiphertext', `share from ${dealer} to ${this.id}: expected the share its dealer committed to, got one that does not match (altered in transit)`);
      }
    }
    pads.forEach((p, i) => this.held.set(p.from, bundles[i]!));
    const masked = input.slice();
    // Pair masks only with neighbours whose shares arrived: the server can rebuild exactly those.
    const partners = [...this.held.keys()];
    this.crypto.addMasks(
      masked,
      [this.seed, ...partners.map((v) => this.channels.get(v)!.pairSeed)],
      [1, ...partners.map((v) => (this.id < v ? 1 : -1) as 1 | -1)],
    );
    this.phase = 'unmask';
    return { id: this.id, masked };
  }

  /**
   * Round 3: given the clients whose masked inputs the server received, reveals for each dealer it
   * holds shares of: the b-share if the dealer survived, and the shares of the dealer's pair seeds
   * whose pair has exactly one survivor — never a b-share and a surviving pair for the same client.
   */
  unmask(survivors: readonly number[]): UnmaskResponse {
    this.expect('unmask');
    const alive = new Set(survivors);
    if (!alive.has(this.id)) throw new GameRejection('fl.secagg.notSurvivor', `client ${this.id}: expected to be among the survivors, got a list without it`);
    if (alive.size < this.config.threshold) throw expectedGot('fl.secagg.tooFew', 'survivors', `at least threshold = ${this.config.threshold}`, alive.size);
    const response: UnmaskResponse = { id: this.id, seedShares: [], pairShares: [] };
    for (const [dealer, bundle] of this.held) {
      const dealerAlive = alive.has(dealer);
      if (dealerAlive) response.seedShares.push({ of: dealer, y: bundle.slice(0, SHARE_BYTES) });
      this.dealtBy.get(dealer)!.forEach((partner, i) => {
        if (alive.has(partner) !== dealerAlive) response.pairShares.push({ dealer, partner, y: bundle.slice(SHARE_BYTES * (i + 1), SHARE_BYTES * (i + 2)) });
      });
    }
    this.phase = 'done';
    return response;
  }
}
