/**
 * Secure aggregation (Bonawitz et al. 2017, with the sparse neighbour graph of SecAgg+ / Bell et al.
 * 2020, and one X25519 key pair per client) — what the client and the server share: configuration,
 * the neighbour graph, who deals which pair seed, message shapes, share encryption and commitments.
 *
 * Rounds: 0 AdvertiseKeys (one X25519 public key per client) → 1 ShareKeys (Shamir shares of the
 * self-mask seed b_u and of the pair seeds u deals, encrypted to each neighbour, with commitments)
 * → 2 MaskedInput (y_u = x_u + PRG(b_u) + Σ_v ±PRG(m_uv) mod 2^32) → 3 Unmask (for each neighbour v:
 * a share of b_v if v sent its input; shares of the pair seeds of pairs with exactly one survivor).
 *
 * Why one key pair: Bonawitz et al. share the secret mask key s_u so that a dropped client's pair
 * masks can be rebuilt, and therefore need a second key pair (c_u) for the share channels, which a
 * revealed s_u must not open: 2k X25519 agreements per client. Here X25519(c_u, c_v) yields both the
 * share pads and the pair seed m_uv (independent hashes), and instead of a key, one endpoint of each
 * pair (the dealer) Shamir-shares m_uv itself: k agreements per client, no private key is ever
 * revealed, and the server learns exactly what it learns in Bonawitz et al. — b_u of survivors and
 * m_uv of pairs with one survivor — so the sum of the survivors and nothing else.
 */
import { ValidationError, expectedGot } from '../../core/errors.js';
import { makeRng } from '../../ml/rng.js';
import { SessionHash, addExpandedMasks } from '../../crypto/prg.js';
import { PublicPermutation } from '../../crypto/public-permutation.js';
import { SECRET_BLOCK_BYTES, SHARE_BLOCK_BYTES } from '../../crypto/shamir.js';
import { sha256 } from '../../crypto/sha256.js';

/** Self-mask seeds and pair seeds: 128-bit AES keys, one Shamir block each. */
export const SEED_BYTES = SECRET_BLOCK_BYTES;
/** A Shamir share of one seed: five elements of F_p (p = 2^26 + 15) as u32 little-endian. */
export const SHARE_BYTES = SHARE_BLOCK_BYTES;
/** Share commitments are one AES block (see SessionCrypto.shareCommitments). */
export const SHARE_COMMITMENT_BYTES = 16;

export type SecAggConfig = {
  /** 32 bytes binding every key and mask to this task round (e.g. sha256 of task id ‖ round). */
  session: Uint8Array;
  /** Participants: distinct integers ≥ 1, at most 65,535 of them (Shamir x-coordinates are positions). */
  clientIds: readonly number[];
  /** Shares needed to reconstruct a client's secrets. */
  threshold: number;
  vectorLength: number;
  /** Neighbours per client (SecAgg+). Omitted or ≥ n − 1: everyone (classic SecAgg). Rounded up to even. */
  neighbors?: number;
  /**
   * 32 bytes seeding the SecAgg+ ring; by default the session, so neighbours change every round. A
   * task whose cohort meets every round may fix it for the task: each client then keeps the same
   * neighbours, and with task-long keys (PairKeys) agrees with them only once.
   */
  graphSeed?: Uint8Array;
};

export type AdvertiseKeys = { id: number; publicKey: Uint8Array };
/** Shares for one holder: (b-share, dealt pair seeds' shares…), SHARE_BYTES each, encrypted, with a commitment to each. */
export type EncryptedShare = { from: number; to: number; ciphertext: Uint8Array; digests: Uint8Array };
export type ShareKeys = {
  id: number;
  /** Commitment to the self-mask seed b_u. */
  seedCommitment: Uint8Array;
  /** Commitments to the pair seeds u deals, in `dealtPairs` order. */
  pairCommitments: { partner: number; commitment: Uint8Array }[];
  /** One per neighbour with keys, ascending. */
  shares: EncryptedShare[];
};
export type MaskedInput = { id: number; masked: Uint32Array };
export type RevealedShare = { of: number; y: Uint8Array };
export type RevealedPairShare = { dealer: number; partner: number; y: Uint8Array };
export type UnmaskResponse = { id: number; seedShares: RevealedShare[]; pairShares: RevealedPairShare[] };

