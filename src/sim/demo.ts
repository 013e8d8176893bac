import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { stateHash } from '../game/canonical.js';
import { conservation } from '../game/ledger.js';
import { Engine } from '../engine/engine.js';
import { DEFAULT_BANKROLL, type BankrollRule } from '../sdk/operator-bankroll.js';
import { exampleStrategies } from '../sdk/operators/index.js';
import { loadDemoDataset, planDemo } from './demo-data.js';
import { DemoMetrics } from './demo-metrics.js';
import { DemoWorld, units } from './demo-world.js';
import type { ServingRule } from './served.js';
import { buildSummary, type DemoSummary } from './summary.js';
import type { LeaderboardRow } from '../engine/view-schemas.js';
import { leaderboardView as leaderboard } from '../engine/views.js';
import { writeReport } from './report.js';
import { committeeSummary } from '../sdk/member.js';
import type { GameState } from '../game/state.js';
import type { SignedEvent } from '../events/envelope.js';
import { EXAMPLE_RECIPES } from '../sdk/operators/index.js';
import { DemoProofs, proofRecipes, type DemoProofOptions } from './demo-proofs.js';
import { DemoChain } from './demo-chain.js';
import { DEMO_MEMBER_ITEMS, openForFlags, VISITOR_KEY_FILE } from './demo-flags.js';
import type { ModelStrategy } from '../sdk/operator-strategy.js';

export type DemoOptions = {
  out: string;
  rounds?: number;
  items?: number;
  seed?: number;
  /** A JSONL dataset instead of the SpamAssassin corpus. */
  dataset?: string;
  /** Reuse a non-empty --out directory (its demo files are deleted first). */
  force?: boolean;
  serve?: ServingRule;
  /** At most this many items of public bootstrap corpus before round 1 (default 1000). */
  bootstrap?: number;
  /** Subsidy per item and each operator's starting bankroll, in units. */
  subsidy?: number;
  bankroll?: number;
  rule?: BankrollRule;
  /** Resolve labels with a sortition committee of member bots (default true) instead of the resolver key. */
  committee?: boolean;
  /** Fraction of committee seats that collude on a wrong label , default 0. */
  adversarialCommittee?: number;
  /** Write <out>/report/ (default true). */
  report?: boolean;
  onProgress?: (event: { round: number; rounds: number; phase: string }) => void;
  /** The community requires proofs; provable operators trade with round batch proofs (demo-proofs.ts). */
  proofs?: boolean | DemoProofOptions;
  /** Money on a local anvil: wallets deposit, each round's payouts are claimed on chain, rounds anchored (demo-chain.ts). */
  chain?: boolean;
  /** More model lines next to the examples (demo --fl: the federated model, src/sim/demo-fl.ts). */
  extraStrategies?: ModelStrategy[];
};

export type DemoResult = { summary: DemoSummary; metrics: DemoMetrics; leaderboard: LeaderboardRow[]; reportDir: string | null; dataset: string; labels: string[]; out: string; seconds: number; config: Required<Pick<DemoOptions, 'rounds' | 'items' | 'seed' | 'subsidy' | 'bankroll' | 'serve'>> };

/**
 * What the market makers paid out in a round: each market's leftover goes back to the treasury, so
 * subsidy spent = payouts − traders' net costs = the sum of every position's P&L (zero-sum).
 */
export function subsidySpent(state: GameState, round: number): bigint {
  let spent = 0n;
  for (const stats of state.leaderboard.values()) spent += stats.history.get(round)?.pnl ?? 0n;
  return spent;
}

/** Files a demo run writes into --out; --force removes exactly these, never anything else. */
const DEMO_FILES = ['hindsight.db', 'hindsight.db-wal', 'hindsight.db-shm', 'report', 'secrets', VISITOR_KEY_FILE];

export function prepareOut(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  const present = readdirSync(out);
  if (present.length === 0) return;
  if (!force) {
    throw new ValidationError('demo.outNotEmpty', `--out ${out}: expected an empty or new directory (or --force), got ${present.length} entries (${present.slice(0, 3).join(', ')})`, { field: 'out' });
  }
  const foreign = present.filter((f) => !DEMO_FILES.includes(f));
  if (foreign.length > 0) {
    throw new ValidationError('demo.outForeign', `--out ${out}: expected only files of an earlier demo to overwrite, got ${foreign.slice(0, 3).join(', ')}`, { field: 'out' });
  }
  for (const f of present) rmSync(join(out, f), { recursive: true, force: true });
}

function checkPositiveInt(value: number, field: string, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError('demo.badOption', `--${field}: expected an integer in 1..${max}, got ${value}`, { field });
  }
}

