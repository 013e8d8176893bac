import { describe, expect, it } from 'vitest';
import { CID } from 'multiformats/cid';
import { cidString, decode } from '../core/encoding.js';
import { Ed25519Signer } from './keys.js';
import { cacaoFromSiwe } from './cacao.js';
import { dagJwsEventCid, eventOfLogged } from './dag-jws.js';
import { signDelegatedEvent } from './sign.js';
import { verifyEvent } from './verify.js';
import { testKey } from '../../test/support/harness.js';
import { respellings } from '../../test/support/respell.js';
import { CERAMIC_AUTHOR, ceramicEvent, sessionDid, sessionSeed, siweDelegation, siweTime, withCapability, type CeramicWireEvent } from '../../test/support/ceramic.js';

/** Events and CACAOs here are made by Ceramic's libraries (test/support/ceramic.ts), not by hand. */
const HOUR = 3_600_000;
const now = Date.now();
const fields = (time = now, extra: Partial<{ prev: string | null; nonce: number; community: string }> = {}) => ({
  type: 'ledger.transfer',
  community: 'c1',
  prev: null,
  nonce: 1,
  time,
  payload: { to: testKey('bob').did, amount: '5' },
  ...extra,
});

async function session(label = 'alice', community = 'c1', window = { from: now - HOUR, to: now + HOUR }) {
  const did = await sessionDid(label);
  const delegation = await siweDelegation({ audience: did.id, community, issuedAt: siweTime(window.from), expirationTime: siweTime(window.to) });
  return { did, delegation, signer: await withCapability(did, delegation.cacao) };
}

describe('SIWE messages made by the standard libraries', () => {
  it('give the CACAO (and CID) that @didtools/cacao gives, whatever the timestamp spelling', async () => {
    const session = Ed25519Signer.fromSeed(sessionSeed('alice'));
    // Without milliseconds, with them, and with a UTC offset: each must survive verbatim.
    const spellings = [
      ['2026-11-24T00:00:00Z', '2026-11-26T00:00:00Z'],
      ['2026-11-24T00:00:00.123Z', '2026-11-26T00:00:00.5Z'],
      ['2026-11-24T02:00:00+02:00', '2026-11-25T19:00:00-05:00'],
    ] as const;
    for (const [issuedAt, expirationTime] of spellings) {
      const d = await siweDelegation({ audience: session.did, community: 'c1', issuedAt, expirationTime });
      const ours = cacaoFromSiwe(d.message, d.signature);
      expect(ours).toEqual(d.cacao);
      expect(cidString(ours)).toBe(d.cid);
      expect(ours.p.iat).toBe(issuedAt);
      // The delegation verifies: the SIWE text rebuilt from the CACAO is what the wallet signed.
      const event = signDelegatedEvent(session, CERAMIC_AUTHOR, ours, { ...fields(Date.parse('2026-11-25T00:00:00Z')) });
      await expect(verifyEvent(event)).resolves.toMatchObject({ event: { cap: d.cid } });
    }
  });
});

