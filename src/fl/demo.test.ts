import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('fl demo (small)', () => {
  it('trains with DP + SecAgg, dropouts and a poisoner; prints the issue fields; pays the budget and not the poisoner', async () => {
    const { details, ...summary } = await runDemo({ clients: 20, rounds: 4, dataFraction: 0.3, buckets: 1024, seed: 2, paymentGroups: 2 });
    expect(Object.keys(summary).sort()).toEqual(['accuracy', 'baselineAccuracy', 'clients', 'delta', 'dropouts', 'epsilon', 'payments', 'secureAggregation'].sort());
    expect(summary.clients).toBe(20);
    expect(summary.secureAggregation).toBe(true);
    expect(summary.delta).toBe(1e-5);
    expect(summary.epsilon).toBeLessThanOrEqual(10);
    expect(summary.epsilon).toBeGreaterThan(1);
    expect(summary.dropouts).toBeGreaterThan(0);
    expect(summary.accuracy).toBeGreaterThan(0.5); // 20 clients under client-level DP: far from the baseline (see docs/fl.md)
    expect(summary.baselineAccuracy).toBeGreaterThan(0.9);
    expect(summary.payments).toHaveLength(20);
    expect(summary.payments.every((p) => p.did.startsWith('did:key:z') && p.amount >= 0n)).toBe(true);
    const total = summary.payments.reduce((s, p) => s + p.amount, 0n);
    expect(total === 1000_000_000n || total === 0n).toBe(true);
    expect(summary.payments.find((p) => p.did === details.poisoner)!.amount).toBe(0n);
  });
});
