/**
 * Paying data controllers for what their updates are worth (see docs/fl.md, "Federated learning
 * payments").
 *
 * Each round yields observations "removing these members' updates would have raised the operator's
 * validation log-loss by `value`": one per client without secure aggregation (leave-one-out), one per
 * random group with it (the server only ever sees group sums). Client values are the ridge
 * least-squares solution of  value_obs ≈ Σ_{i ∈ members(obs)} c_i  over all rounds — with groups
 * re-drawn every round, this separates clients that always share a group with someone else. The
 * budget is split in proportion to max(0, c_i − floor): a client whose update does not lower the
 * validation loss (noise, poison) gets exactly nothing.
 */
import { expectedGot } from '../core/errors.js';
import type { Micro } from '../core/money.js';

export type ContributionObservation = { round: number; members: string[]; value: number };

/** Ridge least squares c = argmin Σ (v − A c)² + λ‖c‖², solved by Cholesky on the normal equations. */
export function estimateContributions(observations: readonly ContributionObservation[], clients: readonly string[], ridge = 1e-9): Map<string, number> {
  const n = clients.length;
  const index = new Map(clients.map((c, k) => [c, k]));
  const M = Array.from({ length: n }, () => new Float64Array(n));
  const rhs = new Float64Array(n);
  for (const obs of observations) {
    const ks = obs.members.map((m) => {
      const k = index.get(m);
      if (k === undefined) throw expectedGot('fl.payments.invalid', 'members', 'known client ids', m);
      return k;
    });
    for (const a of ks) {
      rhs[a] = rhs[a]! + obs.value;
      for (const b of ks) M[a]![b] = M[a]![b]! + 1;
    }
  }
  const scale = Math.max(1, ...M.map((row, k) => row[k]!));
  for (let k = 0; k < n; k++) M[k]![k] = M[k]![k]! + ridge * scale + 1e-12;
  // Cholesky: M = L Lᵀ
  const L = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j]![j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = rhs[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * z[k]!;
    z[i] = s / L[i]![i]!;
  }
  const c = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k]![i]! * c[k]!;
    c[i] = s / L[i]![i]!;
  }
  return new Map(clients.map((id, k) => [id, c[k]!]));
}

export type Payment = { id: string; amount: Micro; contribution: number };

/**
 * Splits `budget` micro-units in proportion to max(0, contribution − floor), exactly (largest
 * remainder, ties to the earlier id), so amounts sum to the budget unless nobody earned anything.
 */
export function allocatePayments(budget: Micro, contributions: ReadonlyMap<string, number>, floor = 0): Payment[] {
  if (budget < 0n) throw expectedGot('fl.payments.invalid', 'budget', 'a non-negative amount', budget);
  const ids = [...contributions.keys()].sort();
  const merit = ids.map((id) => Math.max(0, contributions.get(id)! - floor));
  const total = merit.reduce((s, m) => s + m, 0);
  if (!(total > 0)) return ids.map((id) => ({ id, amount: 0n, contribution: contributions.get(id)! }));
  const maxMerit = Math.max(...merit);
  const weights = merit.map((m) => BigInt(Math.round((m / maxMerit) * 2 ** 40)));
  const totalWeight = weights.reduce((s, w) => s + w, 0n);
  const amounts = weights.map((w) => (budget * w) / totalWeight);
  let left = budget - amounts.reduce((s, a) => s + a, 0n); // 0 ≤ left < number of earners
  const order = weights
    .map((w, k) => ({ k, rem: (budget * w) % totalWeight }))
    .filter(({ k }) => weights[k]! > 0n)
    .sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.k - b.k));
  for (let r = 0; left > 0n; r++, left--) amounts[order[r]!.k]! += 1n;
  return ids.map((id, k) => ({ id, amount: amounts[k]!, contribution: contributions.get(id)! }));
}
