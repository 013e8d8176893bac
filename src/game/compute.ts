/**
 * Outcomes computed from the community's data instead of typed in: reporters sign read counts per
 * item (access.report); round.compute reveals the ordering seed and runs the round's pinned
 * resolution function over the reports — the built-in `reads` (median of the reporters' counts,
 * bucketed on a log scale) or a community-written function in the sandbox (sandbox.ts).
 *
 * The host checks the function's output: a JSON array with one entry per item (in the order of
 * the input's items), each null (void that item) or an integer outcome in [0, K). It runs a
 * sandboxed function twice, in fresh runtimes, and requires the same text both times. A function
 * that throws, exceeds its step or memory budget, returns a bad shape or an outcome out of range,
 * or differs on replay voids the whole round with every lock and cost refunded (as round.void
 * does) and records why; it never rejects the event, so the round cannot get stuck.
 */
import { bucketOf } from './resolvers.js';
import type { ResolutionSpec } from '../events/types/rules.js';
import { getRound } from './rounds.js';
import { runSandboxed, type SandboxBudget } from './sandbox.js';
import { refundRound, resolveRound, sha256Hex } from './settle.js';
import type { GameState, RoundState } from './state.js';
import { ensure, type Handler } from './rules.js';
import type { RoundRulesState } from './reward-rules-state.js';

export const DEFAULT_BUDGET: SandboxBudget = { steps: 20_000, memoryBytes: 16 << 20 };

/** What a resolution function is given. `reports[j].counts` maps item id → reads. */
export type ResolutionInput = {
  round: number;
  items: { id: string; outcomes: number }[];
  reporters: string[];
  reports: { reporter: string; counts: Record<string, number> }[];
};

export function resolutionInput(r: RoundState, rules: RoundRulesState): ResolutionInput {
  const spec = rules.resolution;
  const reporters = spec.fn === 'labels' ? [] : spec.reporters;
  const items = [...r.markets.values()].map((m) => ({ id: m.item, outcomes: m.outcomes })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const reports = reporters.map((reporter) => ({ reporter, counts: Object.fromEntries([...(rules.reports.get(reporter) ?? new Map())].sort((a, b) => (a[0] < b[0] ? -1 : 1))) }));
  return { round: r.round, items, reporters, reports };
}

/** Built-in `reads`: per item, the lower median of the counts reported, if more than half the reporters reported it. */
export function readsResolution(input: ResolutionInput, boundaries: readonly number[]): (number | null)[] {
  return input.items.map((item) => {
    const values: number[] = [];
    for (const r of input.reports) {
      const v = r.counts[item.id];
      if (v !== undefined) values.push(v);
    }
    if (values.length * 2 <= input.reporters.length) return null;
    if (item.outcomes !== boundaries.length + 1) return null;
    values.sort((a, b) => a - b);
    return bucketOf(values[Math.floor((values.length - 1) / 2)]!, boundaries);
  });
}

export type Computed = { ok: true; outcomes: (number | null)[]; steps: number } | { ok: false; reason: string; steps: number };

/** Checks a function's output against the items: shape and range. */
export function checkOutcomes(value: unknown, items: ResolutionInput['items']): string | null {
  if (!Array.isArray(value)) return `expected an array of ${items.length} outcomes, got ${value === null ? 'null' : typeof value}`;
  if (value.length !== items.length) return `expected ${items.length} outcomes, got ${value.length}`;
  for (let i = 0; i < items.length; i++) {
    const o = value[i] as unknown;
    if (o === null) continue;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o >= items[i]!.outcomes) {
      return `outcome of ${items[i]!.id}: expected null or an integer in [0, ${items[i]!.outcomes - 1}], got ${JSON.stringify(o)}`;
    }
  }
  return null;
}