export function validateConfig(config: SecAggConfig): void {
  if (!(config.session instanceof Uint8Array) || config.session.length !== 32) {
    throw expectedGot('fl.secagg.config', 'session', '32 bytes', config.session?.length);
  }
  if (config.graphSeed !== undefined && (!(config.graphSeed instanceof Uint8Array) || config.graphSeed.length !== 32)) {
    throw expectedGot('fl.secagg.config', 'graphSeed', '32 bytes', config.graphSeed?.length);
  }
  const ids = new Set(config.clientIds);
  if (ids.size !== config.clientIds.length || config.clientIds.some((id) => !Number.isInteger(id) || id < 1 || id > 2 ** 31)) {
    throw expectedGot('fl.secagg.config', 'clientIds', 'distinct integers in [1, 2^31]', config.clientIds);
  }
  if (config.clientIds.length < 2 || config.clientIds.length > 65535) {
    throw expectedGot('fl.secagg.config', 'clientIds', 'between 2 and 65,535 clients', config.clientIds.length);
  }
  const degree = neighbourCount(config);
  if (!Number.isInteger(config.threshold) || config.threshold < 1 || config.threshold > degree) {
    throw expectedGot('fl.secagg.config', 'threshold', `an integer in [1, ${degree}] (neighbours per client)`, config.threshold);
  }
  if (!Number.isInteger(config.vectorLength) || config.vectorLength < 1) {
    throw expectedGot('fl.secagg.config', 'vectorLength', 'a positive integer', config.vectorLength);
  }
}

export function neighbourCount(config: SecAggConfig): number {
  const n = config.clientIds.length;
  if (config.neighbors === undefined || config.neighbors >= n - 1) return n - 1;
  return Math.min(n - 1, 2 * Math.ceil(config.neighbors / 2));
}

/**
 * A session's public structure, as one party computes it from the config: the neighbours of each
 * client — everyone, or (SecAgg+) the k/2 clients on either side of it on a ring whose order is a
 * permutation derived from the session (symmetric, k-regular, unpredictable before the session is
 * fixed) — each client's position in `clientIds`, and who deals each pair seed: on the ring, the
 * earlier endpoint (each client deals to its k/2 successors: exactly k/2 seeds); in the full graph,
 * by position parity (⌊(n−1)/2⌋ or ⌈(n−1)/2⌉ seeds each). A client's shares for one holder thus
 * carry at most neighbours/2 + 1 seeds, which bounds the message sizes. Each party builds
 * its own (validation and the ring are O(n)) and looks up only the clients it deals with.
 */
export class SessionGraph {
  /** SecAgg+: clients in ring order; null for the full graph. */
  private readonly order: number[] | null = null;
  private readonly k: number;
  /** Memos of what this party looked up (a party touches its neighbourhood, not all n clients). */
  private readonly lists = new Map<number, number[]>();
  private readonly positions = new Map<number, number>();
  private ringPosition: Map<number, number> | undefined;

  constructor(readonly config: SecAggConfig) {
    validateConfig(config);
    this.k = neighbourCount(config);
    if (this.k < config.clientIds.length - 1) {
      const seed = new DataView(sha256(config.graphSeed ?? config.session).buffer).getUint32(0);
      this.order = makeRng(seed).shuffle([...config.clientIds].sort((a, b) => a - b));
    }
  }

  private position(id: number): number {
    let pos = this.positions.get(id);
    if (pos === undefined) {
      pos = this.config.clientIds.indexOf(id);
      this.positions.set(id, pos);
    }
    return pos;
  }

