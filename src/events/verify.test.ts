import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { privateKeyToAccount } from 'viem/accounts';
import { verifyEvent } from './verify.js';
import { signDelegatedEvent, signEthereumEvent, signEvent, type EventDraft } from './sign.js';
import { eventBytes, eventCid, signingBytes, type SignedEvent } from './envelope.js';
import { decode } from '../core/encoding.js';
import { cacaoFromSiwe, delegationMessage } from './cacao.js';
import { testKey } from '../../test/support/harness.js';
import { Ed25519Signer } from './keys.js';
import { parseDid } from './did.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { respellings } from '../../test/support/respell.js';
import { eip191Message } from './sign.js';

const alice = testKey('alice');
const draft = (payload: Record<string, unknown> = { amount: '5' }, type = 'treasury.fund'): EventDraft => ({
  type,
  community: 'c1',
  payload,
  prev: null,
  nonce: 1,
  time: Date.UTC(2026, 10, 25),
});

const VECTOR_SIG = '5PRl5SUKqtFpop-9sNJ16asJtBup11kKe22F1tMBnSPSo-c1JDaY-5O7zJl-YtuW83LFjx2UfdW2QkCNLb5uDg';
const VECTOR_CID = 'bafyreigojxcg7tc6mwdlbsye7gk7jmnqlcliymw3an3woypne2unxca2sy';
/** DAG-CBOR map of 8 entries, then the shortest key first (canonical length-first ordering): "v". */
const VECTOR_PREFIX = 'a861760164707265';

describe('Ed25519 did:key events', () => {
  it('matches a fixed test vector (deterministic key, canonical bytes, signature and CID)', async () => {
    // Ed25519 is deterministic (RFC 8032): the same key and bytes always give the same signature,
    // so these values pin the canonical encoding, the signing bytes and the CID format.
    const event = signEvent(alice, draft());
    expect(alice.did).toBe('did:key:z6MkeimydKfrCh33LS8VnSRr8q4JZFrkVWUvqZjv94Am1NhD');
    expect(event.sig).toBe(VECTOR_SIG);
    expect(eventCid(event)).toBe(VECTOR_CID);
    expect(Buffer.from(signingBytes(event)).subarray(0, 8).toString('hex')).toBe(VECTOR_PREFIX);
    const again = signEvent(alice, draft());
    expect(again.sig).toBe(event.sig);
    expect(eventCid(again)).toBe(eventCid(event));
    expect(eventCid(event)).toMatch(/^bafyrei[a-z2-7]{52}$/);
    const verified = await verifyEvent(event);
    expect(verified.cid).toBe(eventCid(event));
    // An independent Ed25519 implementation agrees with node:crypto on this signature.
    const publicKey = (parseDid(alice.did) as { publicKey: Uint8Array }).publicKey;
    expect(ed25519.verify(new Uint8Array(Buffer.from(event.sig, 'base64url')), signingBytes(event), publicKey)).toBe(true);
  });

  it('rejects a flipped byte anywhere in the encoded event', async () => {
    const event = signEvent(alice, draft({ amount: '123456' }));
    const bytes = eventBytes(event);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, mask) => {
        const tampered = bytes.slice();
        tampered[index]! ^= mask;
        let decoded: unknown;
        try {
          decoded = decode(tampered);
        } catch {
          return; // not even CBOR any more: rejected before verification
        }
        await expect(verifyEvent(decoded)).rejects.toThrow();
      }),
      { numRuns: 150 },
    );
  });

  it('rejects an event whose author is not the signer', async () => {
    const event = signEvent(alice, draft());
    const forged = { ...event, author: testKey('bob').did };
    await expect(verifyEvent(forged)).rejects.toMatchObject({ code: 'sig.invalid' });
  });

  it('rejects unknown types, unknown fields and oversized payloads with precise codes', async () => {
    await expect(verifyEvent(signEvent(alice, draft({}, 'treasury.steal')))).rejects.toMatchObject({ code: 'event.unknownType' });
    await expect(verifyEvent(signEvent(alice, draft({ amount: '5', extra: 1 })))).rejects.toMatchObject({ code: 'event.unknownField', details: { field: 'payload' } });
    await expect(verifyEvent({ ...signEvent(alice, draft()), bonus: true })).rejects.toMatchObject({ code: 'event.unknownField' });
    const huge = signEvent(alice, draft({ name: 'x'.repeat(100), architecture: 'a'.repeat(200), modelHash: 'm'.repeat(120) }, 'model.commit'));
    await expect(verifyEvent(huge, { maxPayloadBytes: 100 })).rejects.toMatchObject({ code: 'event.tooLarge' });
    const wrong = await verifyEvent(signEvent(alice, draft({ amount: '5.5' }))).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'event.schema', details: { field: 'payload.amount' } });
    expect((wrong as Error).message).toMatch(/payload\.amount: .*micro-units/);
  });

  it('rejects an event for another community', async () => {
    await expect(verifyEvent(signEvent(alice, draft()), { community: 'other' })).rejects.toMatchObject({ code: 'event.wrongCommunity' });
  });
});

