import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandomBytes } from '../../crypto/random-bytes.js';
import { keyPairFromSecret } from '../../crypto/x25519.js';
import { DataGrant, DataPut, DataRevoke } from '../../events/types/data.js';
import { GameHarness, testKey } from '../../../test/support/harness.js';
import { DataVault } from './vault.js';
import { openChunk, parseChunk, unwrapDataKey, type SealedChunk, type WrappedKey } from './sealed.js';

const example = fc.record({ text: fc.string({ minLength: 12, maxLength: 200 }).map((s) => `secret-${s}`), label: fc.integer({ min: 0, max: 1 }) });
/** What a member does to its vault: put data, grant operator A or B, revoke one of them. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), examples: fc.array(example, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('grant' as const), to: fc.constantFrom('A', 'B') }),
  fc.record({ kind: fc.constant('revoke' as const), to: fc.constantFrom('A', 'B') }),
);

function withVault<T>(seed: number, run: (vault: DataVault) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-vault-'));
  try {
    return run(DataVault.create(dir, 'did:key:owner', seededRandomBytes(`vault/${seed}`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const operators = { A: keyPairFromSecret(new Uint8Array(32).fill(7)), B: keyPairFromSecret(new Uint8Array(32).fill(9)) };
const DIDS = { A: testKey('operator-A').did, B: testKey('operator-B').did };
const did = (name: 'A' | 'B') => DIDS[name];

/** `revocations`: what the operator held when revoked, and how many chunks existed then. */
type Trace = { published: unknown[]; chunks: { chunk: SealedChunk }[]; grants: Map<string, WrappedKey[]>; revocations: { name: 'A' | 'B'; held: WrappedKey[]; chunksBefore: number }[] };

type Op = { kind: 'put'; examples: { text: string; label: number }[] } | { kind: 'grant' | 'revoke'; to: 'A' | 'B' };

function play(vault: DataVault, ops: readonly Op[]): Trace {
  const t: Trace = { published: [], chunks: [], grants: new Map([['A', []], ['B', []]]), revocations: [] };
  for (const o of ops) {
    if (o.kind === 'put') {
      const { chunks, payload } = vault.put(o.examples);
      expect(DataPut.safeParse(payload).success).toBe(true);
      t.published.push(payload, ...chunks.map((c) => Buffer.from(c.bytes).toString('latin1')));
      for (const chunk of chunks) t.chunks.push({ chunk });
    } else if (o.kind === 'grant') {
      const g = vault.grant(did(o.to), operators[o.to].publicKey);
      expect(DataGrant.safeParse(g).success).toBe(true);
      t.published.push(g);
      t.grants.get(o.to)!.push(...g.keys);
    } else {
      const live = vault.list().grants.some((g) => g.to === did(o.to) && g.revokedFrom === null);
      if (!live) continue;
      t.revocations.push({ name: o.to, held: [...t.grants.get(o.to)!], chunksBefore: t.chunks.length });
      const r = vault.revoke(did(o.to));
      expect(DataRevoke.safeParse(r.revoke).success).toBe(true);
      t.published.push(r.revoke, ...r.regrants);
      for (const g of r.regrants) t.grants.get(g.to === DIDS.A ? 'A' : 'B')!.push(...g.keys);
    }
  }
  return t;
}

