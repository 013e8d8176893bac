import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const IRIS = resolve('data/iris.jsonl');
const work = mkdtempSync(join(tmpdir(), 'hindsight-ml-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function hs(...args: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: work });
    return { code: 0, json: JSON.parse(stdout.trim().split('\n').pop()!), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: JSON.parse(e.stdout.trim().split('\n').pop() || '{}'), stderr: e.stderr };
  }
}

describe('hindsight ml', { timeout: 120_000 }, () => {
  it('trains a K = 3 model into an artifact and predicts with its fixed-point model', async () => {
    const train = await hs('ml', 'train', '--dataset', IRIS, '--family', 'logreg', '--epochs', '40', '--out', 'iris.json', '--json');
    expect(train.code).toBe(0);
    expect(train.json.hash).toMatch(/^0x[0-9a-f]{64}$/);
    // the hash `ml train` prints is the one `zk hash` (and every proof of the model) carries
    expect((await hs('zk', 'hash', '--model', 'iris.json', '--json')).json.modelHash).toBe(train.json.hash);
    expect((train.json.fixed as { accuracy: number }).accuracy).toBeGreaterThan(0.8);
    expect(train.json.agreement).toBeGreaterThan(0.95);
    const pred = await hs('ml', 'predict', '--model', 'iris.json', '--features', '6.7,3.0,5.2,2.3', '--json');
    expect(pred.code).toBe(0);
    expect(pred.json.hash).toBe(train.json.hash);
    expect(pred.json.label).toBe('virginica');
    const probs = Object.values(pred.json.probabilities as Record<string, number>);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  });

  it('stops on a malformed dataset line with file:line and a non-zero exit', async () => {
    const bad = join(work, 'bad.jsonl');
    writeFileSync(bad, '{"features":[1,2],"label":"a"}\n{"features":[1],"label":"b"}\n');
    const res = await hs('ml', 'train', '--dataset', bad, '--json');
    expect(res.code).not.toBe(0);
    expect(res.json.error).toBe('dataset.lineInvalid');
    expect(res.stderr).toContain(`${bad}:2: features: expected length 2`);
  });
});
