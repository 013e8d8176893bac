import { randomBytes } from 'node:crypto';
import { createSiweMessage } from 'viem/siwe';
import { ValidationError } from '../core/errors.js';
import { cacaoFromSiwe, communityResource } from './cacao.js';
import { parseDid } from './did.js';
import { EthereumSigner, SessionSigner } from './eth-keys.js';
import { Ed25519Signer } from './keys.js';

export type DelegationRequest = {
  /** The Ethereum account that delegates (signs the SIWE message). */
  account: EthereumSigner;
  /** The session key to delegate to (default: a fresh one). */
  session?: Ed25519Signer;
  /** Communities the session may act in: each becomes a `hindsight://community/<id>` resource. */
  communities?: string[];
  /** Further resource URIs, verbatim. */
  resources?: string[];
  issuedAt: Date;
  expiresAt: Date;
  domain?: string;
};

const COMMUNITY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Delegates from an Ethereum account to a session did:key: a SIWE (EIP-4361) message naming the
 * session as URI and the communities as resources, signed with personal_sign, turned into the CACAO
 * that every event the session signs carries. The nonce is random, so two sessions never share a
 * CACAO CID.
 */
export function delegateSession(req: DelegationRequest): { signer: SessionSigner; message: string } {
  const communities = req.communities ?? [];
  for (const c of communities) {
    if (!COMMUNITY_ID.test(c)) throw new ValidationError('key.badResource', `community: expected a community id (lowercase letters, digits, dashes), got ${JSON.stringify(c)}`, { field: 'community' });
  }
  const resources = [...communities.map(communityResource), ...(req.resources ?? [])];
  for (const r of req.resources ?? []) {
    if (!/^[a-z][a-z0-9+.-]*:\S+$/.test(r)) throw new ValidationError('key.badResource', `resources: expected a URI such as hindsight://community/<id>, got ${JSON.stringify(r)}`, { field: 'resources' });
  }
  if (resources.length === 0) throw new ValidationError('key.badResource', 'resources: expected at least one community the session may act in, got none', { field: 'resources' });
  if (!(req.expiresAt.getTime() > req.issuedAt.getTime())) {
    throw new ValidationError('key.badExpiry', `expires: expected a time after the issue time ${req.issuedAt.toISOString()}, got ${req.expiresAt.toISOString()}`, { field: 'expires' });
  }
  const session = req.session ?? Ed25519Signer.generate();
  const pkh = parseDid(req.account.did);
  if (pkh.method !== 'pkh') throw new ValidationError('key.invalid', `account: expected a did:pkh, got ${req.account.did}`, { field: 'account' });
  const message = createSiweMessage({
    address: req.account.address,
    chainId: pkh.chainId,
    domain: req.domain ?? 'hindsight.local',
    uri: session.did,
    version: '1',
    nonce: randomBytes(12).toString('hex'),
    issuedAt: req.issuedAt,
    expirationTime: req.expiresAt,
    statement: `Let this session key act for this account in Hindsight (${resources.join(', ')}).`,
    resources,
  });
  const cacao = cacaoFromSiwe(message, req.account.personalSign(message));
  return { signer: new SessionSigner(session, cacao as unknown as Record<string, unknown>), message };
}