/** Runs a round's resolution function (pure and deterministic: replay gives the same result). */
export function computeOutcomes(state: GameState, spec: ResolutionSpec, input: ResolutionInput): Computed {
  if (spec.fn === 'reads') return { ok: true, outcomes: readsResolution(input, spec.boundaries), steps: 0 };
  if (spec.fn !== 'sandbox') return { ok: false, reason: 'labels are typed in, not computed', steps: 0 };
  const fn = state.rules?.functions.get(spec.hash);
  if (!fn) return { ok: false, reason: `function ${spec.hash} not published`, steps: 0 };
  const budget = spec.budget ?? DEFAULT_BUDGET;
  const text = JSON.stringify(input);
  const first = runSandboxed(fn.source, 'resolve', text, budget);
  if (!first.ok) return first;
  const again = runSandboxed(fn.source, 'resolve', text, budget);
  if (!again.ok || again.json !== first.json) return { ok: false, reason: 'a replay gave a different result', steps: first.steps };
  let value: unknown;
  try {
    value = JSON.parse(first.json);
  } catch {
    return { ok: false, reason: 'expected JSON output', steps: first.steps };
  }
  const bad = checkOutcomes(value, input.items);
  return bad ? { ok: false, reason: bad, steps: first.steps } : { ok: true, outcomes: value as (number | null)[], steps: first.steps };
}

function computedRules(r: RoundState): RoundRulesState {
  const rules = r.rules;
  ensure(rules !== undefined && rules.resolution.fn !== 'labels', 'resolve.notComputed', 'round', 'a round whose resolution function computes outcomes from data', rules?.resolution.fn ?? 'labels');
  return rules;
}

export const accessReportHandler: Handler<'access.report'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const rules = computedRules(r);
  const spec = rules.resolution as Exclude<ResolutionSpec, { fn: 'labels' }>;
  ensure(spec.reporters.includes(ev.event.author), 'access.notReporter', 'author', `one of the round's ${spec.reporters.length} reporters`, ev.event.author);
  ensure(r.phase === 'revealing', 'round.wrongPhase', 'round', 'a closed round not yet resolved', r.phase);
  const mine = rules.reports.get(ev.event.author);
  const seen = new Set<string>();
  for (const c of p.counts) {
    ensure(r.markets.has(c.item), 'item.unknown', 'counts.item', `an item of round ${p.round}`, c.item);
    ensure(!seen.has(c.item) && !mine?.has(c.item), 'access.duplicate', 'counts.item', 'one count per item per reporter', c.item);
    seen.add(c.item);
  }
  const into = mine ?? new Map<string, number>();
  for (const c of p.counts) into.set(c.item, c.reads);
  rules.reports.set(ev.event.author, into);
};

export const roundComputeHandler: Handler<'round.compute'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  const rules = computedRules(r);
  ensure(ev.event.author === state.community!.config.resolver, 'auth.notResolver', 'author', `the community resolver ${state.community!.config.resolver}`, ev.event.author);
  ensure(r.phase === 'revealing', 'round.wrongPhase', 'round', 'a closed round (trading over)', r.phase);
  const allRevealed = [...r.sealed.values()].every((s) => s.revealed !== null);
  ensure(allRevealed || ev.event.time >= r.revealDeadline, 'round.early', 'time', `at or after the reveal deadline ${r.revealDeadline} (some trades are unrevealed)`, ev.event.time);
  ensure(sha256Hex(p.seed) === r.seedCommitment, 'resolve.badSeed', 'seed', `a seed hashing to the committed ${r.seedCommitment}`, sha256Hex(p.seed));
  const input = resolutionInput(r, rules);
  const result = computeOutcomes(state, rules.resolution, input);
  if (!result.ok) {
    refundRound(state, r);
    r.phase = 'void';
    rules.computed = { status: 'failed', reason: result.reason, steps: result.steps };
    return;
  }
  const labels = new Map<string, number | null>(input.items.map((item, i) => [item.id, result.outcomes[i]!]));
  resolveRound(state, r, p.seed, labels);
  rules.computed = { status: 'ok', reason: null, steps: result.steps };
};
