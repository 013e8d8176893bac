/**
 * Fuzz: thousands of mutated and random bodies against a live node process (test/support/http-fuzz.ts
 * says what is sent and what is checked). The seed is random unless HINDSIGHT_FUZZ_SEED is set;
 * a failure prints it, with the shrunk recipe, so the run can be repeated.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishFuzz, recipeArbitrary, runCase, startFuzzTarget, type FuzzEnd, type FuzzTarget } from './support/http-fuzz.js';

const CASES = Number(process.env.HINDSIGHT_FUZZ_CASES ?? 5_000);
const SEED = process.env.HINDSIGHT_FUZZ_SEED ? Number(process.env.HINDSIGHT_FUZZ_SEED) : Date.now() % 2 ** 31;

describe('fuzz: hostile request bodies against a live node', () => {
  let target: FuzzTarget;
  let end: FuzzEnd | undefined;

  beforeAll(async () => {
    target = await startFuzzTarget();
  }, 60_000);
  afterAll(async () => {
    if (!end) await finishFuzz(target).catch(() => undefined);
  });

  it(`answers ${CASES} bodies below 500, changes the state only for valid events, and stays up (seed ${SEED})`, async () => {
    const statuses = new Map<string, number>();
    let accepted = 0;
    let acceptedCeramic = 0;
    await fc.assert(
      fc.asyncProperty(recipeArbitrary(target), async (recipe) => {
        const result = await runCase(target, recipe);
        statuses.set(String(result.status), (statuses.get(String(result.status)) ?? 0) + 1);
        if (result.accepted) accepted += 1;
        if (result.accepted && 'base' in recipe && recipe.base.startsWith('ceramic')) acceptedCeramic += 1;
        if (result.violation) throw new Error(result.violation);
      }),
      { numRuns: CASES, seed: SEED },
    );
    end = await finishFuzz(target);
    console.log(JSON.stringify({ seed: SEED, accepted, acceptedCeramic, statuses: Object.fromEntries(statuses), maxRssMiB: Math.round(target.maxRssBytes / 2 ** 20) }));
    expect(end.alive).toBe(true);
    expect(end.replayMatches, `replay ${end.replayStateHash} vs node ${end.stateHash}`).toBe(true);
    // The campaign reached every layer: accepted events, and refusals by the parser, the schema,
    // the signature check and the game.
    expect(accepted).toBeGreaterThan(CASES / 50);
    expect(acceptedCeramic, 'Ceramic DAG-JWS events accepted').toBeGreaterThan(0);
    for (const status of ['202', '200', '400', '401', '404', '415', '422']) expect(statuses.get(status) ?? 0, `status ${status}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
  }, 150_000);
});