describe('Ethereum accounts', () => {
  const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
  const session = testKey('session');
  const issuedAt = new Date(Date.UTC(2026, 10, 24));
  const expiresAt = new Date(Date.UTC(2026, 10, 26));

  async function delegation(community = 'c1', expires = expiresAt, audience = session.did) {
    const message = delegationMessage({ address: account.address, chainId: 1, sessionDid: audience, community, issuedAt, expiresAt: expires });
    return cacaoFromSiwe(message, await account.signMessage({ message }));
  }

  it('verifies an event signed directly with EIP-191 personal_sign', async () => {
    const event = await signEthereumEvent(account, 1, draft());
    await expect(verifyEvent(event)).resolves.toMatchObject({ event: { author: `did:pkh:eip155:1:${account.address}` } });
    await expect(verifyEvent({ ...event, payload: { amount: '6' } })).rejects.toMatchObject({ code: 'sig.invalid' });
  });

  it('accepts a session key delegated by a SIWE CACAO, with checksummed or lowercase addresses', async () => {
    const cacao = await delegation();
    const event = signDelegatedEvent(session, `did:pkh:eip155:1:${account.address}`, cacao, draft());
    await expect(verifyEvent(event)).resolves.toBeDefined();
    const lower = signDelegatedEvent(session, `did:pkh:eip155:1:${account.address.toLowerCase()}`, cacao, draft());
    await expect(verifyEvent(lower)).resolves.toBeDefined();
    const lowerIss = { ...cacao, p: { ...cacao.p, iss: cacao.p.iss.toLowerCase() } };
    const viaLowerIss = signDelegatedEvent(session, `did:pkh:eip155:1:${account.address}`, lowerIss, draft());
    await expect(verifyEvent(viaLowerIss)).resolves.toBeDefined();
  });

  it('rejects expired, foreign-resource, wrong-audience and forged delegations', async () => {
    const author = `did:pkh:eip155:1:${account.address}`;
    const expired = signDelegatedEvent(session, author, await delegation('c1', new Date(Date.UTC(2026, 10, 24, 12))), draft());
    await expect(verifyEvent(expired)).rejects.toMatchObject({ code: 'cacao.expired' });
    const foreign = signDelegatedEvent(session, author, await delegation('another-community'), draft());
    await expect(verifyEvent(foreign)).rejects.toMatchObject({ code: 'cacao.wrongResource' });
    const otherAudience = signDelegatedEvent(session, author, await delegation('c1', expiresAt, testKey('mallory').did), draft());
    await expect(verifyEvent(otherAudience)).rejects.toMatchObject({ code: 'cacao.wrongAudience' });
    const cacao = await delegation();
    const forgedCacao = { ...cacao, p: { ...cacao.p, exp: new Date(Date.UTC(2030, 0, 1)).toISOString() } };
    await expect(verifyEvent(signDelegatedEvent(session, author, forgedCacao, draft()))).rejects.toMatchObject({ code: 'cacao.badSignature' });
    const otherAccount = `did:pkh:eip155:1:0x${'11'.repeat(20)}`;
    await expect(verifyEvent(signDelegatedEvent(session, otherAccount, cacao, draft()))).rejects.toMatchObject({ code: 'cacao.wrongIssuer' });
    const good = signDelegatedEvent(session, author, cacao, draft());
    const wrongCap = { ...good, cap: eventCid(signEvent(alice, draft())) } as SignedEvent;
    await expect(verifyEvent(wrongCap)).rejects.toMatchObject({ code: 'cacao.capMismatch' });
    const stolen = signDelegatedEvent(testKey('mallory'), author, cacao, draft());
    await expect(verifyEvent(stolen)).rejects.toMatchObject({ code: 'cacao.wrongAudience' });
  });
});