  neighbours(id: number): number[] {
    let list = this.lists.get(id);
    if (!list) {
      if (this.position(id) < 0) {
        throw new ValidationError('fl.secagg.notParticipant', `client ${id}: expected one of the session's participants, got a non-participant`, { field: 'id', got: String(id) });
      }
      if (this.order) {
        const order = this.order;
        const n = order.length;
        this.ringPosition ??= new Map(order.map((v, i) => [v, i]));
        const pos = this.ringPosition.get(id)!;
        list = [];
        for (let off = 1; off <= this.k / 2; off++) list.push(order[(pos + off) % n]!, order[(pos - off + n) % n]!);
      } else {
        list = this.config.clientIds.filter((v) => v !== id);
      }
      list.sort((a, b) => a - b);
      this.lists.set(id, list);
    }
    return list;
  }

  /** The Shamir x-coordinate of a client's shares: its position in `clientIds` + 1. */
  shareX(id: number): number {
    return this.position(id) + 1;
  }

  /** Whether u deals the pair seed of its neighbour v (exactly one of deals(u, v), deals(v, u) holds). */
  private deals(u: number, v: number): boolean {
    if (this.order) {
      // v is one of u's k/2 successors on the ring. Not both ways round: that needs n ≤ k.
      this.ringPosition ??= new Map(this.order.map((w, i) => [w, i]));
      const n = this.order.length;
      const ahead = (this.ringPosition.get(v)! - this.ringPosition.get(u)! + n) % n;
      return ahead >= 1 && ahead <= this.k / 2;
    }
    const pu = this.shareX(u);
    const pv = this.shareX(v);
    return ((pu + pv) % 2 === 1) === pu < pv; // odd sum: the earlier position deals; even: the later
  }

  /** Which endpoint of the neighbour pair {u, v} Shamir-shares its pair seed. */
  dealerOf(u: number, v: number): number {
    return this.deals(u, v) ? u : v;
  }

  /** The partners whose pair seed `u` deals, among its neighbours that advertised keys (ascending). */
  dealtPairs(advertised: (id: number) => boolean, u: number): number[] {
    if (!this.order) return this.neighbours(u).filter((v) => advertised(v) && this.deals(u, v));
    // On the ring, straight from u's k/2 successors: every party asks this for each of its neighbours.
    const order = this.order;
    const n = order.length;
    this.ringPosition ??= new Map(order.map((w, i) => [w, i]));
    const pos = this.ringPosition.get(u);
    if (pos === undefined) this.neighbours(u); // throws fl.secagg.notParticipant
    const out: number[] = [];
    for (let off = 1; off <= this.k / 2; off++) {
      const v = order[(pos! + off) % n]!;
      if (advertised(v)) out.push(v);
    }
    return out.sort((a, b) => a - b);
  }
}

const graphs = new WeakMap<SecAggConfig, SessionGraph>();
const graphOf = (config: SecAggConfig) => {
  let g = graphs.get(config);
  if (!g) graphs.set(config, (g = new SessionGraph(config)));
  return g;
};

/** Convenience forms for callers outside a session (tests, tools); the parties use their own SessionGraph. */
export const neighbours = (config: SecAggConfig, id: number): number[] => graphOf(config).neighbours(id);
export const dealerOf = (config: SecAggConfig, u: number, v: number): number => graphOf(config).dealerOf(u, v);
export const dealtPairs = (config: SecAggConfig, advertised: (id: number) => boolean, u: number): number[] => graphOf(config).dealtPairs(advertised, u);

/**
 * One party's session-bound derivations, commitments and share encryption (prefix hashes absorbed
 * once per party, one block-cipher object per purpose).
 *
 * Shares travel XORed with a pad of H(padKey ⊕ (from ‖ to ‖ block ‖ 0)) blocks, H the fixed-key
 * AES hash of src/crypto/public-permutation.ts under a public per-session key and padKey the second half of
 * SHA-256('pair-seed', session ‖ X25519(c_u, c_v)) (the pair seed is the first: the server may learn
 * a pair seed, which tells it nothing of the other half) — a stream cipher under the never-revealed
 * X25519 secret, one pad per direction and session, all of a party's pads in one native call.
 * Integrity comes from the dealer's share commitments, which the holder checks on receipt (the
 * server, which relays both, cannot make a commitment to a share it cannot read). An AEAD would
 * authenticate the same bytes a second time at ≈ 10 µs per message in node:crypto, ×2k per round.
 */
