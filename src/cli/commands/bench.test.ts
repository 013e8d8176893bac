import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HindsightError } from '../../core/errors.js';
import { benchNames, packageRoot, register } from './bench.js';

describe('hindsight bench finds benches by file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('the package root is the repository (from src/ here, from dist/ after the build)', () => {
    expect(packageRoot()).toBe(resolve('.'));
    expect(existsSync(join(packageRoot(), 'bench', 'bench-types.ts'))).toBe(true);
  });

  it('lists bench/NAME.bench.ts in the order of `bench all`, unknown names after, by name', () => {
    for (const file of ['zeta.bench.ts', 'store.bench.ts', 'alpha.bench.ts', 'fl.bench.ts', 'fl.bench.test.ts', 'bench-types.ts']) writeFileSync(join(dir, file), 'export {};\n');
    expect(benchNames(dir)).toEqual(['fl', 'store', 'alpha', 'zeta']);
    expect(benchNames(join(dir, 'missing'))).toEqual([]);
  });

  it('names the benches it found, and refuses another name with bench.unknown', async () => {
    const program = new Command().exitOverride();
    register(program);
    const found = benchNames();
    expect(found).toContain('withholding');
    expect(program.commands[0]!.description()).toContain(`${found.join(', ')}, or all`);
    const error = await program.parseAsync(['node', 'hindsight', 'bench', 'no-such-bench']).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(HindsightError);
    expect((error as HindsightError).code).toBe('bench.unknown');
    expect((error as HindsightError).message).toContain(found.join(', '));
  });

  it('imports the chosen bench and prints its figures', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'hindsight', 'bench', 'withholding', '--quick', '--json']);
    const figures = JSON.parse(out.join('').trim().split('\n').at(-1)!) as { withholding: unknown[] };
    expect(figures.withholding.length).toBeGreaterThan(0);
  });
});
