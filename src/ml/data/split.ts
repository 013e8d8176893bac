import { ValidationError, describe } from '../../core/errors.js';
import { deriveSeed, makeRng, permutation } from '../rng.js';
import type { Dataset, DatasetItem } from './dataset.js';
import { withItems } from './dataset.js';

/**
 * Deterministic seeded splits. The same dataset, options and seed always give the same items in the
 * same order, on any machine (seeded PRNG, no Math.random).
 */
export type TrainTestOptions = {
  /** Fraction of items in the test split (default 0.2). */
  testFraction?: number;
  seed?: number;
  /** Keep each class's share equal in both splits (default true). */
  stratify?: boolean;
};

export function trainTestSplit(dataset: Dataset, options: TrainTestOptions = {}): { train: Dataset; test: Dataset } {
  const frac = options.testFraction ?? 0.2;
  if (!(frac > 0 && frac < 1)) throw new ValidationError('split.invalid', `testFraction: expected a number in (0, 1), got ${describe(frac)}`, { field: 'testFraction' });
  const seed = deriveSeed(options.seed ?? 1, 'train-test');
  const train: DatasetItem[] = [], test: DatasetItem[] = [];
  if (options.stratify ?? true) {
    const byClass: DatasetItem[][] = dataset.labels.map(() => []);
    for (const item of dataset.items) byClass[item.label].push(item);
    byClass.forEach((items, k) => {
      const perm = permutation(items.length, deriveSeed(seed, `class-${k}`));
      const nTest = Math.round(items.length * frac);
      for (let i = 0; i < perm.length; i++) (i < nTest ? test : train).push(items[perm[i]]);
    });
    // Interleave classes so neither split is sorted by label.
    makeRng(deriveSeed(seed, 'mix-train')).shuffle<DatasetItem, DatasetItem[]>(train);
    makeRng(deriveSeed(seed, 'mix-test')).shuffle<DatasetItem, DatasetItem[]>(test);
  } else {
    const perm = permutation(dataset.items.length, seed);
    const nTest = Math.round(dataset.items.length * frac);
    for (let i = 0; i < perm.length; i++) (i < nTest ? test : train).push(dataset.items[perm[i]]);
  }
  return { train: withItems(dataset, train, `${dataset.name}/train`), test: withItems(dataset, test, `${dataset.name}/test`) };
}

export type RoundSet = {
  round: number;
  /** Positions [start, end) of this round's items in the seeded order of the whole dataset. */
  start: number;
  end: number;
  items: DatasetItem[];
};

export type RoundPlanOptions = {
  rounds: number;
  itemsPerRound: number;
  seed?: number;
  /** Items set aside first as public history available before round 1 (default 0). */
  warmup?: number;
  /** First round number (default 1). */
  firstRound?: number;
};

export type RoundPlan = { warmup: DatasetItem[]; rounds: RoundSet[] };

/**
 * Cuts one seeded shuffle of the dataset into an optional warm-up block (public before round 1) and
 * then consecutive per-round validation sets: round r gets positions
 * warmup + (r−first)·itemsPerRound … + itemsPerRound. Rounds never share items.
 */
export function planRounds(dataset: Dataset, options: RoundPlanOptions): RoundPlan {
  const warmup = options.warmup ?? 0;
  const first = options.firstRound ?? 1;
  const { rounds, itemsPerRound } = options;
  for (const [field, v] of [['rounds', rounds], ['itemsPerRound', itemsPerRound], ['warmup', warmup]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ValidationError('split.invalid', `${field}: expected a non-negative integer, got ${describe(v)}`, { field });
  }
  const need = warmup + rounds * itemsPerRound;
  if (need > dataset.items.length) {
    throw new ValidationError('split.tooSmall', `${dataset.name}: expected at least ${need} items for ${rounds} rounds × ${itemsPerRound} + ${warmup} warm-up, got ${dataset.items.length}`, {
      field: 'items',
      expected: String(need),
      got: String(dataset.items.length),
    });
  }
  const perm = permutation(dataset.items.length, deriveSeed(options.seed ?? 1, 'rounds'));
  const at = (i: number): DatasetItem => dataset.items[perm[i]];
  const warm = Array.from({ length: warmup }, (_, i) => at(i));
  const sets: RoundSet[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = warmup + r * itemsPerRound;
    const end = start + itemsPerRound;
    const items: DatasetItem[] = [];
    for (let i = start; i < end; i++) items.push(at(i));
    sets.push({ round: first + r, start, end, items });
  }
  return { warmup: warm, rounds: sets };
}

/** Streaming form of planRounds: yields round sets one at a time. */
export function* roundStream(dataset: Dataset, options: RoundPlanOptions): Generator<RoundSet> {
  yield* planRounds(dataset, options).rounds;
}
