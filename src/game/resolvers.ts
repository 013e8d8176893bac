/**
 * Label resolvers: turn a committee's valid revealed labels for one item into the
 * final outcome, or null (item voided: tie, no quorum, nothing valid). Pure and integer-only.
 */

export type ResolverItem = { outcomes: number; buckets: number[] | null };
export type Resolver = (values: readonly number[], item: ResolverItem) => number | null;

/** Categorical items resolve by majority, scalar (bucketed) items by median. */
export function resolverFor(item: ResolverItem): Resolver {
  return item.buckets ? median : majority;
}

/** The bucket of a scalar value: the number of boundaries ≤ value. */
export function bucketOf(value: number, buckets: readonly number[]): number {
  let i = 0;
  while (i < buckets.length && buckets[i]! <= value) i++;
  return i;
}

/** The outcome a single revealed value stands for (its bucket for scalar items), or null when out of range. */
export function outcomeOf(value: number, item: ResolverItem): number | null {
  if (item.buckets) return bucketOf(value, item.buckets);
  return Number.isInteger(value) && value >= 0 && value < item.outcomes ? value : null;
}

/** Categorical: the outcome with strictly the most votes; a tie for first voids. Out-of-range votes count for nothing. */
export function majority(values: readonly number[], item: ResolverItem): number | null {
  const counts = new Map<number, number>();
  for (const v of values) {
    const o = outcomeOf(v, item);
    if (o !== null) counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  let best: number | null = null;
  let bestCount = 0;
  let tie = false;
  for (const [o, c] of counts) {
    if (c > bestCount) {
      best = o;
      bestCount = c;
      tie = false;
    } else if (c === bestCount) tie = true;
  }
  return tie ? null : best;
}

/** Scalar: the median value's bucket; with an even count both middle values must fall in one bucket, else void. */
export function median(values: readonly number[], item: ResolverItem): number | null {
  if (values.length === 0 || !item.buckets) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const lo = bucketOf(sorted[Math.floor((sorted.length - 1) / 2)]!, item.buckets);
  const hi = bucketOf(sorted[Math.floor(sorted.length / 2)]!, item.buckets);
  return lo === hi ? lo : null;
}
