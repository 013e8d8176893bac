/**
 * Secure aggregation (Bonawitz et al. 2017, with the sparse neighbour graph of SecAgg+ / Bell et al.
 * 2020) — what the client and the server share: configuration, the neighbour graph, message shapes,
 * share encryption and commitments.
 *
 * Rounds: 0 AdvertiseKeys (two X25519 public keys per client) → 1 ShareKeys (Shamir shares of the
 * self-mask seed b_u and of the mask secret key s_u, encrypted to each neighbour, plus hash
 * commitments) → 2 MaskedInput (y_u = x_u + PRG(b_u) + Σ_v ±PRG(s_uv) mod 2^32) → 3 Unmask (for each
 * neighbour: a share of b_v if v sent its input, else a share of s_v; never both).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ValidationError, expectedGot } from '../core/errors.js';
import { sha256Bytes } from '../core/encoding.js';
import { makeRng } from '../ml/rng.js';
import { deriveKey } from './prg.js';

export type SecAggConfig = {
  /** 32 bytes binding every key and mask to this task round (e.g. sha256 of task id ‖ round). */
  session: Uint8Array;
  /** Participants, as Shamir x-coordinates: distinct integers ≥ 1. */
  clientIds: readonly number[];
  /** Shares needed to reconstruct a client's secrets. */
  threshold: number;
  vectorLength: number;
  /** Neighbours per client (SecAgg+). Omitted or ≥ n − 1: everyone (classic SecAgg). Rounded up to even. */
  neighbors?: number;
};

export type AdvertiseKeys = { id: number; cPk: Uint8Array; sPk: Uint8Array };
export type EncryptedShare = { from: number; to: number; ciphertext: Uint8Array };
export type ShareKeys = {
  id: number;
  /** sha256 commitment to the self-mask seed b_u. */
  seedCommitment: Uint8Array;
  shares: EncryptedShare[];
  /** Per holder: commitments to the two shares it holds (identifies a lying holder). */
  commitments: { to: number; b: Uint8Array; s: Uint8Array }[];
};
export type MaskedInput = { id: number; masked: Uint32Array };
export type RevealedShare = { of: number; y: bigint };
export type UnmaskResponse = { id: number; seedShares: RevealedShare[]; keyShares: RevealedShare[] };

export function validateConfig(config: SecAggConfig): void {
  if (!(config.session instanceof Uint8Array) || config.session.length !== 32) {
    throw expectedGot('fl.secagg.config', 'session', '32 bytes', config.session?.length);
  }
  const ids = new Set(config.clientIds);
  if (ids.size !== config.clientIds.length || config.clientIds.some((id) => !Number.isInteger(id) || id < 1 || id > 2 ** 31)) {
    throw expectedGot('fl.secagg.config', 'clientIds', 'distinct integers in [1, 2^31]', config.clientIds);
  }
  if (config.clientIds.length < 2) throw expectedGot('fl.secagg.config', 'clientIds', 'at least 2 clients', config.clientIds.length);
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

const graphCache = new WeakMap<SecAggConfig, Map<number, number[]>>();

/**
 * Neighbours of each client: everyone, or (SecAgg+) the k/2 clients on either side of it on a ring
 * whose order is a permutation derived from the session — symmetric, k-regular, and unpredictable
 * before the session is fixed.
 */
export function neighbours(config: SecAggConfig, id: number): number[] {
  let graph = graphCache.get(config);
  if (!graph) {
    graph = new Map();
    const k = neighbourCount(config);
    const ids = [...config.clientIds];
    const n = ids.length;
    if (k === n - 1) {
      for (const u of ids) graph.set(u, ids.filter((v) => v !== u));
    } else {
      const seed = new DataView(sha256Bytes(config.session).buffer).getUint32(0);
      const ring = makeRng(seed).shuffle([...ids].sort((a, b) => a - b));
      ring.forEach((u, pos) => {
        const list: number[] = [];
        for (let off = 1; off <= k / 2; off++) list.push(ring[(pos + off) % n]!, ring[(pos - off + n) % n]!);
        graph!.set(u, list.sort((a, b) => a - b));
      });
    }
    graphCache.set(config, graph);
  }
  const list = graph.get(id);
  if (!list) throw new ValidationError('fl.secagg.not-participant', `client ${id}: expected one of the session's participants, got a non-participant`, { field: 'id', got: String(id) });
  return list;
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Hash commitment to a share (shares are uniform 255-bit values, so the hash hides them). */
export function shareCommitment(session: Uint8Array, kind: 'b' | 's', dealer: number, holder: number, share: Uint8Array): Uint8Array {
  return sha256Bytes(concat(new TextEncoder().encode(`hindsight/secagg/share/${kind}`), session, u32(dealer), u32(holder), share));
}

export function seedCommitment(session: Uint8Array, dealer: number, seed: Uint8Array): Uint8Array {
  return sha256Bytes(concat(new TextEncoder().encode('hindsight/secagg/seed'), session, u32(dealer), seed));
}

/** Encrypts (from, to, b-share, s-share) under a key from the c-key agreement; one key per direction. */
export function encryptShares(dh: Uint8Array, session: Uint8Array, from: number, to: number, bShare: Uint8Array, sShare: Uint8Array): Uint8Array {
  const key = deriveKey(dh, session, `share-enc/${from}/${to}`);
  return chacha20poly1305(key, new Uint8Array(12), concat(session, u32(from), u32(to))).encrypt(concat(u32(from), u32(to), bShare, sShare));
}

export function decryptShares(dh: Uint8Array, session: Uint8Array, from: number, to: number, ciphertext: Uint8Array): { b: Uint8Array; s: Uint8Array } {
  const key = deriveKey(dh, session, `share-enc/${from}/${to}`);
  let plain: Uint8Array;
  try {
    plain = chacha20poly1305(key, new Uint8Array(12), concat(session, u32(from), u32(to))).decrypt(ciphertext);
  } catch (cause) {
    throw new ValidationError('fl.secagg.bad-ciphertext', `share from ${from} to ${to}: expected an authentic ciphertext, got one that fails authentication`, {}, { cause });
  }
  const view = new DataView(plain.buffer, plain.byteOffset);
  if (plain.length !== 72 || view.getUint32(0) !== from || view.getUint32(4) !== to) {
    throw new ValidationError('fl.secagg.bad-ciphertext', `share from ${from} to ${to}: plaintext names the wrong sender/recipient`);
  }
  return { b: plain.slice(8, 40), s: plain.slice(40, 72) };
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
