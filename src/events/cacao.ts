import { z } from 'zod';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import { getAddress, recoverMessageAddress, type Hex } from 'viem';
import { AuthError, ValidationError } from '../core/errors.js';
import { cidString } from '../core/encoding.js';
import { parseDid, type Did } from './did.js';

/**
 * CAIP-74 CACAO for a SIWE (EIP-4361) message: an Ethereum account (iss, did:pkh) lets a session
 * key (aud, did:key) act for it until `exp`, for the resources listed. Same layout as the
 * CACAOs Ceramic's tools produce, so theirs verify here.
 */
export const CacaoSchema = z.object({
  h: z.object({ t: z.literal('eip4361') }),
  p: z.object({
    domain: z.string(),
    iss: z.string(),
    aud: z.string(),
    version: z.string(),
    nonce: z.string(),
    iat: z.string(),
    nbf: z.string().optional(),
    exp: z.string().optional(),
    statement: z.string().optional(),
    requestId: z.string().optional(),
    resources: z.array(z.string()).optional(),
  }),
  s: z.object({ t: z.literal('eip191'), s: z.string().regex(/^0x[0-9a-fA-F]+$/) }),
});
export type Cacao = z.infer<typeof CacaoSchema>;

/** The resource URI a delegation must list to be valid for a community. */
export function communityResource(community: string): string {
  return `hindsight://community/${community}`;
}

export type CacaoRequest = {
  address: `0x${string}`;
  chainId: number;
  sessionDid: Did;
  community: string;
  issuedAt: Date;
  expiresAt: Date;
  domain?: string;
  nonce?: string;
};

/** The SIWE message a wallet signs to delegate to a session key (built with viem's siwe utilities). */
export function delegationMessage(req: CacaoRequest): string {
  return createSiweMessage({
    address: getAddress(req.address),
    chainId: req.chainId,
    domain: req.domain ?? 'hindsight.local',
    uri: req.sessionDid,
    version: '1',
    nonce: req.nonce ?? 'hindsight0',
    issuedAt: req.issuedAt,
    expirationTime: req.expiresAt,
    statement: `Let this session key act for this account in Hindsight community ${req.community}.`,
    resources: [communityResource(req.community)],
  });
}

/**
 * Builds the CACAO from a signed SIWE message as Ceramic's `Cacao.fromSiweMessage` does: every
 * field is the message's text verbatim (timestamps too: `2026-11-24T00:00:00Z` stays without
 * milliseconds), so the SIWE text rebuilt from the CACAO is the one the wallet signed and the CACAO
 * has the CID Ceramic's tools give it.
 */
export function cacaoFromSiwe(message: string, signature: Hex): Cacao {
  const siwe = parseSiweMessage(message);
  if (!siwe.address || !siwe.chainId || !siwe.domain || !siwe.uri || !siwe.nonce || !siwe.issuedAt) {
    throw new ValidationError('cacao.invalid', 'SIWE message: expected address, chainId, domain, uri, nonce and issuedAt');
  }
  const iat = siweField(message, 'Issued At')!;
  const nbf = siweField(message, 'Not Before');
  const exp = siweField(message, 'Expiration Time');
  for (const [name, text, parsed] of [['Issued At', iat, siwe.issuedAt], ['Not Before', nbf, siwe.notBefore], ['Expiration Time', exp, siwe.expirationTime]] as const) {
    // The line must be the one viem's parser read (a statement cannot fake a field this way).
    if (text !== undefined && !(parsed instanceof Date && Number.isFinite(parsed.getTime()) && Date.parse(text) === parsed.getTime())) {
      throw new ValidationError('cacao.invalid', `SIWE message: expected ${name} as an RFC 3339 date-time, got ${JSON.stringify(text).slice(0, 60)}`, { field: name });
    }
  }
  const p: Cacao['p'] = {
    domain: siwe.domain,
    iss: `did:pkh:eip155:${siwe.chainId}:${siwe.address}`,
    aud: siwe.uri,
    version: siwe.version ?? '1',
    nonce: siwe.nonce,
    iat,
  };
  if (nbf !== undefined) p.nbf = nbf;
  if (exp !== undefined) p.exp = exp;
  if (siwe.statement) p.statement = siwe.statement;
  if (siwe.requestId) p.requestId = siwe.requestId;
  if (siwe.resources) p.resources = siwe.resources;
  return { h: { t: 'eip4361' }, p, s: { t: 'eip191', s: signature } };
}

/** The text of a `Name: value` line of a SIWE message: the last such line, since the fields follow the statement. */
function siweField(message: string, name: 'Issued At' | 'Not Before' | 'Expiration Time'): string | undefined {
  return [...message.matchAll(new RegExp(`\\n${name}: ([^\\n]+)`, 'g'))].at(-1)?.[1];
}

