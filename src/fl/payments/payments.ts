/**
 * Paying data controllers for what their updates are worth (see docs/fl.md, "Federated learning
 * payments").
 *
 * Each round yields observations "removing these members' updates would have raised the operator's
 * validation log-loss by `value`": one per client without secure aggregation (leave-one-out), one per
 * random group with it (the server only ever sees group sums). Client values are the ridge
 * least-squares solution of  value_obs ≈ Σ_{i ∈ members(obs)} c_i  over all rounds — with groups
 * re-drawn every round, this separates clients that always share a group with someone else. The
 * budget is split in proportion to max(0, c_i − z·se_i), the lower confidence bound of the estimate
 * (z = 2): a client whose update does not demonstrably lower the validation loss (noise, poison)
 * gets exactly nothing.
 */
import { expectedGot } from '../../core/errors.js';
import type { Micro } from '../../core/money.js';

export type ContributionObservation = { round: number; members: string[]; value: number };

export type ContributionEstimate = { estimate: number; stderr: number };

/** Ridge least squares c = argmin Σ (v − A c)² + λ‖c‖², solved by Cholesky on the normal equations. */
export function estimateContributions(observations: readonly ContributionObservation[], clients: readonly string[], ridge = 1e-9): Map<string, number> {
  return new Map([...estimateWithErrors(observations, clients, ridge)].map(([id, e]) => [id, e.estimate]));
}

/**
 * Estimates with standard errors: s²·diag((AᵀA + λI)⁻¹), s² the residual variance. The payment rule
 * uses the lower confidence bound estimate − z·stderr, so a client must *demonstrably* help to earn:
 * an update of pure noise has estimate ≈ 0 and earns nothing.
 */
export function estimateWithErrors(observations: readonly ContributionObservation[], clients: readonly string[], ridge = 1e-9): Map<string, ContributionEstimate> {
  const n = clients.length;
  const index = new Map(clients.map((c, k) => [c, k]));
  const rows = observations.map((obs) =>
    obs.members.map((m) => {
      const k = index.get(m);
      if (k === undefined) throw expectedGot('fl.payments.invalid', 'members', 'known client ids', m);
      return k;
    }),
  );
  const appearances = new Float64Array(n);
  for (const ks of rows) for (const k of ks) appearances[k] = appearances[k]! + 1;
  const lambda = ridge * Math.max(1, ...appearances) + 1e-12;
  if (observations.length < n) {
    // More unknowns than observations (many clients, few groups × rounds): the same ridge solution in
    // its dual form, c = Aᵀ(AAᵀ + λI)⁻¹v — a system the size of the observations, not of the clients
    // (1,000 controllers would otherwise cost a 1000×1000 factorization per round). No error estimate.
    const G = rows.map((a) => {
      const inA = new Set(a);
      return Float64Array.from(rows, (b) => b.reduce((s, k) => s + (inA.has(k) ? 1 : 0), 0));
    });
    G.forEach((row, o) => (row[o] = row[o]! + lambda));
    const alpha = choleskySolve(cholesky(G), Float64Array.from(observations, (o) => o.value));
    const c = new Float64Array(n);
    rows.forEach((ks, o) => ks.forEach((k) => (c[k] = c[k]! + alpha[o]!)));
    return new Map(clients.map((id, k) => [id, { estimate: c[k]!, stderr: Number.NaN }]));
  }
  const M = Array.from({ length: n }, () => new Float64Array(n));
  const rhs = new Float64Array(n);
  rows.forEach((ks, o) => {
    for (const a of ks) {
      rhs[a] = rhs[a]! + observations[o]!.value;
      for (const b of ks) M[a]![b] = M[a]![b]! + 1;
    }
  });
  for (let k = 0; k < n; k++) M[k]![k] = M[k]![k]! + lambda;
  const L = cholesky(M);
  const c = choleskySolve(L, rhs);
  // Residual variance and diag(M⁻¹) (column k of M⁻¹ by a triangular solve with e_k).
  let rss = 0;
  rows.forEach((ks, o) => (rss += (observations[o]!.value - ks.reduce((acc, k) => acc + c[k]!, 0)) ** 2));
  const dof = observations.length - n;
  if (dof <= 0) return new Map(clients.map((id, k) => [id, { estimate: c[k]!, stderr: Number.NaN }]));
  const s2 = rss / dof;
  const solveDiag = (k: number): number => {
    const y = new Float64Array(n);
    for (let i = k; i < n; i++) {
      let acc = i === k ? 1 : 0;
      for (let j = k; j < i; j++) acc -= L[i]![j]! * y[j]!;
      y[i] = acc / L[i]![i]!;
    }
    let diag = 0;
    for (let i = k; i < n; i++) diag += y[i]! * y[i]!; // (M⁻¹)_kk = ‖L⁻¹ e_k‖²
    return diag;
  };
  return new Map(clients.map((id, k) => [id, { estimate: c[k]!, stderr: Math.sqrt(s2 * solveDiag(k)) }]));
}

/** Cholesky factor L (M = L Lᵀ) of a symmetric positive definite matrix. */
function cholesky(M: readonly Float64Array[]): Float64Array[] {
  const n = M.length;
  const L = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j]![j]!;
    }
  }
  return L;
}

/** Solves L Lᵀ x = b. */
function choleskySolve(L: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = L.length;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * z[k]!;
    z[i] = s / L[i]![i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k]![i]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}

/**
 * The lower confidence bounds estimate − z·stderr used for payment; the point estimate when the
 * system is under-determined (fewer observations than clients) and no error estimate exists.
 */
export function contributionLowerBounds(observations: readonly ContributionObservation[], clients: readonly string[], z = 2): Map<string, number> {
  return new Map([...estimateWithErrors(observations, clients)].map(([id, e]) => [id, Number.isNaN(e.stderr) ? e.estimate : e.estimate - z * e.stderr]));
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