describe('keys', () => {
  it('round-trips a key file and refuses one whose did does not match', () => {
    const k = Ed25519Signer.generate();
    expect(Ed25519Signer.fromKeyFile(k.toKeyFile()).did).toBe(k.did);
    expect(() => Ed25519Signer.fromKeyFile({ ...k.toKeyFile(), did: alice.did })).toThrow(/expected did/);
  });
});

describe('encodeSigned', () => {
  it('splices sig into the signing bytes exactly as a fresh DAG-CBOR encoding would place it', async () => {
    const { encodeSigned } = await import('./envelope.js');
    const session = testKey('session');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.boolean(), async (name, nonce, delegated) => {
        const d = { ...draft({ name, architecture: 'x', modelHash: 'model-hash-1' }, 'model.commit'), nonce };
        const event = delegated
          ? signDelegatedEvent(session, `did:pkh:eip155:1:0x${'ab'.repeat(20)}`, { h: { t: 'eip4361' }, p: { domain: 'd', iss: 'i', aud: 'a', version: '1', nonce: 'n', iat: 't' }, s: { t: 'eip191', s: '0x00' } }, d)
          : signEvent(alice, d);
        const { signing, full } = encodeSigned(event);
        expect(Buffer.from(full).equals(Buffer.from(eventBytes(event)))).toBe(true);
        expect(Buffer.from(signing).equals(Buffer.from(signingBytes(event)))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('signEventWithCid', () => {
  it('signs as signEvent does and names the event by the CID of its full encoding (property)', async () => {
    const { signEventWithCid } = await import('./sign.js');
    const { eventCid } = await import('./envelope.js');
    const session = testKey('session');
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.boolean(), fc.boolean(), async (name, nonce, delegated, first) => {
        const d = { ...draft({ name, architecture: 'x', modelHash: 'model-hash-1' }, 'model.commit'), nonce, ...(first ? { prev: undefined } : {}) };
        const delegation = { signer: session.did, cap: 'bafyreigh2akiscaildc3ax2yxkxhafqzs3xrfkuhwz3z6ywtwdy4bwr6b4', cacao: { h: { t: 'eip4361' } } };
        const signer = delegated ? { did: `did:pkh:eip155:1:0x${'ab'.repeat(20)}` as const, sign: (b: Uint8Array) => session.sign(b), delegation } : alice;
        const { event, cid } = signEventWithCid(signer, d);
        expect(event).toEqual(signEvent(signer, d));
        expect(cid).toBe(eventCid(event));
      }),
      { numRuns: 100 },
    );
  });
});

describe('one spelling per signature, key and CID', () => {
  it('refuses every non-canonical spelling of a valid Ed25519 signature (each would be another event id)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: 1, max: 2 ** 40 }), async (amount, nonce) => {
        const event = signEvent(alice, { ...draft({ amount: amount.toString() }), nonce });
        await expect(verifyEvent(event)).resolves.toBeDefined();
        const spellings = respellings(event.sig);
        expect(spellings).toHaveLength(15);
        for (const sig of spellings) {
          expect(Buffer.from(sig, 'base64url').equals(Buffer.from(event.sig, 'base64url'))).toBe(true);
          expect(eventCid({ ...event, sig })).not.toBe(eventCid(event));
          await expect(verifyEvent({ ...event, sig })).rejects.toMatchObject({ code: 'sig.nonCanonical', details: { field: 'sig' } });
        }
      }),
      { numRuns: 20 },
    );
  });

  it('refuses the twin S + L of an Ed25519 signature', async () => {
    const event = signEvent(alice, draft());
    const bytes = Buffer.from(event.sig, 'base64url');
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(bytes[32 + i]!);
    let twin = s + L;
    for (let i = 0; i < 32; i++, twin >>= 8n) bytes[32 + i] = Number(twin & 0xffn);
    await expect(verifyEvent({ ...event, sig: bytes.toString('base64url') })).rejects.toMatchObject({ code: 'sig.invalid' });
  });

  it('refuses other spellings of an EIP-191 signature: upper case, high s, v as 0/1', async () => {
    const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const event = await signEthereumEvent(account, 1, draft());
    await expect(verifyEvent(event)).resolves.toBeDefined();
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const r = event.sig.slice(2, 66);
    const s = BigInt(`0x${event.sig.slice(66, 130)}`);
    const v = parseInt(event.sig.slice(130), 16);
    const highS = `0x${r}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}`;
    const zeroOne = `0x${r}${event.sig.slice(66, 130)}0${v - 27}`;
    const upper = `0x${event.sig.slice(2).toUpperCase()}`;
    for (const sig of [highS, zeroOne, upper]) {
      // viem recovers the same account from each...
      const { recoverMessageAddress } = await import('viem');
      expect(await recoverMessageAddress({ message: eip191Message(signingBytes(event)), signature: sig as `0x${string}` })).toBe(account.address);
      // ...but only the one spelling enters a log.
      await expect(verifyEvent({ ...event, sig })).rejects.toMatchObject({ code: 'sig.nonCanonical' });
    }
  });

  it('refuses a prev or cap CID text with unused bits set, and a key file whose seed is re-spelled', async () => {
    const first = eventCid(signEvent(alice, draft()));
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const last = alphabet.indexOf(first.at(-1)!);
    const respelledCid = first.slice(0, -1) + alphabet[last ^ 1];
    const next = signEvent(alice, { ...draft(), prev: respelledCid, nonce: 2 });
    await expect(verifyEvent(next)).rejects.toMatchObject({ code: 'cid.nonCanonical', details: { field: 'prev' } });
    await expect(verifyEvent(signEvent(alice, { ...draft(), prev: first, nonce: 2 }))).resolves.toBeDefined();

    const file = alice.toKeyFile();
    expect(Ed25519Signer.fromKeyFile(file).did).toBe(alice.did);
    for (const privateKey of respellings(file.privateKey)) {
      expect(() => Ed25519Signer.fromKeyFile({ ...file, privateKey })).toThrow(expect.objectContaining({ code: 'key.nonCanonical' }));
    }
  });
});

describe('nesting', () => {
  it('refuses an event nested past the limit with event.tooDeep, not a stack overflow, whoever hands it over', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const event = { ...signEvent(alice, draft()), payload: { amount: '5', note: deep } };
    await expect(verifyEvent(event)).rejects.toMatchObject({ code: 'event.tooDeep', message: expect.stringContaining('at most 64 levels') });
    // Just inside the limit the event reaches the schema check, which names the unknown field.
    let shallow: unknown = 'x';
    for (let i = 0; i < 60; i++) shallow = [shallow];
    await expect(verifyEvent({ ...signEvent(alice, draft()), payload: { amount: '5', note: shallow } })).rejects.toMatchObject({ code: expect.not.stringMatching(/tooDeep/) });
  });
});
