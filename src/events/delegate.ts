import { randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { cacaoFromSiwe } from './cacao.js';
import { checkDelegationExpiry, delegationResources, sessionDelegationMessage } from './delegation-message.js';
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

/**
 * Delegates from an Ethereum account to a session did:key: a SIWE (EIP-4361) message naming the
 * session as URI and the communities as resources (delegation-message.ts), signed with
 * personal_sign, turned into the CACAO that every event the session signs carries. The nonce is
 * random, so two sessions never share a CACAO CID.
 */
export function delegateSession(req: DelegationRequest): { signer: SessionSigner; message: string } {
  delegationResources(req.communities, req.resources);
  checkDelegationExpiry(req.issuedAt, req.expiresAt);
  const session = req.session ?? Ed25519Signer.generate();
  const pkh = parseDid(req.account.did);
  if (pkh.method !== 'pkh') throw new ValidationError('key.invalid', `account: expected a did:pkh, got ${req.account.did}`, { field: 'account' });
  const message = sessionDelegationMessage({
    address: req.account.address,
    chainId: pkh.chainId,
    sessionDid: session.did,
    ...(req.communities ? { communities: req.communities } : {}),
    ...(req.resources ? { resources: req.resources } : {}),
    issuedAt: req.issuedAt,
    expiresAt: req.expiresAt,
    ...(req.domain ? { domain: req.domain } : {}),
    nonce: randomBytes(12).toString('hex'),
  });
  const cacao = cacaoFromSiwe(message, req.account.personalSign(message));
  return { signer: new SessionSigner(session, cacao as unknown as Record<string, unknown>), message };
}
