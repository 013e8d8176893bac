import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from './zk.js';
import { runRegistered } from '../../../test/support/cli.js';
import { torchMlp } from '../../../test/support/onnx-models.js';

const run = (args: string[]) => runRegistered(register, args);

afterEach(() => vi.restoreAllMocks());

describe('hindsight model import / zk hash / predict', () => {
  it('imports an ONNX MLP into a model dir, hashes it and predicts with it (JSON last line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-zk-cli-'));
    writeFileSync(join(dir, 'm.onnx'), torchMlp(6, 4, 3, 2));
    writeFileSync(join(dir, 'samples.json'), JSON.stringify([[1, 0, 0, 0, 0, 0], [0, 1, 0, 0.5, 0, -1], [0.3, 0.3, 0.3, 0, 0, 0]]));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ features: [0.2, -0.4, 1, 0, 0.5, 0.1] }));
    const model = join(dir, 'model');
    const imported = await run(['model', 'import', join(dir, 'm.onnx'), '--out', model, '--samples', join(dir, 'samples.json'), '--labels', 'a,b,c', '--json']);
    expect(imported).toMatchObject({ arch: { kind: 'mlp', inputs: 6, hidden: 4, classes: 3 }, samples: 3 });
    expect(JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'))).toMatchObject({ labels: ['a', 'b', 'c'] });
    const hash = await run(['zk', 'hash', '--model', model, '--json']);
    expect(hash.modelHash).toBe(imported.modelHash);
    const pred = await run(['predict', '--model', model, '--input', join(dir, 'x.json'), '--json']);
    expect(pred.modelHash).toBe(imported.modelHash);
    expect(['a', 'b', 'c']).toContain(pred.prediction);
  });

  it('rejects a bad --binding with "expected …, got …"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-zk-cli-'));
    writeFileSync(join(dir, 'm.onnx'), torchMlp(3, 2, 2, 1));
    await run(['model', 'import', join(dir, 'm.onnx'), '--out', dir, '--json']);
    writeFileSync(join(dir, 'x.json'), '[1, 2, 3]');
    await expect(run(['predict', '--model', dir, '--input', join(dir, 'x.json'), '--prove', '--binding', 'weird', '--json'])).rejects.toThrow(/--binding: expected hash, packed or public, got "weird"/);
  });
});
