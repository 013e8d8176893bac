import { createHash } from 'node:crypto';
import type { CommitteeConfig, ItemsConfig, MembershipConfig } from '../../src/events/types/committee-config.js';
import { GameHarness, hex32, units } from './harness.js';
import { labelCommitment } from '../../src/game/labels.js';
import { sealItem } from '../../src/game/items.js';
import type { ItemState } from '../../src/game/state.js';

/**
 * Test fixture for the committee path (used by src/game's tests): a community with a
 * committee config, members who join and bond, and a scripted label round.
 */

export type CommitteeGameOptions = {
  members: string[];
  committee?: Partial<CommitteeConfig>;
  items?: Partial<ItemsConfig> | null;
  membership?: Partial<MembershipConfig>;
  bond?: number;
  each?: number;
  name?: string;
  treasury?: number;
};

export async function committeeGame(options: CommitteeGameOptions): Promise<GameHarness> {
  const h = new GameHarness();
  const admin = h.key('admin').did;
  await h.run('admin', 'community.create', {
    name: options.name ?? 'Committee test',
    config: {
      trading: 'sealed',
      admins: [admin],
      resolver: admin,
      committee: { size: 5, minBond: units(100), rewardPerRound: units(10), ...options.committee },
      ...(options.items === null ? {} : { items: { bond: units(5), ...options.items } }),
      ...(options.membership ? { membership: options.membership } : {}),
    },
    treasury: units(options.treasury ?? 100_000),
    mint: options.members.map((m) => ({ to: h.key(m).did, amount: units(options.each ?? 1_000) })),
  });
  for (const m of options.members) {
    await h.run(m, 'member.join', {});
    if ((options.bond ?? 100) > 0) await h.run(m, 'member.bond', { amount: units(options.bond ?? 100) });
  }
  return h;
}

/** did → test name, for the harness's named signers. */
export function nameOf(h: GameHarness, names: string[]): (did: string) => string {
  const map = new Map(names.map((n) => [h.key(n).did, n]));
  return (did) => map.get(did)!;
}

export function seated(h: GameHarness, round: number): string[] {
  return h.state.rounds.get(round)!.committee!.members;
}

/** What a seat holder does with one item: reveal a label, reveal with a wrong salt, or withhold. */
export type Vote = { label: number } | { label: number; wrongSalt: true } | 'withhold';

export const saltFor = (name: string, round: number, item: string): string => hex32(`label-${name}-${round}-${item}`).slice(0, 32);

/**
 * From an open round: time to the trading deadline, close, every seat commits, time to the reveal
 * deadline, every seat reveals per `vote`, resolve (at the label reveal deadline if someone withheld).
 */
export async function labelRound(h: GameHarness, round: number, names: string[], vote: (name: string, item: string) => Vote): Promise<void> {
  const r = h.state.rounds.get(round)!;
  const who = nameOf(h, names);
  const items = [...r.items.keys()].filter((i) => r.markets.has(i));
  h.time = r.tradingDeadline;
  await h.run('admin', 'round.close', { round });
  const plans = new Map<string, { item: string; vote: Vote }[]>();
  for (const did of r.committee!.members) {
    const name = who(did);
    const plan = items.map((item) => ({ item, vote: vote(name, item) }));
    plans.set(name, plan);
    const commits = plan.map(({ item, vote: v }) => ({
      item,
      commitment: labelCommitment({ round, item, member: did, label: v === 'withhold' ? 0 : v.label, salt: saltFor(name, round, item) }),
    }));
    await h.run(name, 'label.commit', { round, commits });
  }
  h.time = r.revealDeadline;
  let withheld = false;
  for (const [name, plan] of plans) {
    const reveals = plan
      .filter((x) => x.vote !== 'withhold')
      .map(({ item, vote: v }) => {
        const x = v as { label: number; wrongSalt?: true };
        return { item, label: x.label, salt: x.wrongSalt ? hex32(`wrong-${name}-${item}`).slice(0, 32) : saltFor(name, round, item) };
      });
    if (reveals.length < plan.length) withheld = true;
    if (reveals.length > 0) await h.run(name, 'label.reveal', { round, reveals });
  }
  if (withheld) h.time = r.labelRevealDeadline;
  await h.run('admin', 'label.resolve', { round });
}

export function newKey(label: string): { key: string; nonce: string; salt: string } {
  const h = (s: string) => createHash('sha256').update(`${label}:${s}`).digest('hex');
  return { key: h('key'), nonce: h('nonce').slice(0, 48), salt: h('salt').slice(0, 32) };
}

/** Submits an encrypted item; returns its game item id and the secrets to publish later. */
export async function submitItem(h: GameHarness, name: string, round: number, input: ItemState['input'], options: { outcomes?: number; buckets?: number[] } = {}): Promise<{ id: string; key: string }> {
  const secrets = newKey(`${name}-${round}-${JSON.stringify(input)}`);
  const sealed = sealItem({ input, ...secrets });
  const cid = await h.run(name, 'item.submit', { round, outcomes: options.outcomes ?? 2, ...(options.buckets ? { buckets: options.buckets } : {}), ...sealed });
  return { id: `s-${cid.slice(-20)}`, key: secrets.key };
}

/** Schedules a round without opening it (items can then be submitted). */
export function scheduleRound(h: GameHarness, round: number, options: { subsidy?: number } = {}): Promise<string> {
  return h.scheduleRound(round, options);
}
