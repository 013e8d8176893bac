import { describe, expect, it } from 'vitest';
import { GameHarness, units } from '../../test/support/harness.js';
import { stateHash } from './canonical.js';
import { committeeGame } from '../../test/support/committee-fixture.js';
import { balanceOf, conservation } from './ledger.js';
import { attestationBytes, getMember, membershipConfig } from './membership.js';

describe('membership', () => {
  it('joins, bonds, unbonds after the delay, withdraws, conserving money', async () => {
    const h = await committeeGame({ members: ['alice'], bond: 0, membership: { mode: 'open', unbondDelay: 5000 } });
    const did = h.key('alice').did;
    await h.run('alice', 'member.bond', { amount: units(300) });
    expect(getMember(h.state, did)!.bond).toBe(BigInt(units(300)));
    expect(h.state.ledger.bonded).toBe(BigInt(units(300)));
    await h.run('alice', 'member.unbond', { amount: units(200) });
    const before = stateHash(h.state);
    await expect(h.run('alice', 'member.withdraw', {}, h.time + 4999)).rejects.toMatchObject({ code: 'member.unbondPending' });
    await expect(h.run('alice', 'member.unbond', { amount: units(101) })).rejects.toMatchObject({ code: 'member.bondTooSmall' });
    expect(stateHash(h.state)).toBe(before);
    await h.run('alice', 'member.withdraw', {}, h.time + 5000);
    expect(balanceOf(h.state.ledger, did)).toBe(BigInt(units(900)));
    expect(h.state.ledger.bonded).toBe(BigInt(units(100)));
    expect(conservation(h.state.ledger).ok).toBe(true);
  });

  it('rejects bad membership input precisely, leaving state unchanged', async () => {
    const h = await committeeGame({ members: ['alice'], bond: 0, each: 10 });
    const before = stateHash(h.state);
    await expect(h.run('alice', 'member.join', {})).rejects.toMatchObject({ code: 'member.exists' });
    await expect(h.run('stranger', 'member.bond', { amount: units(1) })).rejects.toMatchObject({ code: 'member.notMember' });
    await expect(h.run('alice', 'member.bond', { amount: units(11) })).rejects.toMatchObject({ code: 'ledger.insufficientFunds' });
    await expect(h.run('alice', 'member.bond', { amount: '0' })).rejects.toMatchObject({ code: 'member.badAmount' });
    await expect(h.run('alice', 'member.withdraw', {})).rejects.toMatchObject({ code: 'member.nothingUnbonding' });
    await expect(h.run('alice', 'member.join', { extra: 1 })).rejects.toMatchObject({ code: 'event.unknownField' });
    expect(stateHash(h.state)).toBe(before);
  });

  it('an allow-list community admits only listed DIDs', async () => {
    const probe = new GameHarness();
    const h = await committeeGame({ members: ['alice'], membership: { mode: 'allowList', allowList: [probe.key('alice').did] } });
    await expect(h.run('bob', 'member.join', {})).rejects.toMatchObject({ code: 'member.notAllowed' });
    expect(getMember(h.state, h.key('alice').did)!.bond).toBe(BigInt(units(100)));
  });

  it('a token-gated community needs a fresh attestation by its attestor', async () => {
    const probe = new GameHarness();
    const token = { standard: 'erc20' as const, chainId: 31337, address: `0x${'ab'.repeat(20)}`, minBalance: '1000', check: 'attestation' as const, attestor: probe.key('oracle').did };
    const h = await committeeGame({ members: [], membership: { mode: 'token', token } });
    const did = h.key('carol').did;
    const config = membershipConfig(h.state);
    const sign = (balance: string, expires: number, by = 'oracle') =>
      Buffer.from(h.key(by).sign(attestationBytes(h.community, did, balance, expires, config))).toString('base64url');
    const expires = h.time + 10_000;
    const before = stateHash(h.state);
    await expect(h.run('carol', 'member.join', {})).rejects.toMatchObject({ code: 'member.attestationMissing' });
    await expect(h.run('carol', 'member.join', { attestation: { balance: '5000', expires, sig: sign('5000', expires, 'mallory') } })).rejects.toMatchObject({ code: 'member.badAttestation' });
    await expect(h.run('carol', 'member.join', { attestation: { balance: '999', expires, sig: sign('999', expires) } })).rejects.toMatchObject({ code: 'member.balanceTooLow' });
    await expect(h.run('carol', 'member.join', { attestation: { balance: '5000', expires: h.time, sig: sign('5000', h.time) } })).rejects.toMatchObject({ code: 'member.attestationExpired' });
    await expect(h.run('carol', 'member.join', { attestation: { balance: '9000', expires, sig: sign('5000', expires) } })).rejects.toMatchObject({ code: 'member.badAttestation' });
    expect(stateHash(h.state)).toBe(before);
    await h.run('carol', 'member.join', { attestation: { balance: '5000', expires, sig: sign('5000', expires) } });
    expect(getMember(h.state, did)?.left).toBe(false);
  });

  it('leaving moves the bond to unbonding and a seat on an open committee blocks withdrawal', async () => {
    const members = ['a', 'b', 'c'];
    const h = await committeeGame({ members, committee: { size: 3 }, membership: { unbondDelay: 10 } });
    await h.openRound(1, ['x']);
    await expect(h.run('a', 'member.leave', {})).rejects.toMatchObject({ code: 'member.seatOpen' });
    await h.run('a', 'member.unbond', { amount: units(100) });
    await expect(h.run('a', 'member.withdraw', {}, h.time + 10)).rejects.toMatchObject({ code: 'member.seatOpen' });
    expect(conservation(h.state.ledger).ok).toBe(true);
  });
});