/**
 * The whole game, end to end, on an embedded store in `out`: a community, operators with models of
 * different quality and a copycat, R rounds of validation items from the dataset, sealed trading,
 * resolution by the community resolver, settlement; then the measured summary. Deterministic: event
 * times are simulated and every key, salt and seed derives from `seed`, so the same options give the
 * same log and stateHash.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const rounds = options.rounds ?? 6;
  const items = options.items ?? 150;
  const seed = options.seed ?? 1;
  const subsidy = options.subsidy ?? 10;
  const bankroll = options.bankroll ?? 5000;
  const serve = options.serve ?? 'blend';
  const adversarial = options.adversarialCommittee ?? 0;
  if (!(adversarial >= 0 && adversarial <= 1)) throw new ValidationError('demo.badOption', `--adversarial-committee: expected a fraction in [0, 1], got ${adversarial}`, { field: 'adversarialCommittee' });
  const useCommittee = options.committee ?? true;
  checkPositiveInt(rounds, 'rounds', 1000);
  checkPositiveInt(items, 'items', 10_000);
  const proofOptions = options.proofs === true ? {} : options.proofs || undefined;
  if (proofOptions?.batchItems !== undefined) checkPositiveInt(proofOptions.batchItems, 'batch-items', 4096);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValidationError('demo.badOption', `--seed: expected a non-negative integer, got ${seed}`, { field: 'seed' });
  // Everything that can fail on bad input happens before the first file is written.
  const dataset = loadDemoDataset(options.dataset);
  const data = planDemo(dataset, { rounds, itemsPerRound: items, seed, bootstrap: options.bootstrap ?? 1000 });
  prepareOut(options.out, options.force ?? false);
  mkdirSync(options.out, { recursive: true });

  const progress = (round: number, phase: string) => options.onProgress?.({ round, rounds, phase });
  const hashes = new Map<string, string>();
  const strategies = exampleStrategies((name, round) => hashes.get(`${name}@${round}`), proofOptions ? proofRecipes(EXAMPLE_RECIPES, proofOptions.maxBuckets) : EXAMPLE_RECIPES).concat(options.extraStrategies ?? []);
  const engine = await Engine.open({ dir: options.out });
  const proofs = proofOptions ? new DemoProofs(engine, seed, items, proofOptions) : undefined;
  let result: DemoResult;
  let chain: DemoChain | undefined;
  try {
    const community = `demo-${dataset.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'dataset'}`;
    const truth = new Map(data.rounds.flatMap((set) => [...set.labels]));
    const committee = useCommittee ? { members: 9, size: 5, adversarial, bond: units(100), reward: units(10) } : undefined;
    const budget = units(subsidy) * BigInt(rounds * items) + (committee ? committee.reward * BigInt(rounds) : 0n);
    const world = await DemoWorld.create(engine, {
      seed,
      community,
      subsidyPerItem: units(subsidy),
      // The treasury funds every item's subsidy and the committee's rewards.
      // With --chain both come from deposits instead (demo-chain.ts).
      budget: options.chain ? 0n : budget,
      bankroll: options.chain ? 0n : units(bankroll),
      committee,
      truth,
      rule: options.rule ?? DEFAULT_BANKROLL,
      bootstrap: data.bootstrap,
      strategies,
      memberItems: DEMO_MEMBER_ITEMS,
      ...(proofs ? { proofs: proofs.proverOptions(), beforeReveals: (round: number, events: readonly SignedEvent[]) => proofs.beforeReveals(round, events, world.operators) } : {}),
    });
    const metrics = new DemoMetrics(world.operators.map((o) => o.name));
    if (options.chain) chain = await DemoChain.start(world, { seed, budget, bankroll: units(bankroll), rounds });
    for (const set of data.rounds) {
      progress(set.round, 'train');
      await world.schedule(set);
      await world.open(set.round);
      for (const op of world.operators) {
        const h = op.rounds.get(set.round)?.model.modelHash;
        if (h) hashes.set(`${op.name}@${set.round}`, h);
      }
      progress(set.round, 'trade');
      await world.trade(set.round);
      progress(set.round, 'reveal');
      await world.closeAndReveal(set.round);
      progress(set.round, 'settle');
      await world.resolve(set);
      await world.settle(set.round);
      metrics.observe(engine.state, set, world.operators, subsidySpent(engine.state, set.round));
      await chain?.afterRound(world, set.round);
    }
    await openForFlags(world, { round: rounds + 1, subsidyPerItem: units(subsidy), seed, out: options.out, fundVisitor: !options.chain });
    const summary = buildSummary({
      metrics,
      rounds,
      items: rounds * items,
      events: engine.state.seq,
      stateHash: stateHash(engine.state),
      serve,
      budget: units(subsidy) * BigInt(rounds * items),
      conservation: conservation(engine.state.ledger).ok,
      committee: committee ? committeeSummary(engine.state, (_round, item) => truth.get(item), world.collusion) : undefined,
      ...(proofs ? { proofs: proofs.summary(world.operators) } : {}),
    });
    if (chain) summary.chain = await chain.summary(world);
    result = { summary, metrics, leaderboard: leaderboard(engine.state), reportDir: null, dataset: dataset.name, labels: dataset.labels, out: options.out, seconds: 0, config: { rounds, items, seed, subsidy, bankroll, serve } };
  } finally {
    await chain?.stop();
    await engine.close();
  }
  if (options.report !== false) {
    progress(rounds, 'report');
    result.seconds = (performance.now() - started) / 1000;
    result.reportDir = await writeReport(result, result.leaderboard);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
