import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex32, units } from '../../test/support/harness.js';
import { stateHash } from './canonical.js';
import { committeeGame, labelRound, nameOf, saltFor, seated, type Vote } from '../../test/support/committee-fixture.js';
import { committeeOrderSeed, contributes, labelCommitment } from './labels.js';
import { balanceOf, conservation } from './ledger.js';
import { getMember } from './membership.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
const truth = (item: string) => (item.charCodeAt(item.length - 1) % 2 === 0 ? 0 : 1);

describe('committee labels', () => {
  it('an honest committee labels every item correctly, is rewarded, and conserves money', async () => {
    const members = names(7);
    const h = await committeeGame({ members });
    await h.openRound(1, ['a', 'b', 'c', 'd']);
    const treasuryBefore = h.state.ledger.treasury;
    await labelRound(h, 1, members, (_n, item) => ({ label: truth(item) }));
    const r = h.state.rounds.get(1)!;
    expect(r.phase).toBe('resolved');
    for (const m of r.markets.values()) expect(m.outcome).toBe(truth(m.item));
    expect(r.committee!.penalties.size).toBe(0);
    const paid = [...r.committee!.rewards.values()].reduce((a, b) => a + b, 0n);
    expect(paid).toBe(BigInt(units(10)));
    expect(treasuryBefore - h.state.ledger.treasury).toBe(paid);
    expect(r.seed).toBe(r.committee!.orderSeed);
    await h.run('admin', 'round.settle', { round: 1 });
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('a colluding minority (< ½ of the seats) can never flip a label', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1_000_000 }), fc.nat(), fc.boolean(), async (k, seed, pick, withhold) => {
        const members = names(k + 2);
        const h = await committeeGame({ members, committee: { size: k }, name: `prop ${seed}` });
        await h.openRound(1, ['x0', 'x1', 'x2']);
        const seats = seated(h, 1);
        const who = nameOf(h, members);
        const colluding = Math.min(pick % k, Math.ceil(k / 2) - 1);
        const colluders = new Set(seats.slice(0, colluding).map(who));
        await labelRound(h, 1, members, (name, item): Vote => (colluders.has(name) ? (withhold ? 'withhold' : { label: 1 - truth(item) }) : { label: truth(item) }));
        const r = h.state.rounds.get(1)!;
        for (const m of r.markets.values()) expect(m.outcome).toBe(truth(m.item));
        for (const c of colluders) expect(r.committee!.penalties.get(h.key(c).did) ?? 0n).toBeGreaterThan(0n);
        expect(conservation(h.state.ledger).ok).toBe(true);
      }),
      { numRuns: 25, seed: 4 },
    );
  }, 120_000);

  it('colluders and non-revealers lose bond; a wrong-salt reveal counts as no reveal', async () => {
    const members = names(5);
    const h = await committeeGame({ members, committee: { size: 5, missingSlashPpm: 200_000, wrongSlashPpm: 100_000 } });
    await h.openRound(1, ['a', 'b']);
    const votes: Record<string, (item: string) => Vote> = {
      m0: (item) => ({ label: truth(item) }),
      m1: (item) => ({ label: truth(item) }),
      m2: (item) => ({ label: 1 - truth(item) }),
      m3: () => 'withhold',
      m4: (item) => ({ label: 1 - truth(item), wrongSalt: true }),
    };
    await labelRound(h, 1, members, (name, item) => votes[name]!(item));
    const r = h.state.rounds.get(1)!;
    // m2 was wrong on both, m3 withheld, m4's reveal did not open its commitment: only m0 and m1 valid-and-right.
    for (const m of r.markets.values()) expect(m.outcome).toBe(truth(m.item));
    const bondOf = (n: string) => getMember(h.state, h.key(n).did)!.bond;
    expect(bondOf('m0')).toBe(BigInt(units(100)));
    expect(bondOf('m1')).toBe(BigInt(units(100)));
    expect(bondOf('m2')).toBe(BigInt(units(90))); // wrong on 2 of 2 items: 10 %
    expect(bondOf('m3')).toBe(BigInt(units(80))); // missing: 20 %
    expect(bondOf('m4')).toBe(BigInt(units(80))); // wrong salt = missing, not wrong
    expect(r.committee!.reveals.get(h.key('m4').did)!.get('a')).toBeNull();
    expect([...r.committee!.rewards.keys()].sort()).toEqual([h.key('m0').did, h.key('m1').did].sort());
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('voids an item on a tie or without quorum', async () => {
    const members = names(4);
    const h = await committeeGame({ members, committee: { size: 4 } });
    await h.openRound(1, ['tie', 'few']);
    await labelRound(h, 1, members, (name, item): Vote => {
      if (item === 'tie') return { label: name === 'm0' || name === 'm1' ? 0 : 1 };
      return name === 'm0' || name === 'm1' ? { label: 1 } : 'withhold';
    });
    const r = h.state.rounds.get(1)!;
    expect(r.markets.get('tie')!.voided).toBe(true);
    expect(r.markets.get('few')!.voided).toBe(true); // 2 of 4 reveals < quorum (> ½)
    await h.run('admin', 'round.settle', { round: 1 });
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('enforces the label timing rules with precise codes and no state change', async () => {
    const members = names(3);
    const h = await committeeGame({ members, committee: { size: 3 } });
    await h.openRound(1, ['a']);
    const r = h.state.rounds.get(1)!;
    const did = h.key('m0').did;
    const commit = { round: 1, commits: [{ item: 'a', commitment: labelCommitment({ round: 1, item: 'a', member: did, label: 0, salt: saltFor('m0', 1, 'a') }) }] };
    const reveal = { round: 1, reveals: [{ item: 'a', label: 0, salt: saltFor('m0', 1, 'a') }] };
    let before = stateHash(h.state);
    await expect(h.run('m0', 'label.commit', commit, r.tradingDeadline - 1)).rejects.toMatchObject({ code: 'label.commitEarly' });
    expect(stateHash(h.state)).toBe(before);
    await h.run('m0', 'label.commit', commit, r.tradingDeadline);
    before = stateHash(h.state);
    await expect(h.run('m0', 'label.commit', commit, r.tradingDeadline + 1)).rejects.toMatchObject({ code: 'label.duplicate' });
    await expect(h.run('m0', 'label.commit', commit, r.labelCommitDeadline)).rejects.toMatchObject({ code: 'label.commitLate' });
    await expect(h.run('m0', 'label.reveal', reveal, r.revealDeadline - 1)).rejects.toMatchObject({ code: 'label.revealEarly' });
    await expect(h.run('m0', 'label.reveal', reveal, r.labelRevealDeadline)).rejects.toMatchObject({ code: 'label.revealLate' });
    await expect(h.run('m1', 'label.reveal', reveal, r.revealDeadline)).rejects.toMatchObject({ code: 'label.noCommit' });
    await expect(h.run('admin', 'label.resolve', { round: 1 }, r.revealDeadline)).rejects.toMatchObject({ code: 'label.resolveEarly' });
    expect(stateHash(h.state)).toBe(before);
    await h.run('m0', 'label.reveal', reveal, r.revealDeadline);
  });

  it('rejects non-members, members off the committee and unknown items, leaving state unchanged', async () => {
    const members = names(6);
    const h = await committeeGame({ members, committee: { size: 3 } });
    await h.openRound(1, ['a']);
    const r = h.state.rounds.get(1)!;
    const off = members.find((m) => !seated(h, 1).includes(h.key(m).did))!;
    const on = nameOf(h, members)(seated(h, 1)[0]!);
    const payload = { round: 1, commits: [{ item: 'a', commitment: hex32('x') }] };
    const before = stateHash(h.state);
    await expect(h.run('stranger', 'label.commit', payload, r.tradingDeadline)).rejects.toMatchObject({ code: 'committee.notSeated' });
    await expect(h.run(off, 'label.commit', payload, r.tradingDeadline)).rejects.toMatchObject({ code: 'committee.notSeated' });
    await expect(h.run(on, 'label.commit', { round: 1, commits: [{ item: 'zz', commitment: hex32('x') }] }, r.tradingDeadline)).rejects.toMatchObject({ code: 'item.notLabelable' });
    await expect(h.run(on, 'label.commit', { round: 1, commits: [payload.commits[0], payload.commits[0]] }, r.tradingDeadline)).rejects.toMatchObject({ code: 'label.duplicateItem' });
    await expect(h.run(on, 'label.commit', { ...payload, round: 2 }, r.tradingDeadline)).rejects.toMatchObject({ code: 'round.unknown' });
    expect(stateHash(h.state)).toBe(before);
  });

  it('a label exposed before the reveal window costs the seat holder bond and pays the exposer half', async () => {
    const members = names(3);
    const h = await committeeGame({ members, committee: { size: 3, exposeSlashPpm: 200_000 } });
    await h.openRound(1, ['a']);
    const r = h.state.rounds.get(1)!;
    const did = h.key('m0').did;
    const salt = saltFor('m0', 1, 'a');
    await h.run('m0', 'label.commit', { round: 1, commits: [{ item: 'a', commitment: labelCommitment({ round: 1, item: 'a', member: did, label: 1, salt }) }] }, r.tradingDeadline);
    const watcherBefore = balanceOf(h.state.ledger, h.key('m1').did);
    await expect(h.run('m1', 'label.expose', { round: 1, member: did, item: 'a', label: 0, salt }, r.tradingDeadline + 1)).rejects.toMatchObject({ code: 'label.exposeMismatch' });
    await h.run('m1', 'label.expose', { round: 1, member: did, item: 'a', label: 1, salt }, r.tradingDeadline + 1);
    expect(getMember(h.state, did)!.bond).toBe(BigInt(units(80)));
    expect(balanceOf(h.state.ledger, h.key('m1').did) - watcherBefore).toBe(BigInt(units(10)));
    await expect(h.run('m0', 'label.reveal', { round: 1, reveals: [{ item: 'a', label: 1, salt }] }, r.revealDeadline - 1)).rejects.toMatchObject({ code: 'label.revealEarly' });
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('a seat that withholds any reveal contributes no randomness at all (one bit of choice, not one per item)', async () => {
    const members = names(3);
    const h = await committeeGame({ members, committee: { size: 3 } });
    await h.openRound(1, ['a', 'b']);
    await labelRound(h, 1, members, (name, item): Vote => (name === 'm2' && item === 'b' ? 'withhold' : { label: truth(item) }));
    const c = h.state.rounds.get(1)!.committee!;
    expect(contributes(c, h.key('m2').did)).toBe(false);
    expect(contributes(c, h.key('m0').did)).toBe(true);
    const withoutM2 = { ...c, reveals: new Map([...c.reveals].filter(([did]) => did !== h.key('m2').did)) };
    expect(committeeOrderSeed(1, withoutM2)).toBe(c.orderSeed);
    expect(h.state.rounds.get(1)!.seed).toBe(c.orderSeed);
  });

  it('a seat may split commits and reveals over several events, each item once', async () => {
    const members = names(1);
    const h = await committeeGame({ members, committee: { size: 1 } });
    await h.openRound(1, ['a', 'b']);
    const r = h.state.rounds.get(1)!;
    const did = h.key('m0').did;
    const entry = (item: string) => ({ item, commitment: labelCommitment({ round: 1, item, member: did, label: truth(item), salt: saltFor('m0', 1, item) }) });
    const reveal = (item: string) => ({ item, label: truth(item), salt: saltFor('m0', 1, item) });
    await h.run('m0', 'label.commit', { round: 1, commits: [entry('a')] }, r.tradingDeadline);
    await expect(h.run('m0', 'label.commit', { round: 1, commits: [entry('b'), entry('a')] }, r.tradingDeadline)).rejects.toMatchObject({ code: 'label.duplicate', details: { got: '"a"' } });
    await h.run('m0', 'label.commit', { round: 1, commits: [entry('b')] }, r.tradingDeadline);
    await h.run('m0', 'label.reveal', { round: 1, reveals: [reveal('b')] }, r.revealDeadline);
    await expect(h.run('admin', 'label.resolve', { round: 1 }, r.revealDeadline)).rejects.toMatchObject({ code: 'label.resolveEarly' });
    await expect(h.run('m0', 'label.reveal', { round: 1, reveals: [reveal('b')] }, r.revealDeadline)).rejects.toMatchObject({ code: 'label.duplicate' });
    await h.run('m0', 'label.reveal', { round: 1, reveals: [reveal('a')] }, r.revealDeadline);
    await h.run('admin', 'label.resolve', { round: 1 }, r.revealDeadline);
    for (const m of r.markets.values()) expect(m.outcome).toBe(truth(m.item));
    expect(r.committee!.penalties.size).toBe(0);
  });
});

