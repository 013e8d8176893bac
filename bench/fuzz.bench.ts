/**
 * `hindsight bench fuzz`: the fuzz suite's hostile client (test/support/http-fuzz.ts) for a longer
 * campaign — 100,000 cases by default, 10,000 with --quick (HINDSIGHT_FUZZ_CASES and
 * HINDSIGHT_FUZZ_SEED override) — against one node process. Every case is checked as in the suite
 * (status < 500 and documented, no leaked internals, the stateHash unchanged by every refusal,
 * only events signed on the author's chain head accepted); here failures are counted, not thrown.
 * Reports the counts by status, server errors and other violations (with the first examples), the
 * node's largest resident set, cases per second, and whether a replay of the log with every
 * signature re-verified reaches the node's stateHash.
 */
import { loadavg } from 'node:os';
import fc from 'fast-check';
import type { BenchOptions } from './bench-types.js';
import { finishFuzz, recipeArbitrary, runCase, sampleRss, startFuzzTarget, type Recipe } from '../test/support/http-fuzz.js';

const CHUNK = 1_000;

export async function run(options: BenchOptions): Promise<object> {
  const cases = Number(process.env.HINDSIGHT_FUZZ_CASES ?? (options.quick ? 10_000 : 100_000));
  const seed = process.env.HINDSIGHT_FUZZ_SEED ? Number(process.env.HINDSIGHT_FUZZ_SEED) : Date.now() % 2 ** 31;
  const loadAverageBefore = loadavg().map((x) => Number(x.toFixed(1)));
  const target = await startFuzzTarget({ proofs: 3 });
  const rssAtStartMiB = Math.round(sampleRss(target) / 2 ** 20);
  const byStatus: Record<string, number> = {};
  const examples: { case: number; violation: string }[] = [];
  let serverErrors = 0;
  let violations = 0;
  let accepted = 0;
  let proofs = 0;
  const arbitrary = recipeArbitrary(target);
  const started = performance.now();
  let done = 0;
  const alive = () => target.node.process.exitCode === null && target.node.process.signalCode === null;
  let elapsedMs = 0;
  let end;
  try {
    for (let chunk = 0; done < cases && alive(); chunk++) {
      const recipes: Recipe[] = fc.sample(arbitrary, { numRuns: Math.min(CHUNK, cases - done), seed: seed + chunk });
      for (const recipe of recipes) {
        const result = await runCase(target, recipe);
        done += 1;
        byStatus[String(result.status)] = (byStatus[String(result.status)] ?? 0) + 1;
        if (typeof result.status === 'number' && result.status >= 500) serverErrors += 1;
        if (result.accepted) accepted += 1;
        if (result.proved) proofs += 1;
        if (result.violation) {
          violations += 1;
          if (examples.length < 10) examples.push({ case: done, violation: result.violation.slice(0, 600) });
        }
        if (!alive()) break;
      }
      if (done % 10_000 === 0) process.stderr.write(`bench fuzz: ${done} cases, ${serverErrors} server errors, ${violations} violations\n`);
    }
  } finally {
    elapsedMs = performance.now() - started;
    end = await finishFuzz(target);
  }
  return {
    cases: done,
    seed,
    byStatus: Object.fromEntries(Object.entries(byStatus).sort(([a], [b]) => (a < b ? -1 : 1))),
    serverErrors,
    /** Every failed check, server errors included (see test/support/http-fuzz.ts). */
    violations,
    examples,
    acceptedNewEvents: accepted,
    proofs,
    casesPerSec: Math.round((done / elapsedMs) * 1000),
    elapsedSec: Number((elapsedMs / 1000).toFixed(1)),
    nodeMaxRssMiB: Math.round(target.maxRssBytes / 2 ** 20),
    nodeRssAtStartMiB: rssAtStartMiB,
    nodeAlive: end.alive,
    seq: end.seq,
    replayMatchesStateHash: end.replayMatches,
    loadAverageBefore,
    loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
  };
}