describe('a member keeps its training data sealed', () => {
  it('no plaintext and no data key reaches the log (event payloads) or the node (chunk bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(op, { minLength: 1, maxLength: 8 }), (seed, ops) =>
        withVault(seed, (vault) => {
          const t = play(vault, ops);
          const published = t.published.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('\n');
          const texts = ops.flatMap((o) => (o.kind === 'put' ? o.examples.map((e) => e.text) : []));
          for (const text of texts) {
            expect(published.includes(text)).toBe(false);
            expect(published.includes(JSON.stringify(text).slice(1, -1))).toBe(false);
          }
          const keys = Object.values((vault as unknown as { file: { keys: Record<string, string> } }).file.keys);
          for (const key of keys) {
            expect(published.includes(key)).toBe(false);
            expect(published.includes(Buffer.from(key, 'hex').toString('latin1'))).toBe(false);
            expect(published.includes(Buffer.from(key, 'hex').toString('base64'))).toBe(false);
          }
          // The member itself still reads everything back.
          expect(vault.readAllExamples()).toEqual(ops.flatMap((o) => (o.kind === 'put' ? o.examples : [])));
        }),
      ),
      { numRuns: 25 },
    );
  });

  it('a revoked grant opens nothing added after the revocation; a live grant opens everything since it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(op, { minLength: 1, maxLength: 10 }), (seed, ops) =>
        withVault(seed, (vault) => {
          const t = play(vault, ops);
          const unwrap = (name: 'A' | 'B', wrapped: WrappedKey[]) => new Map(wrapped.map((w) => [w.epoch, unwrapDataKey(vault.owner, did(name), operators[name], w)]));
          // Whatever a revoked operator held opens none of the chunks sealed after its revocation ...
          for (const r of t.revocations) {
            const keys = unwrap(r.name, r.held);
            for (const { chunk } of t.chunks.slice(r.chunksBefore)) expect(() => openChunk(vault.owner, chunk.bytes, keys)).toThrow(/expected a key for epoch/);
          }
          // ... while every key an operator was ever granted opens the chunks of its epoch.
          for (const name of ['A', 'B'] as const) {
            const keys = unwrap(name, t.grants.get(name)!);
            for (const { chunk } of t.chunks) if (keys.has(chunk.epoch)) expect(parseChunk(openChunk(vault.owner, chunk.bytes, keys))).not.toHaveLength(0);
          }
        }),
      ),
      { numRuns: 25 },
    );
  });

  it('a grant wrapped to A does not open with B’s key, and a changed chunk byte does not decrypt', () => {
    withVault(3, (vault) => {
      const { chunks } = vault.put([{ text: 'hello spam', label: 1 }]);
      const g = vault.grant(did('A'), operators.A.publicKey);
      expect(() => unwrapDataKey(vault.owner, did('A'), operators.B, g.keys[0]!)).toThrow(/grant of epoch 0: expected a key wrapped to this recipient/);
      const key = unwrapDataKey(vault.owner, did('A'), operators.A, g.keys[0]!);
      const bytes = Uint8Array.from(chunks[0]!.bytes);
      bytes[bytes.length - 1] ^= 1;
      expect(() => openChunk(vault.owner, bytes, new Map([[0, key]]))).toThrow(/expected ciphertext that authenticates under the epoch 0 key/);
      expect(() => vault.revoke(did('B'))).toThrow(/to: expected an operator holding a live grant/);
    });
  });

  it('the game keeps the epoch rules: data goes under the current key, revocation moves to the next', async () => {
    const h = new GameHarness();
    await h.create({ members: ['ann', 'op'] });
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-vault-'));
    try {
      const vault = DataVault.create(dir, h.key('ann').did, seededRandomBytes('game'));
      await h.run('ann', 'data.put', vault.put([{ text: 'x', label: 0 }]).payload);
      const g = vault.grant(h.key('op').did, operators.A.publicKey);
      await h.run('ann', 'data.grant', g);
      const old = vault.put([{ text: 'y', label: 1 }]).payload;
      const r = vault.revoke(h.key('op').did);
      await h.run('ann', 'data.revoke', r.revoke);
      await expect(h.run('ann', 'data.put', old)).rejects.toThrow(/chunks.epoch: expected the owner's current key epoch 1, got 0/);
      await h.run('ann', 'data.put', vault.put([{ text: 'z', label: 1 }]).payload);
      await expect(h.run('ann', 'data.revoke', r.revoke)).rejects.toThrow(/to: expected an operator holding a live grant/);
      await expect(h.run('ann', 'data.grant', { ...g, keys: [{ ...g.keys[0]!, epoch: 5 }] })).rejects.toThrow(/keys.epoch: expected an existing key epoch \(≤ 1\), got 5/);
      const owner = h.state.data!.get(h.key('ann').did)!;
      expect(owner.epoch).toBe(1);
      expect(owner.grants.get(h.key('op').did)).toEqual({ epochs: [0], revokedFrom: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
