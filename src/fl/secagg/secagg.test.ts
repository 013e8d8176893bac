import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256Bytes } from '../../core/encoding.js';
import { makeRng } from '../../ml/rng.js';
import { seededRandomBytes } from '../../crypto/random-bytes.js';
import { PairKeys } from './pair-keys.js';
import { SecAggClient } from './client.js';
import type { SecAggConfig } from './common.js';
import { SHARE_BYTES, SessionCrypto, dealerOf, dealtPairs, neighbours } from './common.js';
import { SecAggServer } from './server.js';
import { runSecAggSession } from './session.js';
import { generateKeyPair, sharedSecret } from '../../crypto/x25519.js';

function setup(n: number, d: number, extra: Partial<SecAggConfig> = {}, seed = 1) {
  const config: SecAggConfig = {
    session: sha256Bytes(new TextEncoder().encode(`test-session-${seed}`)),
    clientIds: Array.from({ length: n }, (_, k) => k + 1),
    threshold: Math.max(1, Math.floor((n - 1) / 2) + 1),
    vectorLength: d,
    ...extra,
  };
  const rng = makeRng(seed);
  const inputs = new Map(config.clientIds.map((id) => [id, Uint32Array.from({ length: d }, () => Math.floor(rng.next() * 2 ** 32))]));
  return { config, inputs, random: seededRandomBytes(`secagg-${seed}`) };
}

/** A public per-session AES key computed independently: SHA-256('hindsight/secagg/' + label padded to 32 bytes ‖ session), first half. */
function publicKeyOf(label: string, session: Uint8Array): Buffer {
  const block = new Uint8Array(64);
  block.set(new TextEncoder().encode(`hindsight/secagg/${label}`));
  block.set(session, 32);
  return createHash('sha256').update(block).digest().subarray(0, 16);
}

/** The same share with its first bit flipped (a lying holder). */
const flip = (y: Uint8Array) => y.map((b, i) => (i === 0 ? b ^ 1 : b));

function plainSum(inputs: Map<number, Uint32Array>, ids: number[], d: number): Uint32Array {
  const sum = new Uint32Array(d);
  for (const id of ids) inputs.get(id)!.forEach((v, i) => (sum[i] = sum[i]! + v));
  return sum;
}

/** Clients and server of one session, run through the key and share rounds. */
function throughShares(config: SecAggConfig, random: (n: number) => Uint8Array) {
  const clients = config.clientIds.map((id) => new SecAggClient(config, id, random));
  const server = new SecAggServer(config);
  clients.forEach((c) => server.receiveKeys(c.advertise()));
  const roster = server.closeKeys();
  clients.forEach((c) => server.receiveShares(c.shareKeys(roster)));
  return { clients, server, inbox: server.closeShares() };
}