export type PadMessage = { padKey: Uint8Array; from: number; to: number; data: Uint8Array };

export class SessionCrypto {
  private readonly pairKdf: SessionHash;
  private readonly seedHash: SessionHash;
  private readonly pairHash: SessionHash;
  private readonly session: Uint8Array;
  private padPermutation: PublicPermutation | undefined;
  private commitPermutation: PublicPermutation | undefined;
  private maskPermutation: PublicPermutation | undefined;
  private readonly scratch = new Uint8Array(64);
  private readonly scratchView = new DataView(this.scratch.buffer);
  private blockScratch = new Uint8Array(0);

  constructor(session: Uint8Array) {
    this.session = session;
    this.pairKdf = new SessionHash(session, 'pair-seed');
    this.seedHash = new SessionHash(session, 'seed');
    this.pairHash = new SessionHash(session, 'pair');
  }

  /**
   * The first `bytes` of a buffer kept for the inputs of the block-cipher calls, which read them
   * synchronously: typed arrays beyond 64 bytes live outside V8's heap, and allocating and collecting
   * one costs microseconds — as much as the cipher call itself at these sizes.
   */
  private scratchBlocks(bytes: number): Uint8Array {
    if (this.blockScratch.length < bytes) this.blockScratch = new Uint8Array(Math.max(bytes, 2 * this.blockScratch.length));
    const out = this.blockScratch.subarray(0, bytes);
    out.fill(0);
    return out;
  }

  /** A public per-session AES-128 key: the first half of SHA-256(label, session). */
  private permutation(label: 'share' | 'share-pad' | 'mask'): PublicPermutation {
    return new PublicPermutation(new SessionHash(this.session, label).digest(new Uint8Array(0)).subarray(0, 16));
  }

  /** The pair seed m_uv and the pad key of the share channel: the halves of SHA-256('pair-seed', session ‖ X25519(c_u, c_v)). */
  channel(dh: Uint8Array): { pairSeed: Uint8Array; padKey: Uint8Array } {
    const digest = this.pairKdf.digest(dh);
    return { pairSeed: digest.subarray(0, SEED_BYTES), padKey: digest.subarray(SEED_BYTES, 32) };
  }

  /** The pair seed m_uv, 16 bytes. */
  pairSeed(dh: Uint8Array): Uint8Array {
    return this.channel(dh).pairSeed;
  }

  /** target += Σ signs[j] · mask(seeds[j]) in Z_2^32: the masks of this session (src/crypto/prg.ts, expandMask). */
  addMasks(target: Uint32Array, seeds: readonly Uint8Array[], signs: readonly (1 | -1)[]): void {
    this.maskPermutation ??= this.permutation('mask');
    addExpandedMasks(target, this.maskPermutation, seeds, signs);
  }

  /** Each message's data ⊕ its pad (padKey, from → to): encrypts and decrypts shares, all in one cipher call. */
  xorPads(messages: readonly PadMessage[]): Uint8Array[] {
    const blocksOf = (m: PadMessage) => Math.ceil(m.data.length / 16);
    const x = this.scratchBlocks(16 * messages.reduce((n, m) => n + blocksOf(m), 0));
    const view = new DataView(x.buffer, x.byteOffset, x.length);
    let at = 0;
    for (const m of messages) {
      if (m.padKey.length !== 16) throw expectedGot('fl.secagg.shape', 'pad key', '16 bytes', m.padKey.length);
      const key = new DataView(m.padKey.buffer, m.padKey.byteOffset, 16);
      const k0 = key.getUint32(0);
      const k1 = key.getUint32(4);
      const k2 = key.getUint32(8);
      const k3 = key.getUint32(12);
      for (let block = 0, n = blocksOf(m); block < n; block++, at += 16) {
        view.setUint32(at, k0 ^ m.from);
        view.setUint32(at + 4, k1 ^ m.to);
        view.setUint32(at + 8, k2 ^ block);
        view.setUint32(at + 12, k3);
      }
    }
    this.padPermutation ??= this.permutation('share-pad');
    // In place: each message's bytes of the pad buffer become its output (views of one allocation).
    const out = this.padPermutation.mmo(x);
    at = 0;
    return messages.map((m) => {
      for (let i = 0; i < m.data.length; i++) out[at + i] = out[at + i]! ^ m.data[i]!;
      const view = out.subarray(at, at + m.data.length);
      at += 16 * blocksOf(m);
      return view;
    });
  }

