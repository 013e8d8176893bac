import { CopycatStrategy } from './copycat.js';
import { MlStrategy, type MlRecipe } from './ml-strategy.js';
import type { ModelStrategy } from '../operator-strategy.js';

export { MlStrategy, type MlRecipe } from './ml-strategy.js';
export { CopycatStrategy } from './copycat.js';

/**
 * The example operators, from best to worst by design (the demo measures the actual order):
 * more features, more data and a calibrated loss make a better model; the last one is data-poor
 * and overconfident on purpose.
 */
export const EXAMPLE_RECIPES: readonly MlRecipe[] = [
  { name: 'logreg-bigrams', family: 'logreg', buckets: 1 << 16, ngrams: [1, 2], epochs: 6 },
  { name: 'mlp-16', family: 'mlp', buckets: 1 << 14, ngrams: [1], hidden: 16, epochs: 8, trainFraction: 0.6 },
  { name: 'logreg-small', family: 'logreg', buckets: 1 << 10, ngrams: [1], trainFraction: 0.3 },
  { name: 'naive-bayes', family: 'naive-bayes', buckets: 1 << 8, ngrams: [1], transform: 'binary', trainFraction: 0.3 },
  { name: 'noisy-tiny', family: 'logreg', buckets: 1 << 6, ngrams: [1], trainFraction: 0.1, sharpen: 4 },
];

/** Example strategies plus a copycat of the first; `hashOf(name, round)` tells the copycat what to look for. */
export function exampleStrategies(hashOf: (name: string, round: number) => string | undefined, recipes: readonly MlRecipe[] = EXAMPLE_RECIPES): ModelStrategy[] {
  const models = recipes.map((r) => new MlStrategy(r));
  const target = recipes[0]!.name;
  return [...models, new CopycatStrategy(target, (round) => hashOf(target, round))];
}
