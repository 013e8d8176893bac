import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { saveKey } from '../events/keys.js';
import { demoKey, roundTimes, units, type DemoWorld } from './demo-world.js';

/**
 * What makes the finished demo a community a visitor can flag posts in. The game takes a member's
 * candidate item only when the community's config has an `items` section and only for a round
 * that is scheduled and not yet open (items are submitted during the round before). So the demo
 * community accepts text items (the game's defaults otherwise: 5 units of bond per item, at most
 * 10 per member and 200 per round), and once the played rounds are settled the admin schedules
 * the next one, with no items of its own: a flag from the dashboard (or `hindsight item submit`)
 * becomes one of its candidate items. The demo does not open that round.
 *
 * Flagging takes a member bond and an item bond, and a browser's fresh identity holds nothing, so
 * the admin also mints VISITOR_UNITS to a visitor key the demo writes beside its log (`visitor.key`,
 * derived from the seed like every demo key): `hindsight ledger transfer --key <out>/visitor.key
 * --to <the browser's DID> --node <url>` funds a browser session. Not with --chain, where every
 * unit in the ledger is backed by a deposit (demo-chain.ts checks the books against the treasury).
 */
export const DEMO_MEMBER_ITEMS = { formats: ['text'] } as const;
export const VISITOR_KEY_FILE = 'visitor.key';
export const VISITOR_UNITS = 1000;

/** Schedules round `round` on the demo clock, right after the last played round, for flagged posts; funds and writes the visitor key. */
export async function openForFlags(world: DemoWorld, options: { round: number; subsidyPerItem: bigint; seed: number; out: string; fundVisitor: boolean }): Promise<void> {
  const t = roundTimes(options.round);
  const seedCommitment = createHash('sha256').update(Buffer.from(world.roundSeed(options.round), 'hex')).digest('hex');
  const visitor = demoKey(options.seed, 'visitor');
  await world.submit([
    world.admin.next('round.schedule', { round: options.round, subsidyPerItem: options.subsidyPerItem.toString(), tradingDeadline: t.tradingDeadline, revealDeadline: t.revealDeadline, seedCommitment }, t.schedule),
    ...(options.fundVisitor ? [world.admin.next('ledger.mint', { to: visitor.did, amount: units(VISITOR_UNITS).toString() }, t.schedule)] : []),
  ]);
  if (options.fundVisitor) saveKey(visitor, join(options.out, VISITOR_KEY_FILE));
}
