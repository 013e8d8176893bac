/**
 * `hindsight/events`: signed, self-certifying events. Identities (did:key, did:pkh), signing
 * (Ed25519, EIP-191, CACAO-delegated session keys), the envelope, the table of payload schemas
 * and the stateless verification every node runs before an event enters a log.
 */
export { EVENT_SCHEMAS, eventTypeSpec, isEventType, registeredTypes, type EventType, type EventTypeSpec, type PayloadOf } from './registry.js';
export { EnvelopeSchema, EVENT_VERSION, eventCid, eventBytes, signingBytes, type SignedEvent, type UnsignedEvent } from './envelope.js';
export { Ed25519Signer, loadKey, saveKey, verifyEd25519, type Signer, type KeyFile } from './keys.js';
export { EthereumSigner, SessionSigner, loadSigner, saveSignerFile, DEFAULT_CHAIN_ID, type AnySigner, type EthKeyFile, type SessionKeyFile } from './eth-keys.js';
export { signEvent, signDelegatedEvent, signEthereumEvent, type EventDraft } from './sign.js';
export { canonicalDid, didKeyFromPublicKey, didPkh, parseDid, sameDid, type Did, type ParsedDid } from './did.js';
export { delegateSession, type DelegationRequest } from './delegate.js';
export { cacaoFromSiwe, delegationMessage, verifyDelegation, type Cacao, type CacaoRequest } from './cacao.js';
export { verifyEvent, type VerifiedEvent, type VerifyOptions } from './verify.js';
export { DagJwsEventSchema, SignedEventSchema, dagJwsEventCid, isDagJwsShape, type DagJwsEvent } from './dag-jws.js';