describe('secure aggregation', () => {
  it('recovers the exact sum with no dropouts', () => {
    const { config, inputs, random } = setup(8, 50);
    const result = runSecAggSession(config, inputs, random);
    expect(result.included).toEqual(config.clientIds);
    expect([...result.sum]).toEqual([...plainSum(inputs, [...config.clientIds], 50)]);
  });

  it('recovers the exact sum of the survivors when clients drop at every stage', () => {
    const { config, inputs, random } = setup(12, 64, { threshold: 4 }, 2);
    const result = runSecAggSession(config, inputs, random, { beforeKeys: [1], beforeShares: [2], afterShares: [3, 4, 5], afterInput: [6] });
    expect(result.dropped).toEqual([3, 4, 5]);
    expect(result.included).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 64)]);
  });

  it('SecAgg+ sparse neighbour graph: symmetric, k-regular, exact sum with dropouts', () => {
    const { config, inputs, random } = setup(30, 16, { neighbors: 8, threshold: 5 }, 3);
    for (const u of config.clientIds) {
      const list = neighbours(config, u);
      expect(list).toHaveLength(8);
      for (const v of list) expect(neighbours(config, v)).toContain(u);
    }
    const result = runSecAggSession(config, inputs, random, { afterShares: [2, 17], afterInput: [9] });
    expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 16)]);
  });

  it('a task of rounds with task-long keys and a fixed ring: exact sums with dropouts, each pair agreed once, neighbours kept', () => {
    const n = 24;
    const ids = Array.from({ length: n }, (_, k) => k + 1);
    const keys = new Map(ids.map((id) => [id, new PairKeys()]));
    const graphSeed = sha256Bytes(new TextEncoder().encode('task-ring'));
    const rounds = [
      { afterShares: [3], afterInput: [] },
      { afterShares: [7, 19], afterInput: [2] },
      { afterShares: [], afterInput: [] },
      { afterShares: [1, 24], afterInput: [12] },
    ];
    let firstNeighbours: number[] | undefined;
    rounds.forEach((drops, r) => {
      const { config, inputs, random } = setup(n, 32, { neighbors: 8, threshold: 5, graphSeed }, 20 + r);
      firstNeighbours ??= neighbours(config, 5);
      expect(neighbours(config, 5)).toEqual(firstNeighbours); // new session, same ring
      const result = runSecAggSession(config, inputs, random, { ...drops, keys });
      expect(result.dropped).toEqual(drops.afterShares);
      expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 32)]);
    });
    // Each client met the same 8 neighbours every round and agreed with each of them once.
    for (const k of keys.values()) expect(k.peers).toBe(8);
    // Without the fixed seed the ring follows the session.
    const a = setup(n, 4, { neighbors: 8, threshold: 5 }, 30).config;
    const b = setup(n, 4, { neighbors: 8, threshold: 5 }, 31).config;
    expect(neighbours(a, 5)).not.toEqual(neighbours(b, 5));
  });

  it('task-long keys refuse a repeated session before the client sends anything', () => {
    const { config, inputs, random } = setup(6, 8, { threshold: 3 }, 40);
    const keys = new Map(config.clientIds.map((id) => [id, new PairKeys()]));
    runSecAggSession(config, inputs, random, { keys });
    expect(() => runSecAggSession(config, inputs, random, { keys })).toThrow(expect.objectContaining({ code: 'fl.secagg.sessionReused' }));
    expect(() => new SecAggClient({ ...config, graphSeed: new Uint8Array(31) }, 1, random)).toThrow(/graphSeed: expected 32 bytes, got 31/);
  });

  it("with task-long keys, a client's masked input in a later round still looks uniform", () => {
    const d = 4096;
    const keys = new Map([1, 2, 3, 4, 5].map((id) => [id, new PairKeys()]));
    const zeros = new Uint32Array(d);
    const views = [50, 51].map((seed) => { // two rounds of the same task
      const { config, random } = setup(5, d, {}, seed);
      const clients = config.clientIds.map((id) => new SecAggClient(config, id, random, keys.get(id)));
      const server = new SecAggServer(config);
      clients.forEach((c) => server.receiveKeys(c.advertise()));
      const roster = server.closeKeys();
      clients.forEach((c) => server.receiveShares(c.shareKeys(roster)));
      return clients[0]!.maskedInput(server.closeShares().get(1)!, zeros).masked;
    });
    for (const masked of views) {
      let ones = 0;
      for (const v of masked) for (let bit = 0; bit < 32; bit++) ones += (v >>> bit) & 1;
      expect(Math.abs(ones - 16 * d)).toBeLessThan(4 * Math.sqrt(8 * d)); // 4σ over 32·d bits
    }
  });

  it("a single client's masked input looks uniform in Z_2^32 (chi-square on bytes, bit balance)", () => {
    const d = 4096;
    const { config, random } = setup(5, d, {}, 4);
    const zeros = new Uint32Array(d); // the most structured possible input
    const { clients, server, inbox } = throughShares(config, random);
    const masked = clients[0]!.maskedInput(inbox.get(1)!, zeros).masked;
    const bytes = new Uint8Array(masked.buffer);
    const counts = new Array<number>(256).fill(0);
    bytes.forEach((b) => counts[b]!++);
    const expected = bytes.length / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(330); // 255 dof: P(χ² > 330) ≈ 0.1 %
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      masked.forEach((v) => (ones += (v >>> bit) & 1));
      expect(Math.abs(ones - d / 2)).toBeLessThan(4 * Math.sqrt(d / 4)); // 4σ
    }
  });

  it('detects a client that lies about its share and still recovers the exact sum', () => {
    const { config, inputs, random } = setup(9, 20, { threshold: 4 }, 5);
    const result = runSecAggSession(config, inputs, random, {
      afterShares: [9],
      tamper: (r) => (r.id === 2 ? { ...r, seedShares: r.seedShares.map((s) => ({ ...s, y: flip(s.y) })), pairShares: r.pairShares.map((s) => ({ ...s, y: flip(s.y) })) } : r),
    });
    expect(result.cheaters).toEqual([2]);
    expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 20)]);
  });

  it('fails loudly when too few honest shares remain to reconstruct', () => {
    const { config, inputs, random } = setup(5, 4, { threshold: 4 }, 6);
    expect(() =>
      runSecAggSession(config, inputs, random, { tamper: (r) => (r.id === 1 ? { ...r, seedShares: r.seedShares.map((s) => ({ ...s, y: flip(s.y) })) } : r) }),
    ).toThrow(/valid seed shares of client \d: expected at least threshold = 4, got 3/);
  });

  it('rejects wrong shapes, non-participants, replays and out-of-phase messages', () => {
    const { config, random } = setup(4, 8, { threshold: 2 }, 7);
    const server = new SecAggServer(config);
    const clients = config.clientIds.map((id) => new SecAggClient(config, id, random));
    const keys = clients.map((c) => c.advertise());
    keys.forEach((k) => server.receiveKeys(k));
    expect(() => server.receiveKeys(keys[0]!)).toThrow(/already advertised/);
    expect(() => server.receiveKeys({ ...keys[0]!, id: 99 })).toThrow(/non-participant/);
    expect(() => server.receiveMasked({ id: 1, masked: new Uint32Array(8) })).toThrow(/expected phase masked, got it in phase keys/);
    const roster = server.closeKeys();
    clients.forEach((c) => server.receiveShares(c.shareKeys(roster)));
    const inbox = server.closeShares();
    expect(() => server.receiveMasked({ id: 1, masked: new Uint32Array(7) })).toThrow(/masked input length: expected 8, got 7/);
    const m = clients[0]!.maskedInput(inbox.get(1)!, new Uint32Array(8));
    server.receiveMasked(m);
    expect(() => server.receiveMasked(m)).toThrow(/already sent its input/);
    expect(() => clients[1]!.maskedInput(inbox.get(2)!, new Uint32Array(3))).toThrow(/input length: expected 8, got 3/);
    // A share relayed twice is refused before any is kept: the client then takes the right inbox.
    const twice = [...inbox.get(2)!, inbox.get(2)![0]!];
    expect(() => clients[1]!.maskedInput(twice, new Uint32Array(8))).toThrow(/client 2: share from \d+ received twice/);
    expect(clients[1]!.maskedInput(inbox.get(2)!, new Uint32Array(8)).masked).toHaveLength(8);
    expect(() => new SecAggClient(config, 77, random)).toThrow(/non-participant/);
    expect(() => new SecAggServer({ ...config, threshold: 9 })).toThrow(/threshold: expected an integer in \[1, 3\]/);
  });

  it('each pair seed has exactly one dealer, and dealing is balanced (full graph and SecAgg+)', () => {
    for (const extra of [{}, { neighbors: 8, threshold: 5 }]) {
      const { config } = setup(30, 4, extra, 8);
      const all = () => true;
      let edges = 0;
      for (const u of config.clientIds) {
        const dealt = dealtPairs(config, all, u);
        for (const v of neighbours(config, u)) {
          expect(dealerOf(config, u, v)).toBe(dealerOf(config, v, u));
          expect(dealt.includes(v)).toBe(dealerOf(config, u, v) === u);
          expect(dealtPairs(config, all, v).includes(u)).toBe(dealerOf(config, u, v) === v);
        }
        edges += dealt.length;
      }
      expect(edges).toBe((config.clientIds.length * neighbours(config, 1).length) / 2); // every edge dealt once
    }
    const { config } = setup(30, 4, {}, 8); // full graph: position parity gives everyone 14 or 15 of 29
    for (const u of config.clientIds) expect([14, 15]).toContain(dealtPairs(config, () => true, u).length);
    const plus = setup(30, 4, { neighbors: 8, threshold: 5 }, 8).config; // ring: each client deals to its 4 successors
    for (const u of plus.clientIds) expect(dealtPairs(plus, () => true, u)).toHaveLength(4);
    // Only partners that advertised keys, in ascending order; a non-participant is refused.
    const even = (v: number) => v % 2 === 0;
    for (const u of plus.clientIds) expect(dealtPairs(plus, even, u)).toEqual(neighbours(plus, u).filter((v) => even(v) && dealerOf(plus, u, v) === u));
    expect(() => dealtPairs(plus, even, 31)).toThrow(/expected one of the session's participants/);
  });

  it('exact sums for random sizes, neighbour counts, thresholds and dropouts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 16 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (n, pick, seed) => {
        const k = 2 * (1 + (pick % Math.floor((n - 1) / 2)));
        const threshold = Math.floor(k / 2) + 1;
        const { config, inputs, random } = setup(n, 5, { neighbors: pick % 2 === 0 ? k : undefined, threshold }, seed);
        const degree = pick % 2 === 0 ? Math.min(k, n - 1) : n - 1;
        // At most (degree − threshold) dropouts in all, so every secret keeps ≥ threshold holders.
        const budget = Math.max(0, Math.min(degree - threshold, n - threshold - 1));
        const order = makeRng(seed).shuffle([...config.clientIds]);
        const afterShares = order.slice(0, Math.min(budget, 1 + (pick % 3)));
        const afterInput = order.slice(afterShares.length, Math.min(budget, afterShares.length + (pick % 2)));
        const result = runSecAggSession(config, inputs, random, { afterShares, afterInput });
        expect(result.dropped).toEqual([...afterShares].sort((a, b) => a - b));
        expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 5)]);
      }),
      { numRuns: 25 },
    );
  });

  it('exact sums in every round of a task with task-long keys, fixed or re-drawn ring, random dropouts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 14 }), fc.integer({ min: 2, max: 4 }), fc.boolean(), fc.integer({ min: 1, max: 1000 }), (n, rounds, fixedRing, seed) => {
        const k = 4;
        const threshold = 3; // one dropout per round leaves every secret ≥ 3 holders
        const ids = Array.from({ length: n }, (_, i) => i + 1);
        const keys = new Map(ids.map((id) => [id, new PairKeys()]));
        const graphSeed = fixedRing ? sha256Bytes(Uint8Array.of(seed & 255, seed >> 8)) : undefined;
        const rng = makeRng(seed);
        for (let r = 0; r < rounds; r++) {
          const { config, inputs, random } = setup(n, 5, { neighbors: k, threshold, graphSeed }, seed * 10 + r);
          const afterShares = rng.next() < 0.5 ? [1 + rng.int(n)] : [];
          const result = runSecAggSession(config, inputs, random, { afterShares, keys });
          expect(result.dropped).toEqual(afterShares);
          expect([...result.sum]).toEqual([...plainSum(inputs, result.included, 5)]);
        }
        // A fixed ring keeps each client's k neighbours; a re-drawn one may add new ones each round.
        for (const kp of keys.values()) {
          if (fixedRing) expect(kp.peers).toBe(k);
          else expect(kp.peers).toBeGreaterThanOrEqual(k);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('a holder rejects shares altered in transit; the server rejects reveals that would expose an input', () => {
    const { config, random } = setup(6, 8, { threshold: 3 }, 9);
    const { clients, server, inbox } = throughShares(config, random);
    const tampered = inbox.get(1)!.map((s, i) => (i === 0 ? { ...s, ciphertext: s.ciphertext.map((b, j) => (j === 3 ? b ^ 0x10 : b)) } : s));
    expect(() => clients[0]!.maskedInput(tampered, new Uint32Array(8))).toThrow(/does not match \(altered in transit\)/);
    clients.slice(1, 5).forEach((c) => server.receiveMasked(c.maskedInput(inbox.get(c.id)!, new Uint32Array(8))));
    const survivors = server.closeMasked(); // 2..5; 1 and 6 dropped
    const honest = clients[1]!.unmask(survivors);
    expect(honest.seedShares.every((s) => survivors.includes(s.of))).toBe(true);
    expect(honest.pairShares.every((s) => survivors.includes(s.dealer) !== survivors.includes(s.partner))).toBe(true);
    const dealer = 3;
    const partner = dealtPairs(config, () => true, dealer).find((v) => survivors.includes(v))!;
    expect(() => server.receiveUnmask({ ...honest, pairShares: [{ dealer, partner, y: new Uint8Array(SHARE_BYTES) }] })).toThrow(/pair seed of 3–\d: expected pairs with exactly one survivor/);
    expect(() => server.receiveUnmask({ ...honest, seedShares: [{ of: 6, y: new Uint8Array(SHARE_BYTES) }] })).toThrow(/seed share of 6, which sent no input/);
  });

  it('share pads: H(padKey ⊕ (from ‖ to ‖ block ‖ 0)) under a key from the session, one per direction; xorPads undoes itself (independent check)', () => {
    const session = new Uint8Array(32).fill(0x5c);
    const key = publicKeyOf('share-pad', session);
    const padKey = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
    const data = Uint8Array.from({ length: 37 }, (_, i) => (i * 11) & 0xff);
    const expected = Buffer.alloc(data.length);
    for (let b = 0; 16 * b < data.length; b++) {
      const x = Buffer.from(padKey);
      [3, 12, b, 0].forEach((word, w) => x.writeUInt32BE((x.readUInt32BE(4 * w) ^ word) >>> 0, 4 * w));
      const e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(x);
      for (let i = 0; i < 16 && 16 * b + i < data.length; i++) expected[16 * b + i] = data[16 * b + i]! ^ e[i]! ^ x[i]!;
    }
    const crypto = new SessionCrypto(session);
    const [there, back, other] = crypto.xorPads([
      { padKey, from: 3, to: 12, data },
      { padKey, from: 12, to: 3, data },
      { padKey, from: 3, to: 12, data: data.subarray(0, 16) },
    ]);
    expect(Buffer.from(there!).toString('hex')).toBe(expected.toString('hex'));
    expect(Buffer.from(back!).toString('hex')).not.toBe(expected.toString('hex'));
    expect(Buffer.from(other!).toString('hex')).toBe(expected.subarray(0, 16).toString('hex'));
    expect([...crypto.xorPads([{ padKey, from: 3, to: 12, data: there! }])[0]!]).toEqual([...data]);
    expect(() => crypto.xorPads([{ padKey: padKey.subarray(1), from: 3, to: 12, data }])).toThrow(/pad key: expected 16 bytes, got 15/);
  });

  it('share commitments: two-block MMO chain under K from the session, tweak (dealer, holder, item) in block 2 (independent check)', () => {
    const session = new Uint8Array(32).fill(0xab);
    const key = publicKeyOf('share', session);
    const shares = Uint8Array.from({ length: 3 * SHARE_BYTES }, (_, i) => (i * 37) & 0xff);
    const tweaks = [7, 9, 0, 7, 10, 3, 2 ** 31, 1, 65535];
    const mmo = (x: Buffer) => {
      const e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(x);
      return Buffer.from(e.map((b, j) => b ^ x[j]!));
    };
    const expected = Buffer.alloc(48);
    for (let c = 0; c < 3; c++) {
      const h1 = mmo(Buffer.from(shares.subarray(SHARE_BYTES * c, SHARE_BYTES * c + 16)));
      const block2 = Buffer.alloc(16);
      block2.set(shares.subarray(SHARE_BYTES * c + 16, SHARE_BYTES * (c + 1)));
      for (let w = 0; w < 3; w++) block2.writeUInt32BE(tweaks[3 * c + w]!, 4 + 4 * w);
      mmo(Buffer.from(h1.map((b, j) => b ^ block2[j]!))).copy(expected, 16 * c);
    }
    expect(Buffer.from(new SessionCrypto(session).shareCommitments(tweaks, shares)).toString('hex')).toBe(expected.toString('hex'));
    expect(() => new SessionCrypto(session).shareCommitments(tweaks, shares.subarray(1))).toThrow(/expected 60 bytes \(20 per cell\), got 59/);
  });

  it('the server names a dealer whose committed shares are no sharing of a seed', () => {
    const { config, random } = setup(6, 4, { threshold: 3 }, 10);
    const liar = 4;
    const crypto = new SessionCrypto(config.session);
    const keys = generateKeyPair();
    const clients = config.clientIds.filter((id) => id !== liar).map((id) => new SecAggClient(config, id, random));
    const server = new SecAggServer(config);
    clients.forEach((c) => server.receiveKeys(c.advertise()));
    server.receiveKeys({ id: liar, publicKey: keys.publicKey });
    const roster = server.closeKeys();
    clients.forEach((c) => server.receiveShares(c.shareKeys(roster)));
    // The liar deals every holder 0xff… (elements ≥ p) and commits to exactly that, so the holders'
    // commitment checks pass; it shows only when the server rebuilds b_4.
    const dealt = dealtPairs(config, () => true, liar);
    const bundle = new Uint8Array(SHARE_BYTES * (1 + dealt.length)).fill(0xff);
    const holders = neighbours(config, liar);
    server.receiveShares({
      id: liar,
      seedCommitment: new Uint8Array(32),
      pairCommitments: dealt.map((partner) => ({ partner, commitment: new Uint8Array(32) })),
      shares: holders.map((to) => {
        const dh = sharedSecret(keys, roster.find((k) => k.id === to)!.publicKey);
        const tweaks = [0, ...dealt].flatMap((item) => [liar, to, item]);
        return { from: liar, to, ciphertext: crypto.xorPads([{ padKey: crypto.channel(dh).padKey, from: liar, to, data: bundle }])[0]!, digests: crypto.shareCommitments(tweaks, bundle) };
      }),
    });
    const inbox = server.closeShares();
    clients.forEach((c) => server.receiveMasked(c.maskedInput(inbox.get(c.id)!, new Uint32Array(4))));
    server.receiveMasked({ id: liar, masked: new Uint32Array(4) });
    const survivors = server.closeMasked();
    clients.forEach((c) => server.receiveUnmask(c.unmask(survivors)));
    expect(() => server.finalize()).toThrow(/client 4: expected shares of a 16-byte seed, got share \d+ element 0: expected a field element < 67108879, got 4294967295/);
  });
});
