/** Rule changes: from a named future round only, by the admin or by a member vote with quorum and delay. */
import { describe, expect, it } from 'vitest';
import { GameHarness, units } from '../../test/support/harness.js';
import { rulesFor } from './reward-rules.js';

const DAY = 24 * 3600 * 1000;

async function votingCommunity(): Promise<GameHarness> {
  const h = new GameHarness();
  const admin = h.key('admin').did;
  await h.run('admin', 'community.create', {
    name: 'Voting community',
    config: { admins: [admin], resolver: admin, governance: { quorumPpm: 500_000, passPpm: 500_001, delay: DAY } },
    treasury: units(10_000),
    mint: [],
  });
  for (const m of ['m1', 'm2', 'm3', 'm4']) await h.run(m, 'member.join', {});
  return h;
}

describe('changing the rules', () => {
  it('a member vote with quorum, after the delay, switches the scoring rule from the named round on', async () => {
    const h = await votingCommunity();
    await h.openRound(1, ['a']);
    const proposal = await h.run('m1', 'rules.propose', { fromRound: 3, rules: { scoring: 'qmsr' } });
    await h.run('m1', 'rules.vote', { proposal, approve: true });
    await expect(h.run('m1', 'rules.vote', { proposal, approve: true })).rejects.toMatchObject({ code: 'rules.duplicateVote' });
    await expect(h.run('m2', 'rules.enact', { proposal })).rejects.toMatchObject({ code: 'rules.votingOpen' });
    h.time += DAY;
    await expect(h.run('m2', 'rules.vote', { proposal, approve: true })).rejects.toMatchObject({ code: 'rules.votingClosed' });
    await expect(h.run('m2', 'rules.enact', { proposal })).rejects.toMatchObject({ code: 'rules.noQuorum' }); // 1 of 4 voted
    const second = await h.run('m2', 'rules.propose', { fromRound: 3, rules: { scoring: 'qmsr' } });
    await h.run('m2', 'rules.vote', { proposal: second, approve: true });
    await h.run('m3', 'rules.vote', { proposal: second, approve: true });
    await h.run('m4', 'rules.vote', { proposal: second, approve: false });
    h.time += DAY;
    await h.run('m1', 'rules.enact', { proposal: second });
    expect(rulesFor(h.state, 2)).toBeNull();
    expect(rulesFor(h.state, 3)!.rules.scoring).toBe('qmsr');
    await h.openRound(2, ['b']);
    await h.openRound(3, ['c']);
    expect(h.state.rounds.get(2)!.markets.get('b')!.rule).toBeUndefined();
    expect(h.state.rounds.get(3)!.markets.get('c')!.rule).toBe('qmsr');
  });

  it('never mid-round: a change must name a round not yet scheduled', async () => {
    const h = await votingCommunity();
    await h.openRound(1, ['a']);
    await expect(h.run('admin', 'rules.change', { fromRound: 1, rules: { scoring: 'qmsr' } })).rejects.toMatchObject({ code: 'rules.pastRound' });
    await expect(h.run('m1', 'rules.change', { fromRound: 2, rules: { scoring: 'qmsr' } })).rejects.toMatchObject({ code: 'auth.notAdmin' });
    await h.run('admin', 'rules.change', { fromRound: 2, rules: { scoring: 'qmsr', subsidyPerItem: units(5) } });
    await expect(h.scheduleRound(2, { subsidy: 10 })).rejects.toMatchObject({ code: 'round.badSubsidy' });
    await h.scheduleRound(2, { subsidy: 5 });
    expect(h.state.rounds.get(2)!.rules!.scoring).toBe('qmsr');
  });

  it('without governance, proposals are refused', async () => {
    const h = new GameHarness();
    await h.create({ members: ['m1'] });
    await h.run('m1', 'member.join', {});
    await expect(h.run('m1', 'rules.propose', { fromRound: 1, rules: {} })).rejects.toMatchObject({ code: 'rules.votingDisabled' });
  });
});