  seedCommitment(dealer: number, seed: Uint8Array): Uint8Array {
    return this.seedHash.digest(this.message(dealer, 0, seed, 4));
  }

  pairCommitment(dealer: number, partner: number, seed: Uint8Array): Uint8Array {
    return this.pairHash.digest(this.message(dealer, partner, seed, 8));
  }

  /** (a, b as big-endian u32, the first `ints`/4 of them) ‖ bytes, in a reused buffer. */
  private message(a: number, b: number, bytes: Uint8Array, ints: number): Uint8Array {
    this.scratchView.setUint32(0, a);
    this.scratchView.setUint32(4, b);
    this.scratch.set(bytes, ints);
    return this.scratch.subarray(0, ints + bytes.length);
  }

  /**
   * Commitments to 20-byte shares, one 16-byte commitment per cell: Merkle–Damgård over two blocks
   * with the Matyas–Meyer–Oseas compression on AES-128 under the public session key K,
   *   x1 = s[0..16),  h1 = E_K(x1) ⊕ x1,  x2 = h1 ⊕ (s[16..20) ‖ dealer ‖ holder ‖ item),  C = E_K(x2) ⊕ x2,
   * with dealer, holder and item as big-endian u32 (item 0: the b-share; else the pair partner). The
   * second block fixes the cell, so a holder that lies about its share must find x2 with
   * E_K(x2) ⊕ x2 = C (≈ 2^128 work); an unrevealed share (five uniform field elements) stays
   * hidden. Block-cipher calls let thousands of commitments cost two native calls rather than as
   * many hash calls (the reconstructed seeds are still checked against SHA-256 commitments).
   * `tweaks` holds (dealer, holder, item) per cell; `shares` the cells' shares back to back.
   */
  shareCommitments(tweaks: ArrayLike<number>, shares: Uint8Array): Uint8Array {
    const cells = tweaks.length / 3;
    if (!Number.isInteger(cells) || shares.length !== SHARE_BYTES * cells) {
      throw expectedGot('fl.secagg.shape', 'shares', `${SHARE_BYTES * cells} bytes (${SHARE_BYTES} per cell)`, shares.length);
    }
    // One buffer: the first blocks (x1 per cell), then the second blocks (block 2 per cell).
    const blocks = this.scratchBlocks(32 * cells);
    const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.length);
    const half = 16 * cells;
    for (let i = 0; i < cells; i++) {
      for (let j = 0; j < 16; j++) blocks[16 * i + j] = shares[SHARE_BYTES * i + j]!;
      for (let j = 16; j < SHARE_BYTES; j++) blocks[half + 16 * i + j - 16] = shares[SHARE_BYTES * i + j]!;
      view.setUint32(half + 16 * i + 4, tweaks[3 * i]!);
      view.setUint32(half + 16 * i + 8, tweaks[3 * i + 1]!);
      view.setUint32(half + 16 * i + 12, tweaks[3 * i + 2]!);
    }
    if (cells === 0) return new Uint8Array(0);
    this.commitPermutation ??= this.permutation('share');
    const h1 = this.commitPermutation.mmo(blocks.subarray(0, half));
    const second = blocks.subarray(half);
    // XOR in 32-bit words: the scratch and mmo's output are both aligned.
    const s32 = new Uint32Array(second.buffer, second.byteOffset, half / 4);
    const h32 = new Uint32Array(h1.buffer, h1.byteOffset, half / 4);
    for (let j = 0; j < s32.length; j++) s32[j] = s32[j]! ^ h32[j]!; // x2 = H(x1) ⊕ block 2
    return this.commitPermutation.mmo(second);
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
