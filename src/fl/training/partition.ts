/**
 * Non-IID partitions for federated simulations: each class's items are spread over the clients in
 * Dirichlet(α) proportions (Hsu et al. 2019) — small α gives clients dominated by one label and very
 * different sizes. Every client gets at least `minPerClient` items.
 */
import { expectedGot } from '../../core/errors.js';
import type { Rng } from '../../ml/rng.js';

/** Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost). */
export function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(rng.next() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng.next();
    if (Math.log(u || Number.MIN_VALUE) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Indices 0..labels.length−1 split into `clients` shards. */
export function dirichletSplit(labels: ArrayLike<number>, clients: number, alpha: number, rng: Rng, minPerClient = 2): number[][] {
  if (!(Number.isInteger(clients) && clients >= 1)) throw expectedGot('fl.partition.invalid', 'clients', 'a positive integer', clients);
  if (!(alpha > 0)) throw expectedGot('fl.partition.invalid', 'alpha', 'a positive number', alpha);
  if (labels.length < clients * minPerClient) throw expectedGot('fl.partition.invalid', 'items', `at least ${clients * minPerClient}`, labels.length);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const shards: number[][] = Array.from({ length: clients }, () => []);
  for (const items of [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v)) {
    rng.shuffle(items);
    const weights = Array.from({ length: clients }, () => gamma(alpha, rng));
    const total = weights.reduce((s, w) => s + w, 0);
    let start = 0;
    weights.forEach((w, k) => {
      const end = k === clients - 1 ? items.length : Math.min(items.length, start + Math.round((w / total) * items.length));
      shards[k]!.push(...items.slice(start, end));
      start = end;
    });
  }
  // Top up tiny shards from the largest so every client can train.
  for (const shard of shards) {
    while (shard.length < minPerClient) {
      const largest = shards.reduce((a, b) => (b.length > a.length ? b : a));
      shard.push(largest.pop()!);
    }
  }
  return shards;
}
