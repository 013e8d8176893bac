import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What `npm run build` puts in dist/ must run after `npm ci --omit=dev`, and benches and test
 * harnesses stay out of it. The build compiles each file of src/ except tests one to one
 * (tsconfig.build.json), so scanning those sources is the same as scanning dist/, without a build:
 * none may import a devDependency (a runtime import would fail without it, a type-only one would
 * fail the build) or anything under bench/ or test/ (which the build does not compile).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
const devDependencies = new Set(Object.keys(manifest.devDependencies ?? {}));

/** The package a bare specifier names ('@scope/name/sub' → '@scope/name', 'name/sub' → 'name'), or null for relative, absolute and node: ones. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || /^[a-z]+:/.test(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every module specifier a file names: imports and re-exports (type-only too), import() and require() with literal arguments. */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** What is wrong with the imports of `file` (absolute path), given its text. */
function problemsOf(file: string, source: string): string[] {
  const problems: string[] = [];
  for (const specifier of specifiersOf(source)) {
    const name = packageOf(specifier);
    if (name !== null) {
      if (devDependencies.has(name) || name.startsWith('@types/')) problems.push(`imports devDependency ${specifier}`);
      continue;
    }
    if (!specifier.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), specifier));
    const top = target.split(sep)[0];
    if (top === 'bench' || top === 'test') problems.push(`imports ${specifier} (${target}), which the build does not compile`);
  }
  return problems;
}

/** The files tsconfig.build.json compiles: src/**\/*.ts except *.test.ts. */
function builtSources(): string[] {
  return readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

describe('dist/ needs no devDependency, bench/ or test/', () => {
  it('the build compiles src/ only, without tests (what the scan below assumes)', () => {
    const { config, error } = ts.readConfigFile(join(root, 'tsconfig.build.json'), ts.sys.readFile);
    expect(error).toBeUndefined();
    expect(config.include).toEqual(['src/**/*.ts']);
    expect(config.exclude).toEqual(['src/**/*.test.ts']);
    expect(config.compilerOptions.rootDir).toBe('src');
  });

  it('no source the build compiles imports a devDependency or anything under bench/ or test/', () => {
    const files = builtSources();
    expect(files.length).toBeGreaterThan(50);
    const problems = files.flatMap((file) => problemsOf(file, readFileSync(file, 'utf8')).map((p) => `${relative(root, file)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the scan sees every kind of import', () => {
    const file = join(root, 'src', 'cli', 'x.ts');
    const source = [
      "import { it } from 'vitest';",
      "import type { Arbitrary } from 'fast-check';",
      "export { x } from '../../bench/support/store-bench.js';",
      "const h = await import('../../test/support/harness.js');",
      "const t = require('typescript');",
      "import '@types/node';",
      "import { z } from 'zod';",
      "import { join } from 'node:path';",
      "import { UNIT } from '../core/money.js';",
    ].join('\n');
    expect(problemsOf(file, source)).toEqual([
      'imports devDependency vitest',
      'imports devDependency fast-check',
      `imports ../../bench/support/store-bench.js (${join('bench', 'support', 'store-bench.js')}), which the build does not compile`,
      `imports ../../test/support/harness.js (${join('test', 'support', 'harness.js')}), which the build does not compile`,
      'imports devDependency typescript',
      'imports devDependency @types/node',
    ]);
  });
});