/** Re-creates the signed SIWE text from the CACAO's fields verbatim (so foreign timestamp formats survive). */
function siweText(p: Cacao['p'], address: string, statementStyle: 'viem' | 'spruce'): string {
  const chainId = p.iss.split(':')[3];
  let prefix = `${p.domain} wants you to sign in with your Ethereum account:\n${address}\n\n`;
  if (p.statement) prefix += `${p.statement}\n`;
  else if (statementStyle === 'spruce') prefix = prefix.slice(0, -1);
  let suffix = `URI: ${p.aud}\nVersion: ${p.version}\nChain ID: ${chainId}\nNonce: ${p.nonce}\nIssued At: ${p.iat}`;
  if (p.exp) suffix += `\nExpiration Time: ${p.exp}`;
  if (p.nbf) suffix += `\nNot Before: ${p.nbf}`;
  if (p.requestId) suffix += `\nRequest ID: ${p.requestId}`;
  if (p.resources) suffix += `\nResources:${p.resources.map((r) => `\n- ${r}`).join('')}`;
  return `${prefix}\n${suffix}`;
}

export type DelegationCheck = {
  cacao: unknown;
  cap: string;
  author: Did;
  signer: Did;
  community: string;
  time: number;
  /** The node's clock (ms) at intake; the delegation must not have expired by then. Absent on replay. */
  now?: number;
};

/**
 * Checks a delegation for one event: the CACAO is the one named by `cap`, was signed by the
 * author's Ethereum account, names the event's signer as audience and the community as resource,
 * and is valid at the event's time and, at intake on a node with a clock, has not expired by the
 * node's clock (the event's time is the author's to write; docs/security.md, "Time"). Returns
 * nothing; throws AuthError with the reason.
 */
export async function verifyDelegation(check: DelegationCheck): Promise<void> {
  const parsed = CacaoSchema.safeParse(check.cacao);
  if (!parsed.success) throw new AuthError('cacao.invalid', `cacao: expected a CAIP-74 eip4361 CACAO, got ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { field: 'cacao' });
  const cacao = parsed.data;
  const actualCid = cidString(check.cacao);
  if (actualCid !== check.cap) throw new AuthError('cacao.capMismatch', `cap: expected the CID of the attached CACAO ${actualCid}, got ${check.cap}`, { field: 'cap' });
  const issuer = parseDid(cacao.p.iss, 'cacao.p.iss');
  const author = parseDid(check.author);
  if (issuer.method !== 'pkh' || author.method !== 'pkh' || issuer.chainId !== author.chainId || issuer.address.toLowerCase() !== author.address.toLowerCase()) {
    throw new AuthError('cacao.wrongIssuer', `cacao: expected issuer ${check.author}, got ${cacao.p.iss}`, { field: 'cacao.p.iss' });
  }
  if (cacao.p.aud !== check.signer) throw new AuthError('cacao.wrongAudience', `cacao: expected audience ${check.signer} (the event's signer), got ${cacao.p.aud}`, { field: 'cacao.p.aud' });
  const resource = communityResource(check.community);
  if (!cacao.p.resources?.includes(resource)) {
    throw new AuthError('cacao.wrongResource', `cacao: expected resource ${resource}, got ${JSON.stringify(cacao.p.resources ?? [])}`, { field: 'cacao.p.resources' });
  }
  const exp = cacao.p.exp ? Date.parse(cacao.p.exp) : Number.NaN;
  if (!Number.isFinite(exp)) throw new AuthError('cacao.noExpiry', 'cacao: expected an expiration time (exp), got none', { field: 'cacao.p.exp' });
  if (check.now !== undefined && check.now >= exp) {
    throw new AuthError('cacao.expired', `cacao: expected a delegation valid now, got one that expired at ${cacao.p.exp}, before this node's clock ${new Date(check.now).toISOString()}`, { field: 'cacao.p.exp' });
  }
  if (check.time >= exp) throw new AuthError('cacao.expired', `cacao: expired at ${cacao.p.exp}, event time ${new Date(check.time).toISOString()}`, { field: 'cacao.p.exp' });
  const nbf = Date.parse(cacao.p.nbf ?? cacao.p.iat);
  if (Number.isFinite(nbf) && check.time < nbf) throw new AuthError('cacao.notYetValid', `cacao: valid from ${cacao.p.nbf ?? cacao.p.iat}, event time ${new Date(check.time).toISOString()}`, { field: 'cacao.p.nbf' });

  const signature = cacao.s.s as Hex;
  const candidates = new Set([issuer.address, getAddress(issuer.address)]);
  for (const address of candidates) {
    for (const style of ['viem', 'spruce'] as const) {
      const recovered = await recoverMessageAddress({ message: siweText(cacao.p, address, style), signature }).catch(() => undefined);
      if (recovered && recovered.toLowerCase() === issuer.address.toLowerCase()) return;
    }
  }
  throw new AuthError('cacao.badSignature', `cacao: expected an EIP-191 signature by ${issuer.address}, got one that does not recover to it`, { field: 'cacao.s' });
}
