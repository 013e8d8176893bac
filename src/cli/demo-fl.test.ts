/**
 * `demo --fl` in a small configuration: four controller processes over a node train a federated
 * logistic regression with distributed DP and secure aggregation, then the model trades in the demo
 * market. Checks the `fl` block: ε at the target, the escrow accounting, the federated line in the
 * market, and that its accuracy is near the centrally trained model's (loosely: four shards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../node/run-node.js';
import { flData, runFlDemo } from '../sim/demo-fl.js';
import { loadDemoDataset, planDemo } from '../sim/demo-data.js';
import { ValidationError } from '../core/errors.js';
import { gaussianNoiseMultiplierFor } from '../fl/privacy/gaussian-dp.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-demo-fl-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const start = (o: { dir: string; admin: string }) => startNode({ dir: o.dir, admin: o.admin, port: 0, host: '127.0.0.1', logger: false });

describe('demo --fl', () => {
  it('trains over controller processes with DP and SecAgg, pays from escrow, and trades the federated model', async () => {
    const result = await runFlDemo({ out: join(work, 'demo'), rounds: 1, items: 12, seed: 3, report: false, startNode: start, fl: { controllers: 4, shard: 40, flRounds: 2, localEpochs: 2, epsilon: 1000, server: 'fedadam' } });
    const { fl } = result.summary;
    expect(fl.controllers).toBe(4);
    expect(fl.rounds).toBe(2);
    expect(fl.epsilon).toBeGreaterThan(999);
    expect(fl.epsilon).toBeLessThanOrEqual(1000);
    expect(fl.delta).toBe(1e-5);
    expect(fl).toMatchObject({ server: 'fedadam', serverLearningRate: 0.3, centralEpochs: 4, groups: 1, publicEpochs: 6 });
    // Four members in one group: the floor is two survivors (three key senders, threshold two), and
    // ε is that of such a sum.
    expect(fl.minSurvivors).toBe(2);
    expect(fl.noiseMultiplier).toBeGreaterThanOrEqual(gaussianNoiseMultiplierFor({ epsilon: 1000, delta: 1e-5, steps: 2 }) - 1e-6);
    expect(fl.publicAccuracy).toBeGreaterThan(0.72);
    expect(fl.paid).toBeGreaterThanOrEqual(0);
    expect(fl.paid).toBeLessThanOrEqual(fl.budget);
    // Better than always answering "ham" (about 70 % of the corpus), and not far below the central model.
    expect(fl.accuracy).toBeGreaterThan(0.72);
    expect(fl.centralAccuracy - fl.accuracy).toBeLessThan(0.2);
    // The traded model is the released one Platt-scaled on the operator's validation slice: same direction, a positive scale.
    expect(fl.calibration.scale).toBeGreaterThan(0);
    expect(Number.isFinite(fl.calibration.intercept)).toBe(true);
    expect(fl.accuracyUncalibrated).toBeGreaterThan(0.5);
    expect(fl.centralCalibratedAccuracy).toBeGreaterThan(0.72);
    const line = result.summary.models.find((m) => m.name === 'federated-logreg')!;
    expect(line).toBeDefined();
    expect(fl.pnl).toBe(line.pnl);
    expect(fl.logLoss).not.toBeNull();
    expect(result.summary.conservation).toBe(true);
  }, 90_000);

  it('trains, validates and tests on emails the market never shows; starts from its public bootstrap', () => {
    const data = flData({ out: work, seed: 2 }, 20, 40, 2);
    const market = planDemo(loadDemoDataset(undefined), { rounds: 6, itemsPerRound: 150, seed: 2, bootstrap: 1000 });
    const text = (input: unknown) => (input as { text: string }).text;
    expect(data.bootstrap.map((e) => e.text)).toEqual(market.bootstrap.map((e) => text(e.input)));
    const shown = new Set([...data.bootstrap.map((e) => e.text), ...market.rounds.flatMap((r) => r.items.map((it) => text(it.input)))]);
    const own = [...data.shards.flat(), ...data.validation, ...data.test];
    expect(own.filter((e) => shown.has(e.text))).toEqual([]);
    expect(new Set(own.map((e) => e.text)).size).toBe(own.length);
    expect(data.shards.map((s) => s.length)).toEqual(Array(20).fill(40));
  });

  it('refuses a bad option before starting anything', async () => {
    const started: string[] = [];
    const spy = async (o: { dir: string; admin: string }) => {
      started.push(o.dir);
      return start(o);
    };
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { controllers: 2 } })).rejects.toThrow(/--fl-controllers: expected an integer in 3\.\.200, got 2/);
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { epsilon: -1 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { controllers: 5, groups: 2 } })).rejects.toThrow(/--fl-groups: expected an integer in 1\.\.1, got 2/);
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { publicEpochs: -1 } })).rejects.toThrow(/--fl-public-epochs: expected an integer in 0\.\.100, got -1/);
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { server: 'fedsgd' as 'fedavg' } })).rejects.toThrow(/--fl-server: expected fedavg or fedadam, got fedsgd/);
    await expect(runFlDemo({ out: join(work, 'bad'), startNode: spy, fl: { server: 'fedadam', serverLearningRate: 0 } })).rejects.toThrow(/--fl-server-lr: expected a positive step up to 100, got 0/);
    expect(started).toEqual([]);
  });
});
