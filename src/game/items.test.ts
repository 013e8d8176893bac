import { describe, expect, it } from 'vitest';
import { units } from '../../test/support/harness.js';
import { stateHash } from './canonical.js';
import { committeeGame, labelRound, newKey, scheduleRound, submitItem } from '../../test/support/committee-fixture.js';
import { sealItem } from './items.js';
import { balanceOf, conservation } from './ledger.js';

const members = ['m0', 'm1', 'm2'];

describe('member-submitted encrypted items', () => {
  it('become round items when their key opens the committed plaintext, and the bond comes back', async () => {
    const h = await committeeGame({ members, committee: { size: 3 } });
    await scheduleRound(h, 1);
    const did = h.key('m0').did;
    const start = balanceOf(h.state.ledger, did);
    const item = await submitItem(h, 'm0', 1, { text: 'win a free cruise now' });
    expect(balanceOf(h.state.ledger, did)).toBe(start - BigInt(units(5)));
    const r = h.state.rounds.get(1)!;
    expect(r.items.has(item.id)).toBe(false);
    await expect(h.run('m0', 'item.key', { round: 1, item: item.id, key: item.key })).rejects.toMatchObject({ code: 'item.keyEarly' });
    await h.run('admin', 'round.open', { round: 1 });
    expect(r.markets.has(item.id)).toBe(true);
    await expect(h.run('m1', 'item.key', { round: 1, item: item.id, key: item.key })).rejects.toMatchObject({ code: 'item.notSubmitter' });
    await h.run('m0', 'item.key', { round: 1, item: item.id, key: item.key });
    expect(r.items.get(item.id)!.input).toEqual({ text: 'win a free cruise now' });
    expect(balanceOf(h.state.ledger, did)).toBe(start);
    await labelRound(h, 1, members, () => ({ label: 1 }));
    expect(r.markets.get(item.id)!.outcome).toBe(1);
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('an item whose key does not open its commitment is voided and the submitter loses the item bond', async () => {
    const h = await committeeGame({ members, committee: { size: 3 } });
    await scheduleRound(h, 1);
    const good = await submitItem(h, 'm1', 1, { features: [1, 2, 3] });
    // A ciphertext that decrypts fine but to a different plaintext than the one committed to.
    const secrets = newKey('swap');
    const real = sealItem({ input: { text: 'real' }, ...secrets });
    const decoy = sealItem({ input: { text: 'decoy' }, ...secrets });
    const swapCid = await h.run('m0', 'item.submit', { round: 1, outcomes: 2, ciphertext: real.ciphertext, nonce: real.nonce, commitment: decoy.commitment });
    const bad = await submitItem(h, 'm2', 1, { text: 'x' });
    await h.run('admin', 'round.open', { round: 1 });
    const treasury = h.state.ledger.treasury;
    const swapId = `s-${swapCid.slice(-20)}`;
    await h.run('m0', 'item.key', { round: 1, item: swapId, key: secrets.key });
    await h.run('m2', 'item.key', { round: 1, item: bad.id, key: newKey('wrong').key });
    await h.run('m1', 'item.key', { round: 1, item: good.id, key: good.key });
    const r = h.state.rounds.get(1)!;
    expect(r.submissions.get(swapId)!.status).toBe('void');
    expect(r.submissions.get(bad.id)!.voidReason).toBe('badKey');
    expect(h.state.ledger.treasury - treasury).toBe(BigInt(units(10)));
    expect(balanceOf(h.state.ledger, h.key('m2').did)).toBe(BigInt(units(895)));
    await expect(h.run('m2', 'item.key', { round: 1, item: bad.id, key: bad.key })).rejects.toMatchObject({ code: 'item.keyDuplicate' });
    await labelRound(h, 1, members, () => ({ label: 0 }));
    expect(r.markets.get(bad.id)!.voided).toBe(true);
    expect(r.markets.get(swapId)!.voided).toBe(true);
    expect(r.markets.get(good.id)!.outcome).toBe(0);
    await h.run('admin', 'round.settle', { round: 1 });
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('an item whose key never comes is forfeited after the trading deadline', async () => {
    const h = await committeeGame({ members, committee: { size: 3 } });
    await scheduleRound(h, 1);
    const silent = await submitItem(h, 'm0', 1, { text: 'never opened' });
    await h.run('admin', 'round.open', { round: 1 });
    const r = h.state.rounds.get(1)!;
    await expect(h.run('m1', 'item.expire', { round: 1, item: silent.id })).rejects.toMatchObject({ code: 'item.keyWindowOpen' });
    await h.run('m1', 'item.expire', { round: 1, item: silent.id }, r.tradingDeadline);
    await expect(h.run('m0', 'item.key', { round: 1, item: silent.id, key: silent.key }, r.tradingDeadline)).rejects.toMatchObject({ code: 'item.keyLate' });
    expect(r.submissions.get(silent.id)!.voidReason).toBe('noKey');
    expect(balanceOf(h.state.ledger, h.key('m0').did)).toBe(BigInt(units(895)));
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('resolves scalar items by the median mapped to buckets', async () => {
    const five = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const h = await committeeGame({ members: five, committee: { size: 5 } });
    await scheduleRound(h, 1);
    const item = await submitItem(h, 'm0', 1, { features: [7] }, { outcomes: 3, buckets: [10, 100] });
    await h.run('admin', 'round.open', { round: 1 });
    await h.run('m0', 'item.key', { round: 1, item: item.id, key: item.key });
    const values: Record<string, number> = { m0: 12, m1: 50, m2: 99, m3: 5000, m4: -3 };
    await labelRound(h, 1, five, (name) => ({ label: values[name]! }));
    const r = h.state.rounds.get(1)!;
    expect(r.markets.get(item.id)!.outcome).toBe(1);
    // Values in another bucket than the median's are wrong labels and cost bond.
    expect(r.committee!.penalties.has(h.key('m3').did)).toBe(true);
    expect(r.committee!.penalties.has(h.key('m1').did)).toBe(false);
  });

  it('rejects bad submissions precisely, leaving state unchanged', async () => {
    const h = await committeeGame({ members: [...members, 'loose'], committee: { size: 3 }, items: { perMemberQuota: 1, maxBytes: 64 } });
    await h.run('admin', 'ledger.mint', { to: h.key('joiner').did, amount: units(100) });
    await h.run('joiner', 'member.join', {});
    await scheduleRound(h, 1);
    await submitItem(h, 'm0', 1, { text: 'first' });
    const sealed = sealItem({ input: { text: 'ok' }, ...newKey('k') });
    const big = sealItem({ input: { text: 'x'.repeat(200) }, ...newKey('k') });
    const base = { round: 1, outcomes: 2, ...sealed };
    const before = stateHash(h.state);
    await expect(h.run('stranger', 'item.submit', base)).rejects.toMatchObject({ code: 'member.notMember' });
    await expect(h.run('joiner', 'item.submit', base)).rejects.toMatchObject({ code: 'member.notBonded' });
    await expect(h.run('m0', 'item.submit', base)).rejects.toMatchObject({ code: 'item.quota' });
    await expect(h.run('m1', 'item.submit', { ...base, ciphertext: 'AAAA' })).rejects.toMatchObject({ code: 'item.malformedCiphertext' });
    await expect(h.run('m1', 'item.submit', { ...base, ciphertext: `${sealed.ciphertext}${'A'.repeat((5 - (sealed.ciphertext.length % 4)) % 4 || 4)}` })).rejects.toMatchObject({ code: 'item.malformedCiphertext' });
    await expect(h.run('m1', 'item.submit', { ...base, ...big })).rejects.toMatchObject({ code: 'item.tooLarge' });
    await expect(h.run('m1', 'item.submit', { ...base, outcomes: 3, buckets: [5, 1] })).rejects.toMatchObject({ code: 'item.badBuckets' });
    await expect(h.run('m1', 'item.submit', { ...base, round: 9 })).rejects.toMatchObject({ code: 'round.unknown' });
    await expect(h.run('m1', 'item.submit', { ...base, nonce: 'zz' })).rejects.toMatchObject({ code: 'event.schema' });
    expect(stateHash(h.state)).toBe(before);
    await h.run('admin', 'round.open', { round: 1 });
    await expect(h.run('m1', 'item.submit', base)).rejects.toMatchObject({ code: 'round.wrongPhase' });
  });
});
