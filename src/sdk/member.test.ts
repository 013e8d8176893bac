import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signEvent } from '../events/sign.js';
import { conservation } from '../game/ledger.js';
import { stateHash } from '../game/canonical.js';
import { Engine } from '../engine/engine.js';
import { hex32, testKey, units } from '../../test/support/harness.js';
import { EmbeddedClient } from './embedded-client.js';
import { colludeOnWrongLabels, CommitteeMember, committeeSummary, LogFollower, resolveDueRounds, type LabelInput } from './member.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Truth of a text item: 1 if it mentions "free", else 0. */
const truthOf = (input: LabelInput['input']) => ('text' in input && input.text.includes('free') ? 1 : 0);

async function game(fraction: number, rounds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-member-'));
  dirs.push(dir);
  const engine = await Engine.open({ dir });
  const client = new EmbeddedClient(engine, true);
  const admin = testKey('admin');
  const names = Array.from({ length: 8 }, (_, i) => `bot${i}`);
  let time = 1_000_000;
  const send = async (type: string, payload: Record<string, unknown>) => {
    const a = await client.author(admin.did);
    return client.submit(signEvent(admin, { type, community: 'bots', payload, prev: a.head, nonce: a.nonce + 1, time }));
  };
  await client.submit(
    signEvent(admin, {
      type: 'community.create',
      community: 'bots',
      prev: null,
      nonce: 1,
      time,
      payload: {
        name: 'bots',
        config: { trading: 'sealed', admins: [admin.did], resolver: admin.did, committee: { size: 5, minBond: units(50) }, items: { bond: units(1), perMemberQuota: 2 } },
        treasury: units(100_000),
        mint: names.map((n) => ({ to: testKey(n).did, amount: units(500) })),
      },
    }),
  );
  const follower = new LogFollower(client);
  let counter = 0;
  const random = (n: number) => createHash('sha256').update(`rng-${counter++}`).digest().subarray(0, n);
  const bots = names.map(
    (n, i) =>
      new CommitteeMember({
        client,
        signer: testKey(n),
        follower,
        random,
        label: (item) => truthOf(item.input),
        items: (round) => [{ input: { text: `round ${round} from ${n}: ${i % 2 ? 'free money' : 'meeting notes'}` }, outcomes: 2 }],
      }),
  );
  const collusion = colludeOnWrongLabels(bots, fraction);
  for (const bot of bots) await bot.start(time);
  const truthTable = new Map<string, number>();
  for (let round = 1; round <= rounds; round++) {
    await send('round.schedule', { round, subsidyPerItem: units(5), tradingDeadline: time + 1000, revealDeadline: time + 2000, seedCommitment: hex32(`unused-${round}`) });
    for (const bot of bots) await bot.step(time);
    await send('round.open', { round });
    for (const bot of bots) await bot.step(time + 1);
    time += 1000;
    await send('round.close', { round });
    for (const bot of bots) await bot.step(time);
    time += 1000;
    for (const bot of bots) await bot.step(time);
    expect(await resolveDueRounds(client, admin, follower, time)).toEqual([round]);
    await send('round.settle', { round });
    time += 1000;
  }
  for (const bot of bots) for (const [id, s] of bot.submissions) truthTable.set(id, truthOf(s.draft.input));
  const state = await follower.sync();
  const summary = committeeSummary(state, (_r, item) => truthTable.get(item), collusion);
  const hash = (await client.state()).stateHash;
  await client.close();
  return { state, summary, hash, replayHash: stateHash(state) };
}

describe('CommitteeMember bots', () => {
  it('join, bond, submit encrypted items, publish keys and label them; a colluding minority changes nothing', async () => {
    const { state, summary, hash, replayHash } = await game(0.4, 2);
    expect(replayHash).toBe(hash); // the bots' local replay of the log equals the node's state
    expect(summary).toMatchObject({ size: 5, adversarial: 2, labelAccuracy: 1 });
    expect(summary.penalized).toBeGreaterThanOrEqual(2);
    const r1 = state.rounds.get(1)!;
    expect(r1.items.size).toBe(8 * 1); // each bot's item became a round item once its key opened it
    expect([...r1.submissions.values()].every((s) => s.status === 'valid')).toBe(true);
    expect(conservation(state.ledger).ok).toBe(true);
  }, 60_000);

  it('a colluding majority flips labels, which the summary reports', async () => {
    const { summary } = await game(0.6, 1);
    expect(summary.adversarial).toBe(3);
    expect(summary.labelAccuracy).toBe(0);
    expect(summary.penalized).toBe(2);
  }, 60_000);
});
