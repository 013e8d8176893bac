/** Small statistics the demo reports. Plain floats: these are read-outs, never game state. */
import { expectedGot } from '../core/errors.js';

/** Average ranks (ties share the mean rank), 1-based. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson on average ranks); NaN-free: 0 when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw expectedGot('sim.lengthMismatch', 'spearman b', `${a.length} values, as many as a`, b.length);
  if (a.length < 2) return 0;
  return pearson(ranks(a), ranks(b));
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Running log loss / accuracy over (probabilities, label) pairs. */
export class Score {
  n = 0;
  lossSum = 0;
  hits = 0;

  add(probs: ArrayLike<number>, label: number): void {
    this.n += 1;
    this.lossSum -= Math.log(Math.max(1e-15, probs[label]!));
    let best = 0;
    for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
    if (best === label) this.hits += 1;
  }

  get logLoss(): number | null {
    return this.n ? this.lossSum / this.n : null;
  }

  get accuracy(): number | null {
    return this.n ? this.hits / this.n : null;
  }
}

export const round6 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e6);
