/**
 * A client's X25519 key pair for a whole federated task, and the secrets it has agreed with the
 * peers it has met so far — so that a cohort that meets round after round agrees each pair once per
 * task rather than once per round (the multi-round setup of Flamingo, Ma et al. 2023).
 *
 * Reuse is safe because nothing derived from an agreed secret leaves the client without being bound
 * to its session: the pair seed m_uv and the pad key of the share channel are the halves of a hash
 * of (session, secret) (see SessionCrypto.channel), so a pair seed the server rebuilds after a
 * dropout opens that session's masks and no other. It would not be safe if a session repeated —
 * the same pads and masks twice — so the keys refuse a session they have already served. The cost
 * is forward secrecy between rounds: whoever later steals the private key can recompute every pair
 * seed of the task, so a client deletes its PairKeys when the task ends (or uses a fresh one per
 * session, the default of SecAggClient).
 */
import { ValidationError } from '../../core/errors.js';
import { toHex } from '../../core/encoding.js';
import { type KeyPair, generateKeyPair, sharedSecret } from '../../crypto/x25519.js';

/** Bytes as a map key, one latin-1 character each (a peer key or a session: 32 characters). */
const bytesKey = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

export class PairKeys {
  readonly publicKey: Uint8Array;
  private readonly agreed = new Map<string, Uint8Array>();
  private readonly sessions = new Set<string>();

  constructor(private readonly keyPair: KeyPair = generateKeyPair()) {
    this.publicKey = keyPair.publicKey;
  }

  /** Reserves `session` for these keys; throws `fl.secagg.sessionReused` for one they already served. */
  claim(session: Uint8Array): void {
    const id = bytesKey(session);
    if (this.sessions.has(id)) {
      throw new ValidationError('fl.secagg.sessionReused', `pair keys: expected a session these keys have not served, got ${toHex(session).slice(0, 16)}… a second time (its pads and masks would repeat)`);
    }
    this.sessions.add(id);
  }

  /** X25519(own, peer), computed on first use and kept for the task. The result must not be modified. */
  agree(peerPublicKey: Uint8Array): Uint8Array {
    const key = bytesKey(peerPublicKey);
    let secret = this.agreed.get(key);
    if (!secret) {
      secret = sharedSecret(this.keyPair, peerPublicKey);
      this.agreed.set(key, secret);
    }
    return secret;
  }

  /** How many peers these keys have agreed a secret with. */
  get peers(): number {
    return this.agreed.size;
  }
}
