import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { delegateSession } from './delegate.js';
import { EthereumSigner, SessionSigner, loadSigner, saveSignerFile } from './eth-keys.js';
import { Ed25519Signer, saveKey } from './keys.js';
import { signEvent } from './sign.js';
import { verifyEvent } from './verify.js';
import { HttpClient } from '../sdk/http-client.js';
import { units } from '../../test/support/harness.js';
import { startTestNode } from '../../test/support/test-node.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-eth-keys-');
const HOUR = 3_600_000;

describe('EthereumSigner: a secp256k1 key as did:pkh', () => {
  it('has viem’s address and signs personal_sign exactly as viem does (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ maxLength: 80 }), async (seed, message) => {
        const hex = `0x${Buffer.from(seed).toString('hex')}` as const;
        let signer: EthereumSigner;
        try {
          signer = EthereumSigner.fromPrivateKey(hex, 5);
        } catch {
          return; // 0 or ≥ n: not a key (viem refuses those too)
        }
        const account = privateKeyToAccount(hex);
        expect(signer.address).toBe(account.address);
        expect(signer.did).toBe(`did:pkh:eip155:5:${account.address}`);
        expect(signer.personalSign(message)).toBe(await account.signMessage({ message }));
      }),
      { numRuns: 25 },
    );
  });

  it('signs events that verify, in the one canonical EIP-191 spelling', async () => {
    const signer = EthereumSigner.generate();
    for (let nonce = 1; nonce <= 5; nonce++) {
      const event = signEvent(signer, { type: 'treasury.fund', community: 'eth', payload: { amount: String(nonce) }, prev: null, nonce, time: 1_700_000_000_000 });
      expect(event.sig).toMatch(/^0x[0-9a-f]{128}(1b|1c)$/);
      await expect(verifyEvent(event)).resolves.toMatchObject({ event: { author: signer.did } });
    }
  });

  it('round-trips its key file; a file whose did is not its key is refused with key.mismatch', () => {
    const dir = tempDir();
    const signer = EthereumSigner.generate(137);
    saveSignerFile(signer.toKeyFile(), join(dir, 'eth.json'));
    const loaded = loadSigner(join(dir, 'eth.json'));
    expect(loaded).toBeInstanceOf(EthereumSigner);
    expect(loaded.did).toBe(signer.did);
    expect(() => saveSignerFile(signer.toKeyFile(), join(dir, 'eth.json'))).toThrow(expect.objectContaining({ code: 'key.exists' }));
    const other = EthereumSigner.generate(137);
    writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...signer.toKeyFile(), did: other.did }));
    expect(() => loadSigner(join(dir, 'forged.json'))).toThrow(expect.objectContaining({ code: 'key.mismatch' }));
    writeFileSync(join(dir, 'upper.json'), JSON.stringify({ ...signer.toKeyFile(), privateKey: signer.toKeyFile().privateKey.toUpperCase().replace('0X', '0x') }));
    expect(() => loadSigner(join(dir, 'upper.json'))).toThrow(expect.objectContaining({ code: 'key.invalid' }));
    writeFileSync(join(dir, 'rsa.json'), JSON.stringify({ type: 'rsa' }));
    expect(() => loadSigner(join(dir, 'rsa.json'))).toThrow(/expected type "ed25519", "secp256k1" or "session", got "rsa"/);
  });
});

