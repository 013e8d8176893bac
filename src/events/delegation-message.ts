import { createSiweMessage } from 'viem/siwe';
import { ValidationError } from '../core/errors.js';
import { communityResource } from './cacao.js';

/**
 * The SIWE (EIP-4361) text an Ethereum account signs to delegate to a session did:key, shared by
 * `hindsight key delegate` (delegate.ts, which signs it with a key file) and the dashboard (which
 * asks an EIP-1193 wallet for personal_sign). Browser-safe: no node: imports.
 */
export type DelegationMessageRequest = {
  address: `0x${string}`;
  chainId: number;
  /** The session key's did:key, the SIWE URI and the CACAO's audience. */
  sessionDid: string;
  /** Communities the session may act in: each becomes a `hindsight://community/<id>` resource. */
  communities?: string[];
  /** Further resource URIs, verbatim. */
  resources?: string[];
  issuedAt: Date;
  expiresAt: Date;
  domain?: string;
  /** Random per delegation, so two sessions never share a CACAO CID. */
  nonce: string;
};

const COMMUNITY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function delegationResources(communities: string[] = [], extra: string[] = []): string[] {
  for (const c of communities) {
    if (!COMMUNITY_ID.test(c)) throw new ValidationError('key.badResource', `community: expected a community id (lowercase letters, digits, dashes), got ${JSON.stringify(c)}`, { field: 'community' });
  }
  for (const r of extra) {
    if (!/^[a-z][a-z0-9+.-]*:\S+$/.test(r)) throw new ValidationError('key.badResource', `resources: expected a URI such as hindsight://community/<id>, got ${JSON.stringify(r)}`, { field: 'resources' });
  }
  const resources = [...communities.map(communityResource), ...extra];
  if (resources.length === 0) throw new ValidationError('key.badResource', 'resources: expected at least one community the session may act in, got none', { field: 'resources' });
  return resources;
}

export function checkDelegationExpiry(issuedAt: Date, expiresAt: Date): void {
  if (!(expiresAt.getTime() > issuedAt.getTime())) {
    throw new ValidationError('key.badExpiry', `expires: expected a time after the issue time ${issuedAt.toISOString()}, got ${expiresAt.toISOString()}`, { field: 'expires' });
  }
}

export function sessionDelegationMessage(req: DelegationMessageRequest): string {
  const resources = delegationResources(req.communities, req.resources);
  checkDelegationExpiry(req.issuedAt, req.expiresAt);
  return createSiweMessage({
    address: req.address,
    chainId: req.chainId,
    domain: req.domain ?? 'hindsight.local',
    uri: req.sessionDid,
    version: '1',
    nonce: req.nonce,
    issuedAt: req.issuedAt,
    expirationTime: req.expiresAt,
    statement: `Let this session key act for this account in Hindsight (${resources.join(', ')}).`,
    resources,
  });
}
