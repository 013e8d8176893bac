import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { UNIT } from '../core/money.js';
import { Ed25519Signer, saveKey } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import type { ItemInput } from '../events/types/core.js';
import type { Dataset } from '../ml/data/dataset.js';
import { permutation } from '../ml/rng.js';
import type { HindsightClient } from '../sdk/client.js';
import { FEATURE_SCALE } from '../sdk/operator-strategy.js';

/**
 * What `hindsight up` prepares before anything runs: a fresh directory, keys for the admin, the
 * member bots and the operators (0600 files under keys/), the data files they read (a bootstrap
 * corpus for operators, an item pool for members, both with integer labels so every process agrees
 * on class order), and the community's genesis.
 */

export type UpLayout = { dir: string; keys: string; data: string; logs: string; bootstrap: string; pool: string };

export function prepareDir(dir: string): UpLayout {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ValidationError('community.exists', `--dir ${dir}: expected a new or empty directory (hindsight up starts a fresh community), got one with files; pick another --dir or remove it`, { field: 'dir' });
  }
  const layout = { dir, keys: join(dir, 'keys'), data: join(dir, 'data'), logs: join(dir, 'logs'), bootstrap: join(dir, 'data', 'bootstrap.jsonl'), pool: join(dir, 'data', 'pool.jsonl') };
  for (const d of [layout.keys, layout.data, layout.logs]) mkdirSync(d, { recursive: true });
  return layout;
}

export type Participant = { name: string; signer: Ed25519Signer; file: string };

export function makeKeys(layout: UpLayout, names: string[]): Participant[] {
  return names.map((name) => {
    const signer = Ed25519Signer.generate();
    const file = join(layout.keys, `${name}.json`);
    saveKey(signer, file);
    return { name, signer, file };
  });
}

const MAX_TEXT = 2000;

/** Seeded split of the dataset: `bootstrap` labeled examples for operators, the next `pool` items for members. */
export function writeDataFiles(layout: UpLayout, dataset: Dataset, sizes: { bootstrap: number; pool: number }, seed: number): { fallback: ItemInput['input'][] } {
  const order = permutation(dataset.items.length, seed);
  const pick = (from: number, n: number) => Array.from(order.slice(from, Math.min(dataset.items.length, from + n)), (i) => dataset.items[i]!);
  const line = (item: Dataset['items'][number]) => JSON.stringify({ ...(dataset.kind === 'text' ? { text: (item.text ?? '').slice(0, MAX_TEXT) } : { features: item.features }), label: item.label });
  const bootstrap = pick(0, sizes.bootstrap);
  const pool = pick(sizes.bootstrap, sizes.pool);
  if (bootstrap.length < 2 * dataset.labels.length || pool.length < 2) {
    throw new ValidationError('dataset.invalid', `dataset ${dataset.name}: expected at least ${2 * dataset.labels.length + 2} items for a bootstrap corpus and an item pool, got ${dataset.items.length}`, { field: 'dataset' });
  }
  writeFileSync(layout.bootstrap, `${bootstrap.map(line).join('\n')}\n`);
  writeFileSync(layout.pool, `${pool.map(line).join('\n')}\n`);
  // The admin's own items for a round no member submitted to: the last few of the pool.
  const fallback = pool.slice(-4).map((item) => (dataset.kind === 'text' ? { text: (item.text ?? '').slice(0, MAX_TEXT) } : { features: (item.features ?? []).map((v) => Math.round(v * FEATURE_SCALE)) }));
  return { fallback };
}

export type GenesisPlan = { community: string; admin: Ed25519Signer; members: Participant[]; operators: Participant[]; seats: number };

export const UP_AMOUNTS = { treasury: 1_000_000n * UNIT, member: 100n * UNIT, operator: 1_000n * UNIT, minBond: 10n * UNIT, reward: 1n * UNIT, subsidy: 5n * UNIT, itemBond: 1n * UNIT };

/** The community: a committee of `seats` drawn from the bonded members, member items on, everyone funded. */
export async function createCommunity(client: HindsightClient, plan: GenesisPlan): Promise<string> {
  const a = UP_AMOUNTS;
  const event = signEvent(plan.admin, {
    type: 'community.create',
    community: plan.community,
    prev: null,
    nonce: 1,
    time: Date.now(),
    payload: {
      name: plan.community,
      config: {
        trading: 'sealed',
        admins: [plan.admin.did],
        resolver: plan.admin.did,
        committee: { size: plan.seats, minBond: a.minBond.toString(), rewardPerRound: a.reward.toString() },
        items: { bond: a.itemBond.toString() },
      },
      treasury: a.treasury.toString(),
      mint: [...plan.members.map((m) => ({ to: m.signer.did, amount: a.member.toString() })), ...plan.operators.map((o) => ({ to: o.signer.did, amount: a.operator.toString() }))],
    },
  });
  return (await client.submit(event)).cid;
}