describe('SessionSigner: a did:key an Ethereum account delegated to (SIWE → CACAO)', () => {
  const t0 = Date.UTC(2026, 11, 6, 12);

  it('signs events as the account that verify on their own; its file round-trips and a swapped CACAO is refused', async () => {
    const account = EthereumSigner.generate();
    const { signer, message } = delegateSession({ account, communities: ['alpha', 'beta'], issuedAt: new Date(t0), expiresAt: new Date(t0 + HOUR) });
    expect(message).toContain('URI: did:key:z6Mk');
    expect(signer.did).toBe(account.did);
    expect(signer.resources).toEqual(['hindsight://community/alpha', 'hindsight://community/beta']);
    expect(signer.expiresAt?.getTime()).toBe(t0 + HOUR);
    const event = signEvent(signer, { type: 'treasury.fund', community: 'beta', payload: { amount: '1' }, prev: null, nonce: 1, time: t0 + 1000 });
    expect(event).toMatchObject({ author: account.did, signer: signer.sessionDid, cap: signer.delegation.cap });
    await expect(verifyEvent(event)).resolves.toMatchObject({ event: { author: account.did } });
    // Not for a community the CACAO does not list, not after exp, not before iat.
    await expect(verifyEvent(signEvent(signer, { type: 'treasury.fund', community: 'gamma', payload: { amount: '1' }, prev: null, nonce: 1, time: t0 + 1000 }))).rejects.toMatchObject({ code: 'cacao.wrongResource' });
    await expect(verifyEvent(signEvent(signer, { type: 'treasury.fund', community: 'beta', payload: { amount: '1' }, prev: null, nonce: 1, time: t0 + HOUR }))).rejects.toMatchObject({ code: 'cacao.expired' });
    await expect(verifyEvent(signEvent(signer, { type: 'treasury.fund', community: 'beta', payload: { amount: '1' }, prev: null, nonce: 1, time: t0 - 1 }))).rejects.toMatchObject({ code: 'cacao.notYetValid' });

    const dir = tempDir();
    saveSignerFile(signer.toKeyFile(), join(dir, 'session.json'));
    const loaded = loadSigner(join(dir, 'session.json'));
    expect(loaded).toBeInstanceOf(SessionSigner);
    expect(signEvent(loaded, { type: 'treasury.fund', community: 'beta', payload: { amount: '1' }, prev: null, nonce: 1, time: t0 + 1000 })).toEqual(event);

    const other = delegateSession({ account, communities: ['alpha'], issuedAt: new Date(t0), expiresAt: new Date(t0 + HOUR) }).signer;
    const file = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'swapped.json'), JSON.stringify({ ...file, cacao: other.delegation.cacao }));
    expect(() => loadSigner(join(dir, 'swapped.json'))).toThrow(expect.objectContaining({ code: 'key.mismatch' }));
  });

  it('refuses a delegation without resources or with its expiry before its issue time', () => {
    const account = EthereumSigner.generate();
    expect(() => delegateSession({ account, issuedAt: new Date(t0), expiresAt: new Date(t0 + HOUR) })).toThrow(expect.objectContaining({ code: 'key.badResource' }));
    expect(() => delegateSession({ account, communities: ['Not A Community'], issuedAt: new Date(t0), expiresAt: new Date(t0 + HOUR) })).toThrow(expect.objectContaining({ code: 'key.badResource' }));
    expect(() => delegateSession({ account, communities: ['a'], issuedAt: new Date(t0), expiresAt: new Date(t0) })).toThrow(expect.objectContaining({ code: 'key.badExpiry' }));
  });

  it('a node with a clock accepts the session’s events for the account and refuses them once the CACAO expired (401 cacao.expired)', async () => {
    const admin = Ed25519Signer.generate();
    const account = EthereumSigner.generate();
    const dir = tempDir();
    saveKey(admin, join(dir, 'admin.key'));
    const node = await startTestNode({ admin: admin.did, intakeClock: { now: () => Date.now(), maxSkewMs: 5 * 60_000 } });
    const client = new HttpClient(node.url);
    try {
      const now = Date.now();
      await client.submit(signEvent(admin, { type: 'community.create', community: 'eth', prev: null, nonce: 1, time: now, payload: { name: 'eth', config: { admins: [admin.did], resolver: admin.did }, treasury: units(10), mint: [{ to: account.did.toLowerCase(), amount: units(5) }] } }));
      const live = delegateSession({ account, communities: ['eth'], issuedAt: new Date(now - 60_000), expiresAt: new Date(now + HOUR) }).signer;
      const accepted = await client.submit(signEvent(live, { type: 'treasury.fund', community: 'eth', payload: { amount: units(1) }, prev: null, nonce: 1, time: Date.now() }));
      expect(accepted.seq).toBe(2);
      const author = await client.author(account.did);
      expect(author).toMatchObject({ nonce: 1, head: accepted.cid, balance: units(4) });

      // Expired a minute ago by the node's clock: even an event dated inside its window is refused.
      const expired = delegateSession({ account, communities: ['eth'], issuedAt: new Date(now - 2 * HOUR), expiresAt: new Date(now - 60_000) }).signer;
      const backDated = signEvent(expired, { type: 'treasury.fund', community: 'eth', payload: { amount: units(1) }, prev: accepted.cid, nonce: 2, time: now - 2 * 60_000 });
      await expect(client.submit(backDated)).rejects.toMatchObject({ code: 'cacao.expired', message: expect.stringMatching(/expired at .* before this node's clock/) });
      expect((await client.author(account.did)).nonce).toBe(1);
    } finally {
      await client.close();
      await node.cleanup();
    }
  });
});
