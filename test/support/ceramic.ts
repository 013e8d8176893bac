/**
 * Test fixture: identities and events made by Ceramic's own libraries, as a Ceramic client makes
 * them — a SIWE message from `siwe`, signed by an Ethereum account (viem), turned into a CACAO by
 * `@didtools/cacao`, a did:key session from `key-did-provider-ed25519`, and events signed by `dids`'
 * `DID.createDagJWS` with the capability attached. Nothing here builds a JWS or a CACAO by hand.
 */
import { Cacao, CacaoBlock, SiweMessage as DidtoolsSiweMessage } from '@didtools/cacao';
import { DID } from 'dids';
import { Ed25519Provider } from 'key-did-provider-ed25519';
import { getResolver } from 'key-did-resolver';
import { SiweMessage } from 'siwe';
import { CID } from 'multiformats/cid';
import { privateKeyToAccount } from 'viem/accounts';
import { createHash } from 'node:crypto';
import { communityResource, type Cacao as HindsightCacao } from '../../src/events/cacao.js';

export const CERAMIC_ACCOUNT = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
export const CERAMIC_AUTHOR = `did:pkh:eip155:1:${CERAMIC_ACCOUNT.address}`;

/** The seed of a test session key (the same key as a Hindsight Ed25519Signer.fromSeed). */
export const sessionSeed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(`ceramic-session:${label}`).digest());

/** A did:key session from a deterministic seed, authenticated as Ceramic's DIDSession does it. */
export async function sessionDid(label: string): Promise<DID> {
  const did = new DID({ provider: new Ed25519Provider(sessionSeed(label)), resolver: getResolver() });
  await did.authenticate();
  return did;
}

/** RFC 3339 without milliseconds, as many wallets and SIWE libraries write it. */
export const siweTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export type SiweDelegation = { message: string; signature: `0x${string}`; cacao: HindsightCacao; cid: string };

/** A SIWE message made by `siwe`, signed by the account, and the CACAO `@didtools/cacao` builds from it. */
export async function siweDelegation(options: { audience: string; community: string; issuedAt: string; expirationTime: string; notBefore?: string; statement?: string }): Promise<SiweDelegation> {
  const fields = {
    domain: 'hindsight.local',
    address: CERAMIC_ACCOUNT.address,
    statement: options.statement ?? `Let this session key act for this account in Hindsight community ${options.community}.`,
    uri: options.audience,
    version: '1',
    chainId: 1,
    nonce: 'hindsight0',
    issuedAt: options.issuedAt,
    expirationTime: options.expirationTime,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    resources: [communityResource(options.community)],
  };
  const message = new SiweMessage(fields).prepareMessage();
  // As @didtools/pkh-ethereum does: the didtools SiweMessage is built from the fields (its text
  // parser, @didtools/siwx 2.0.0, drops Expiration Time, Not Before and Request ID), the wallet
  // signs its text, and the CACAO comes from it. Both libraries must write the same text.
  const didtools = new DidtoolsSiweMessage({ ...fields, chainId: String(fields.chainId) });
  if (didtools.signMessage() !== message) throw new Error(`siwe and @didtools/cacao disagree on the SIWE text:\n${message}\n---\n${didtools.signMessage()}`);
  const signature = await CERAMIC_ACCOUNT.signMessage({ message });
  didtools.signature = signature;
  const cacao = Cacao.fromSiweMessage(didtools) as unknown as HindsightCacao;
  const block = await CacaoBlock.fromCacao(cacao as unknown as Cacao);
  return { message, signature, cacao, cid: block.cid.toString() };
}

export type CeramicEventFields = { type: string; community: string; author?: string; prev: string | null; nonce: number; time: number; payload: Record<string, unknown> };

/** The JSON a client posts: `createDagJWS`'s result with its two blocks as base64url text. */
export type CeramicWireEvent = { jws: { payload: string; signatures: { protected: string; signature: string }[]; link?: unknown }; linkedBlock: string; cacaoBlock?: string };

/** An event signed by `did` (with its capability, if any) through `DID.createDagJWS`. */
export async function ceramicEvent(did: DID, fields: CeramicEventFields): Promise<CeramicWireEvent> {
  const block = { v: 1, ...fields, author: fields.author ?? CERAMIC_AUTHOR, prev: fields.prev === null ? null : CID.parse(fields.prev) };
  const result = await did.createDagJWS(block);
  const wire = {
    jws: result.jws,
    linkedBlock: Buffer.from(result.linkedBlock).toString('base64url'),
    ...('cacaoBlock' in result && result.cacaoBlock ? { cacaoBlock: Buffer.from(result.cacaoBlock).toString('base64url') } : {}),
  };
  // What travels is JSON: the CID in jws.link becomes {"/": "…"}.
  return JSON.parse(JSON.stringify(wire)) as CeramicWireEvent;
}

/** The session did with a CACAO attached, as DIDSession makes it (attach, then authenticate). */
export async function withCapability(did: DID, cacao: HindsightCacao): Promise<DID> {
  const delegated = did.withCapability(cacao as unknown as Cacao);
  await delegated.authenticate();
  return delegated;
}
