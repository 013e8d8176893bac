/**
 * Finds controllers whose updates are larger than the clipping bound, from released group sums
 * alone (secure aggregation hides each update, so the server cannot clip them itself).
 *
 * Groups are re-drawn every round. The contrast of a member's group against the other groups,
 * c = g_own − mean(g_other), contains that member's update with sign +1 every round, while the
 * other members' updates enter with random signs and the noise is fresh. Averaged over the rounds
 * a controller took part in, the contrasts converge to its own mean update; the statistic
 * ‖Σ c‖² / rounds is the noise level (the same for everyone) plus rounds × ‖mean update‖². An
 * update within the clip bound C adds at most rounds × C², far below the noise's spread under
 * client-level DP (that is what the noise is for); a boosted update (a poisoner scaling its update
 * up to matter among many clipped ones) stands out and grows with every round. Scores are robust
 * z-scores against all controllers (median and MAD), since nearly all of them follow the rules.
 *
 * Works on released sums only: post-processing, no privacy cost. What it cannot find is the
 * misbehaviour DP hides by design: a wrong update that respects the clip bound.
 */
import { expectedGot } from '../../core/errors.js';
import { median } from './median.js';

export type ReleasedPart = { readonly members: readonly string[]; readonly sum: Float64Array };

export class OversizeDetector {
  /** One contrast per released group of each observed round. */
  private readonly contrasts: Float64Array[] = [];
  /** For each contrast, the contrast indices of its round (all the groups it was drawn with). */
  private readonly roundOf: number[][] = [];
  /** Per controller, the contrast of its group in each round it took part in. */
  private readonly taken = new Map<string, number[]>();

  constructor(readonly dim: number) {
    if (!(Number.isInteger(dim) && dim > 0)) throw expectedGot('fl.oversize.invalid', 'dim', 'a positive integer', dim);
  }

  /** Adds one round's released group sums (a round with fewer than two parts has no contrast). */
  observe(parts: readonly ReleasedPart[]): void {
    if (parts.length < 2) return;
    for (const part of parts) if (part.sum.length !== this.dim) throw expectedGot('fl.oversize.invalid', 'group sum length', String(this.dim), part.sum.length);
    const total = new Float64Array(this.dim);
    for (const part of parts) for (let i = 0; i < this.dim; i++) total[i] = total[i]! + part.sum[i]!;
    const others = parts.length - 1;
    const indices: number[] = [];
    for (const part of parts) {
      const contrast = new Float64Array(this.dim);
      for (let i = 0; i < this.dim; i++) contrast[i] = part.sum[i]! - (total[i]! - part.sum[i]!) / others;
      const index = this.contrasts.push(contrast) - 1;
      indices.push(index);
      this.roundOf.push(indices);
      for (const id of part.members) {
        const list = this.taken.get(id);
        if (list) list.push(index);
        else this.taken.set(id, [index]);
      }
    }
  }

  /** Robust z-score of each observed controller's statistic (NaN while there is no spread). */
  scores(): Map<string, number> {
    return scoresFrom(gramOf(this.contrasts), this.taken);
  }

  /**
   * Controllers whose score exceeds z, found one at a time (matching pursuit): the highest scorer's
   * mean contrast estimates its update, which is removed from every group it was in before the
   * others are scored again — so controllers that merely shared many of its groups are not blamed.
   */
  oversized(z: number): string[] {
    if (!(z > 0)) throw expectedGot('fl.oversize.invalid', 'z', 'a positive number', z);
    const contrasts = this.contrasts.map((c) => Float64Array.from(c));
    const taken = new Map(this.taken);
    const found: string[] = [];
    for (;;) {
      const scores = scoresFrom(gramOf(contrasts), taken);
      let top: string | undefined;
      for (const [id, score] of scores) if (score > z && (top === undefined || score > scores.get(top)!)) top = id;
      if (top === undefined) return found.sort();
      const own = taken.get(top)!;
      // Controllers that were in exactly the same groups have the same score: nothing can tell which
      // of them sent the update (early rounds, or a group of colluders), so none is blamed yet.
      const key = own.join(',');
      if ([...taken].some(([id, list]) => id !== top && list.join(',') === key)) return found.sort();
      found.push(top);
      taken.delete(top);
      const estimate = new Float64Array(this.dim);
      for (const index of own) for (let i = 0; i < this.dim; i++) estimate[i] = estimate[i]! + contrasts[index]![i]! / own.length;
      for (const index of own) {
        const round = this.roundOf[index]!;
        for (const other of round) {
          const weight = other === index ? 1 : -1 / (round.length - 1);
          const c = contrasts[other]!;
          for (let i = 0; i < this.dim; i++) c[i] = c[i]! - weight * estimate[i]!;
        }
      }
    }
  }
}

function gramOf(contrasts: readonly Float64Array[]): Float64Array[] {
  const n = contrasts.length;
  const gram = Array.from({ length: n }, () => new Float64Array(n));
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const x = contrasts[a]!;
      const y = contrasts[b]!;
      let dot = 0;
      for (let i = 0; i < x.length; i++) dot += x[i]! * y[i]!;
      gram[a]![b] = dot;
      gram[b]![a] = dot;
    }
  }
  return gram;
}

/** ‖Σ own contrasts‖² / rounds per controller, from the Gram matrix, as robust z-scores. */
function scoresFrom(gram: readonly Float64Array[], taken: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  const stats = new Map<string, number>();
  for (const [id, own] of taken) {
    let squared = 0;
    for (const a of own) for (const b of own) squared += gram[a]![b]!;
    stats.set(id, squared / own.length);
  }
  const values = [...stats.values()];
  const centre = values.length >= 3 ? median(values) : Number.NaN;
  const scale = 1.4826 * median(values.map((v) => Math.abs(v - centre)));
  return new Map([...stats].map(([id, v]) => [id, scale > 0 ? (v - centre) / scale : Number.NaN]));
}
