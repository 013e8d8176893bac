import { describe, expect, it } from 'vitest';
import { committeeGame } from '../../test/support/committee-fixture.js';
import { stateHash } from './canonical.js';

describe('round.resolve on a committee community', () => {
  it('is rejected: the resolver key cannot pre-empt the committee', async () => {
    const h = await committeeGame({ members: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'], items: null });
    const seed = await h.openRound(1, ['a']);
    h.time += 2000;
    await h.run('admin', 'round.close', { round: 1 });
    const before = stateHash(h.state);
    await expect(h.run('admin', 'round.resolve', { round: 1, seed, labels: [{ item: 'a', outcome: 0 }] })).rejects.toMatchObject({ code: 'resolve.committeeCommunity' });
    expect(stateHash(h.state)).toBe(before);
  });
});
