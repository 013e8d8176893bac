import { describe, expect, it } from 'vitest';
import { run } from './fl.bench.js';

// Not a timing test: the bench must run and report every variant's figures consistently.
describe('bench fl (quick)', () => {
  it('reports FedAvg, SecAgg, SecAgg+ and SecAgg+ with task keys for 10 clients', async () => {
    const out = (await run({ quick: true })) as Record<string, Record<string, unknown>>;
    const c = out.clients10 as {
      trainMs: number;
      fedavg: { roundMs: number; bytesPerClient: number };
      secagg: { roundMs: number; neighbours: number };
      secaggPlus: { roundMs: number; bytesPerClient: number; neighbours: number };
      secaggPlusTaskKeys: { firstRoundMs: number; roundMs: number; bytesPerClient: number; pairsAgreedPerClient: number };
      roundRatioSecAggPlusTaskKeys: number;
      criticalPath: Record<string, number>;
      dropoutsRecovered: number;
    };
    expect(out.parameters).toBe(4097);
    expect(c.fedavg.bytesPerClient).toBe(17 + 2 * 4097); // HFU1 int16
    expect(c.secagg.neighbours).toBe(9);
    expect(c.secaggPlus.neighbours).toBe(8); // 2⌈log2 10⌉
    // Same messages with kept keys: same bytes; and each client agreed once with each of its 8 neighbours.
    expect(c.secaggPlusTaskKeys.bytesPerClient).toBe(c.secaggPlus.bytesPerClient);
    expect(c.secaggPlusTaskKeys.pairsAgreedPerClient).toBe(8);
    expect(c.dropoutsRecovered).toBe(1);
    for (const ms of [c.trainMs, c.fedavg.roundMs, c.secagg.roundMs, c.secaggPlus.roundMs, c.secaggPlusTaskKeys.firstRoundMs, c.secaggPlusTaskKeys.roundMs]) {
      expect(ms).toBeGreaterThan(0);
      expect(Number.isFinite(ms)).toBe(true);
    }
    expect(c.roundRatioSecAggPlusTaskKeys).toBeGreaterThan(0);
    for (const v of Object.values(c.criticalPath)) expect(Number.isFinite(v)).toBe(true);
  });
});
