/**
 * `hindsight bench resolution --json`: resolving one 10,000-item round from access reports of
 * three reporters, with the built-in `reads` function and with the same rule written as a
 * community JavaScript function in the QuickJS sandbox (run twice, as the game does, to check the
 * replay). Wall and CPU milliseconds, and the sandbox steps used against the default budget.
 */
import type { BenchOptions } from './bench-types.js';
import { DEFAULT_BUDGET, computeOutcomes, readsResolution, type ResolutionInput } from '../src/game/compute.js';
import { emptyState } from '../src/game/state.js';
import { sha256Text } from '../src/game/reward-rules.js';
import { sandboxFor } from '../src/engine/sandbox-loader.js';

const READS_JS = `
function resolve(input) {
  const bounds = [1, 2, 4, 8, 16, 32, 64];
  return input.items.map((item) => {
    const v = [];
    for (const r of input.reports) { const x = r.counts[item.id]; if (x !== undefined) v.push(x); }
    if (v.length * 2 <= input.reporters.length) return null;
    v.sort((a, b) => a - b);
    const m = v[Math.floor((v.length - 1) / 2)];
    let k = 0;
    while (k < bounds.length && bounds[k] <= m) k++;
    return k;
  });
}`;

function input(items: number): ResolutionInput {
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s);
  const ids = Array.from({ length: items }, (_, i) => `stream-${String(i).padStart(5, '0')}`);
  const reporters = ['did:key:r1', 'did:key:r2', 'did:key:r3'];
  const truth = ids.map(() => Math.floor(2 ** ((next() % 800) / 100)) - 1);
  return {
    round: 1,
    items: ids.map((id) => ({ id, outcomes: 8 })),
    reporters,
    reports: reporters.map((reporter) => ({ reporter, counts: Object.fromEntries(ids.map((id, i) => [id, truth[i]! + (next() % 3)])) })),
  };
}

function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const u = process.cpuUsage(c);
  return { value, wallMs: Math.round(performance.now() - t), cpuMs: Math.round((u.user + u.system) / 1000) };
}

export async function run(options: BenchOptions): Promise<object> {
  const items = options.quick ? 1000 : 10_000;
  const data = input(items);
  const state = emptyState();
  const hash = sha256Text(READS_JS);
  state.rules = { functions: new Map([[hash, { name: 'reads-js', source: READS_JS, by: 'bench' }]]), schedule: [], proposals: new Map() };
  // The engine loads the sandbox before a round.compute that may need it; the bench calls the game directly.
  const load = performance.now();
  await sandboxFor(state, 'round.compute');
  const loadMs = Math.round(performance.now() - load);
  const builtin = timed(() => readsResolution(data, [1, 2, 4, 8, 16, 32, 64]));
  const sandbox = timed(() => computeOutcomes(state, { fn: 'sandbox', hash, reporters: data.reporters }, data));
  const same = sandbox.value.ok && JSON.stringify(sandbox.value.outcomes) === JSON.stringify(builtin.value);
  return {
    items,
    builtin: { wallMs: builtin.wallMs, cpuMs: builtin.cpuMs },
    sandbox: { loadMs, wallMs: sandbox.wallMs, cpuMs: sandbox.cpuMs, runs: 2, steps: sandbox.value.steps, budget: DEFAULT_BUDGET.steps, ok: sandbox.value.ok, sameAsBuiltin: same },
  };
}
