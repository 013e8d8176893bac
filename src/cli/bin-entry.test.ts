import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * bin/hindsight in a miniature checkout whose source and build say which one ran: the build only
 * while it is newer than every source file, the source (through tsx) otherwise or when asked.
 */
describe('bin/hindsight chooses between dist/ and the TypeScript source', () => {
  const root = mkdtempSync(join(tmpdir(), 'hindsight-bin-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  copyFileSync(resolve('bin/hindsight'), join(root, 'bin', 'hindsight'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  const source = join(root, 'src', 'cli', 'main.ts');
  const built = join(root, 'dist', 'cli', 'main.js');
  writeFileSync(source, "export async function main(argv: string[]): Promise<void> { console.log('source', argv.slice(2).join(' ')); }\n");
  writeFileSync(built, "export async function main(argv) { console.log('dist', argv.slice(2).join(' ')); }\n");
  const run = (env: Record<string, string> = {}) => execFileSync('node', [join(root, 'bin', 'hindsight'), 'a', 'b'], { env: { ...process.env, ...env } }).toString().trim();
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  it('runs the build when it is newer than every source file, passing the arguments on', () => {
    at(source, 1_000_000);
    at(built, 2_000_000);
    expect(run()).toBe('dist a b');
    const test = join(root, 'src', 'cli', 'main.test.ts'); // tests are not built: no reason to fall back
    writeFileSync(test, 'export {};\n');
    at(test, 3_000_000);
    expect(run()).toBe('dist a b');
  });

  it('runs the source when any source file is newer than the build, or when HINDSIGHT_FROM_SOURCE is set', () => {
    at(built, 2_000_000);
    expect(run({ HINDSIGHT_FROM_SOURCE: '1' })).toBe('source a b');
    const deeper = join(root, 'src', 'cli', 'more.ts');
    writeFileSync(deeper, 'export {};\n');
    at(deeper, 3_000_000);
    expect(run()).toBe('source a b');
    rmSync(deeper);
    rmSync(built);
    expect(run()).toBe('source a b');
  });
});
