import { cidString } from '../../src/core/encoding';
import { cacaoFromSiwe } from '../../src/events/cacao';
import { sessionDelegationMessage } from '../../src/events/delegation-message';
import { get } from './api';
import { didOf, saveWalletSession, type Session } from './session';

/**
 * "Sign in with wallet": an EIP-1193 provider (window.ethereum) delegates to a fresh browser
 * session key. The wallet signs, with personal_sign, the same SIWE message `hindsight key delegate`
 * builds (src/events/delegation-message.ts); the CACAO made from it (src/events/cacao.ts) rides in
 * every event the session key then signs as the wallet's did:pkh. The wallet is asked once.
 */
export type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

/** How long a browser delegation lasts; the node refuses events after it. */
const LIFETIME_MS = 24 * 3600 * 1000;

const hexOf = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

export async function walletSignIn(provider: Eip1193): Promise<Session> {
  const accounts = await provider.request({ method: 'eth_requestAccounts' });
  const address = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`wallet: expected an account address, got ${JSON.stringify(address)}`);
  const chainHex = await provider.request({ method: 'eth_chainId' });
  const chainId = typeof chainHex === 'string' ? Number.parseInt(chainHex, 16) : Number.NaN;
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new Error(`wallet: expected a chain id such as 0x1, got ${JSON.stringify(chainHex)}`);
  const community = (await get<{ id: string }>('/v1/community')).id;
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const issuedAt = new Date();
  const message = sessionDelegationMessage({
    address: address as `0x${string}`,
    chainId,
    sessionDid: didOf(seed),
    communities: [community],
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + LIFETIME_MS),
    domain: location.host,
    nonce: hexOf(crypto.getRandomValues(new Uint8Array(12))),
  });
  // personal_sign takes the message as 0x-hex UTF-8 bytes, then the account (EIP-1193 order).
  const signature = await provider.request({ method: 'personal_sign', params: [`0x${hexOf(new TextEncoder().encode(message))}`, address] });
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new Error(`wallet: expected a 65-byte signature, got ${JSON.stringify(signature).slice(0, 40)}`);
  const cacao = cacaoFromSiwe(message, signature as `0x${string}`);
  const session: Session = { did: cacao.p.iss, seed, delegation: { signer: didOf(seed), cap: cidString(cacao), cacao: cacao as unknown as Record<string, unknown> } };
  saveWalletSession(session);
  return session;
}
