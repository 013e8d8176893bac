import { expectedGot } from '../core/errors.js';
import { deriveSeed, makeRng } from './rng.js';

/**
 * Ways to make a deliberately worse model (the demo needs several of clearly different quality):
 * flip a fraction of training labels, or keep only some rows. Both seeded and deterministic.
 */

/** Copy of y where each label, with probability `rate`, becomes a uniformly drawn *other* class. */
export function withLabelNoise(y: ArrayLike<number>, rate: number, classes: number, seed: number): Int32Array {
  if (!(rate >= 0 && rate <= 1)) throw expectedGot('ml.badRate', 'rate', 'a number in [0, 1]', rate);
  const rng = makeRng(deriveSeed(seed, 'label-noise'));
  const out = Int32Array.from(y);
  for (let i = 0; i < out.length; i++) {
    if (rng.next() < rate) {
      const other = rng.int(classes - 1);
      out[i] = other >= out[i] ? other + 1 : other;
    }
  }
  return out;
}