describe('Ceramic DAG-JWS events', () => {
  it('verify, and map to the same event the game reads from a native envelope', async () => {
    const { did, delegation, signer } = await session();
    const wire = await ceramicEvent(signer, fields());
    const verified = await verifyEvent(wire, { community: 'c1', clock: { now, maxSkewMs: 300_000 } });
    expect(verified.event).toMatchObject({ v: 1, type: 'ledger.transfer', community: 'c1', author: CERAMIC_AUTHOR, prev: null, nonce: 1, time: now, signer: did.id, cap: delegation.cid });
    expect(verified.event.cacao).toEqual(delegation.cacao);
    expect(verified.payload).toEqual({ to: testKey('bob').did, amount: '5' });
    expect(verified.cid).toBe(dagJwsEventCid(wire));
    // The log keeps the wire form (without jws.link); reading it back gives the same event.
    const logged = JSON.parse(JSON.stringify(decode(verified.bytes))) as unknown;
    expect(logged).toEqual({ jws: { payload: wire.jws.payload, signatures: wire.jws.signatures }, linkedBlock: wire.linkedBlock, cacaoBlock: wire.cacaoBlock });
    expect(eventOfLogged(logged)).toEqual(verified.event);
    await expect(verifyEvent(logged)).resolves.toMatchObject({ cid: verified.cid });

    // The next event names this one as prev, a CID link in the DAG-CBOR block.
    const next = await ceramicEvent(signer, fields(now + 1, { prev: verified.cid, nonce: 2 }));
    await expect(verifyEvent(next)).resolves.toMatchObject({ event: { prev: verified.cid, nonce: 2 } });
  });

  it('refuse a cap that names another CACAO than the one carried (a check dids itself does not make)', async () => {
    const { did, signer } = await session();
    const other = await siweDelegation({ audience: did.id, community: 'c1', issuedAt: siweTime(now - 2 * HOUR), expirationTime: siweTime(now + 2 * HOUR) });
    const wire = await ceramicEvent(signer, fields());
    const swapped: CeramicWireEvent = { ...wire, cacaoBlock: (await ceramicEvent(await withCapability(did, other.cacao), fields())).cacaoBlock! };
    expect(swapped.cacaoBlock).not.toBe(wire.cacaoBlock);
    await expect(verifyEvent(swapped)).rejects.toMatchObject({ code: 'cacao.capMismatch' });
    const { cacaoBlock: _dropped, ...noCacao } = wire;
    await expect(verifyEvent(noCacao)).rejects.toMatchObject({ code: 'sig.incompleteDelegation' });
  });

  it('refuse an expired CACAO, by the node clock and by the event time', async () => {
    const { signer } = await session('alice', 'c1', { from: now - 2 * HOUR, to: now + 60_000 });
    const exp = Math.floor((now + 60_000) / 1000) * 1000;
    const wire = await ceramicEvent(signer, fields(exp - 1000));
    await expect(verifyEvent(wire, { clock: { now: exp - 2000, maxSkewMs: 300_000 } })).resolves.toBeDefined();
    // Signed while the delegation held; submitted after it ran out: the node's clock decides.
    await expect(verifyEvent(wire, { clock: { now: exp + 1000, maxSkewMs: 300_000 } })).rejects.toMatchObject({ code: 'cacao.expired' });
    // Dated after the expiry by its author.
    await expect(verifyEvent(await ceramicEvent(signer, fields(exp + 1000)))).rejects.toMatchObject({ code: 'cacao.expired' });
  });

  it('refuse a CACAO whose audience is another session key', async () => {
    const did = await sessionDid('alice');
    const mallory = await sessionDid('mallory');
    const forMallory = await siweDelegation({ audience: mallory.id, community: 'c1', issuedAt: siweTime(now - HOUR), expirationTime: siweTime(now + HOUR) });
    const wire = await ceramicEvent(await withCapability(did, forMallory.cacao), fields());
    await expect(verifyEvent(wire)).rejects.toMatchObject({ code: 'cacao.wrongAudience' });
  });

  it('refuse a CACAO for another community, a tampered block, another author and a re-spelled signature', async () => {
    const { signer } = await session('alice', 'elsewhere');
    await expect(verifyEvent(await ceramicEvent(signer, fields()))).rejects.toMatchObject({ code: 'cacao.wrongResource' });

    const good = await session();
    const wire = await ceramicEvent(good.signer, fields());
    const otherBlock = await ceramicEvent(good.signer, fields(now + 5));
    await expect(verifyEvent({ ...wire, linkedBlock: otherBlock.linkedBlock })).rejects.toMatchObject({ code: 'cid.invalid' });
    await expect(verifyEvent(await ceramicEvent(good.signer, { ...fields(), author: `did:pkh:eip155:1:0x${'11'.repeat(20)}` }))).rejects.toMatchObject({ code: 'cacao.wrongIssuer' });
    // Each of the 15 other spellings of the signature is refused (each would be another event id).
    const spellings = respellings(wire.jws.signatures[0]!.signature);
    expect(spellings).toHaveLength(15);
    for (const signature of spellings) {
      const copy = { ...wire, jws: { ...wire.jws, signatures: [{ ...wire.jws.signatures[0]!, signature }] } };
      await expect(verifyEvent(copy)).rejects.toMatchObject({ code: 'sig.nonCanonical' });
    }
  });

  it('accept a did:key author signing for itself, without a CACAO', async () => {
    const did = await sessionDid('solo');
    const wire = await ceramicEvent(did, { ...fields(), author: did.id });
    await expect(verifyEvent(wire)).resolves.toMatchObject({ event: { author: did.id } });
    const impostor = await ceramicEvent(did, { ...fields(), author: testKey('alice').did });
    await expect(verifyEvent(impostor)).rejects.toMatchObject({ code: 'sig.invalid' });
  });

  it('name the previous event by a CID link, not by text', async () => {
    const { signer } = await session();
    const prev = CID.parse(dagJwsEventCid(await ceramicEvent(signer, fields()))).toString();
    const wire = await ceramicEvent(signer, fields(now, { prev, nonce: 2 }));
    await expect(verifyEvent(wire)).resolves.toMatchObject({ event: { prev } });
  });
});
