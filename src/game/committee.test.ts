import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameHarness, hex32, units } from '../../test/support/harness.js';
import { stateHash } from './canonical.js';
import { committeeGame, labelRound, seated } from '../../test/support/committee-fixture.js';
import { drawCommittee, genesisBeacon, roundDrawSeed, type Candidate } from './committee.js';

const candidates = (n: number, bond = (i: number) => BigInt(100 + i)): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({ did: `did:key:z${hex32(`c${i}`).slice(0, 44)}`, bond: bond(i) }));

describe('drawCommittee', () => {
  it('is a pure function of (seed, members, k): same inputs same seats, any member order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (seedBytes, n, k, weighted) => {
        const seed = Buffer.from(seedBytes).toString('hex');
        const cs = candidates(n);
        const a = drawCommittee(seed, cs, k, weighted);
        const b = drawCommittee(seed, [...cs].reverse(), k, weighted);
        expect(a).toEqual(b);
        expect(a.length).toBe(Math.min(k, n));
        expect(new Set(a).size).toBe(a.length);
      }),
      { numRuns: 200 },
    );
  });

  it('changes with the seed', () => {
    const cs = candidates(40);
    const draws = new Set(Array.from({ length: 20 }, (_, i) => drawCommittee(hex32(`seed${i}`), cs, 5, false).join(',')));
    expect(draws.size).toBe(20);
  });

  it('gives each member a seat chance proportional to bond when weighted', () => {
    const cs = candidates(4, (i) => BigInt([100, 100, 100, 700][i]!));
    const seats = new Map<string, number>();
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const [first] = drawCommittee(hex32(`w${t}`), cs, 1, true);
      seats.set(first!, (seats.get(first!) ?? 0) + 1);
    }
    const heavy = seats.get(cs[3]!.did)! / trials;
    expect(heavy).toBeGreaterThan(0.66);
    expect(heavy).toBeLessThan(0.74);
    // Unweighted, the same member is first about a quarter of the time.
    let plain = 0;
    for (let t = 0; t < trials; t++) if (drawCommittee(hex32(`w${t}`), cs, 1, false)[0] === cs[3]!.did) plain++;
    expect(plain / trials).toBeGreaterThan(0.21);
    expect(plain / trials).toBeLessThan(0.29);
  });
});

describe('the committee of a round', () => {
  const members = Array.from({ length: 9 }, (_, i) => `m${i}`);

  it('is recomputable from the log alone (genesis beacon for round 1) and identical on replay', async () => {
    const h = await committeeGame({ members, committee: { size: 4 } });
    await h.openRound(1, ['a']);
    const expected = drawCommittee(roundDrawSeed(genesisBeacon(h.state.community!.genesis), 1), members.map((m) => ({ did: h.key(m).did, bond: BigInt(units(100)) })), 4, false);
    expect(seated(h, 1)).toEqual(expected);
    const replay = new GameHarness();
    for (const event of h.log) expect((await replay.applyEvent(event)).status).toBe('accepted');
    expect(stateHash(replay.state)).toBe(stateHash(h.state));
    expect(replay.state.rounds.get(1)!.committee!.members).toEqual(expected);
  });

  it('draws the next committee from the salts the previous committee revealed', async () => {
    const h = await committeeGame({ members, committee: { size: 4 } });
    await h.openRound(1, ['a', 'b']);
    const genesis = h.state.community!.genesis;
    await labelRound(h, 1, members, () => ({ label: 0 }));
    const beacon = h.state.beacon!;
    expect(beacon.round).toBe(1);
    expect(beacon.seed).not.toBe(genesisBeacon(genesis));
    h.time += 5000;
    await h.openRound(2, ['c']);
    const c2 = h.state.rounds.get(2)!.committee!;
    expect(c2.seed).toBe(roundDrawSeed(beacon.seed, 2));
    expect(c2.beaconRound).toBe(1);
    expect(c2.members).toEqual(drawCommittee(c2.seed, members.map((m) => ({ did: h.key(m).did, bond: BigInt(units(100)) })), 4, false));
  });

  it('leaves out members below the minimum bond and bonds placed after the beacon was fixed', async () => {
    const h = await committeeGame({ members, committee: { size: 9 } });
    await h.run('latecomer', 'member.join', {});
    await h.openRound(1, ['a']);
    expect(seated(h, 1)).not.toContain(h.key('latecomer').did);
    await labelRound(h, 1, members, () => ({ label: 0 }));
    await h.run('admin', 'ledger.mint', { to: h.key('latecomer').did, amount: units(500) });
    await h.run('latecomer', 'member.bond', { amount: units(100) });
    h.time += 5000;
    await h.openRound(2, ['b']);
    // Bonded after round 1's salts fixed the beacon: not drawable until the next beacon.
    expect(seated(h, 2)).not.toContain(h.key('latecomer').did);
    expect(seated(h, 2).length).toBe(9);
  });

  it('draws by bond when the community config says weighted', async () => {
    const h = await committeeGame({ members, committee: { size: 3, weighted: true } });
    await h.run('m0', 'member.bond', { amount: units(400) });
    await h.openRound(1, ['a']);
    const bonds = members.map((m) => ({ did: h.key(m).did, bond: BigInt(units(m === 'm0' ? 500 : 100)) }));
    expect(h.state.rounds.get(1)!.committee!.weighted).toBe(true);
    expect(seated(h, 1)).toEqual(drawCommittee(roundDrawSeed(genesisBeacon(h.state.community!.genesis), 1), bonds, 3, true));
  });
});

