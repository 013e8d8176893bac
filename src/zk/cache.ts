import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (src/zk/../..), where the gitignored `.cache/` lives. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Folder for heavy, reproducible artefacts (ptau files, compiled circuits, zkeys). HINDSIGHT_CACHE
 * overrides the default `.cache/hindsight` at the repository root. Created on demand.
 */
export function cacheDir(...parts: string[]): string {
  const base = process.env.HINDSIGHT_CACHE ? resolve(process.env.HINDSIGHT_CACHE) : join(repoRoot, '.cache', 'hindsight');
  const dir = join(base, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** node_modules folder of this package (for circom includes and the circom2 compiler). */
export function nodeModulesDir(): string {
  return join(repoRoot, 'node_modules');
}
