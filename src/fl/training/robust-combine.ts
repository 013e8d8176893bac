/**
 * Coordinate-wise robust combination of the group sums of one round. Under secure aggregation the
 * server cannot clip a client's update, so a client that ignores the clipping rule can move some
 * coordinates far more than any honest one. The groups of a round are random splits of one cohort:
 * per coordinate, honest group sums differ only by their noise and by which members they drew, so a
 * group that departs from the others by many robust standard deviations carries an outsized
 * contribution. On such a coordinate the total keeps only the groups that agree (scaled back up to
 * all groups); with two groups there is no majority, and the coordinate is not moved this round.
 *
 * Works on released sums only, so it is post-processing: no privacy cost.
 */
import { expectedGot } from '../../core/errors.js';
import { median } from './median.js';

export type RobustCombination = { sum: Float64Array; flagged: number; scale: number };

/**
 * Combines `sums` (one per group, equal lengths). The scale is 1.4826 × the median absolute deviation
 * of every group's value from its coordinate's median (the std of the noise when most coordinates
 * carry little else); a coordinate is flagged when some group is more than z scales away.
 */
export function robustCombine(sums: readonly Float64Array[], z: number): RobustCombination {
  if (sums.length === 0) throw expectedGot('fl.robust.invalid', 'group sums', 'at least one', 0);
  if (!(z > 0)) throw expectedGot('fl.robust.invalid', 'z', 'a positive number', z);
  const dim = sums[0]!.length;
  for (const s of sums) if (s.length !== dim) throw expectedGot('fl.robust.invalid', 'group sum length', String(dim), s.length);
  const groups = sums.length;
  const sum = new Float64Array(dim);
  for (const s of sums) for (let i = 0; i < dim; i++) sum[i] = sum[i]! + s[i]!;
  if (groups < 2) return { sum, flagged: 0, scale: Number.NaN };
  const centre = new Float64Array(dim);
  const column = new Float64Array(groups);
  const deviations = new Float64Array(dim * groups);
  for (let i = 0; i < dim; i++) {
    for (let g = 0; g < groups; g++) column[g] = sums[g]![i]!;
    centre[i] = median(column);
    for (let g = 0; g < groups; g++) deviations[i * groups + g] = Math.abs(column[g]! - centre[i]!);
  }
  const scale = 1.4826 * median(deviations);
  if (!(scale > 0)) return { sum, flagged: 0, scale }; // no spread to measure against (e.g. no noise and identical groups)
  const limit = z * scale;
  let flagged = 0;
  for (let i = 0; i < dim; i++) {
    let kept = 0;
    let keptSum = 0;
    for (let g = 0; g < groups; g++) {
      if (deviations[i * groups + g]! <= limit) {
        kept++;
        keptSum += sums[g]![i]!;
      }
    }
    if (kept === groups) continue;
    flagged++;
    sum[i] = kept === 0 ? 0 : (keptSum * groups) / kept;
  }
  return { sum, flagged, scale };
}
