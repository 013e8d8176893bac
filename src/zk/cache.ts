import { linkSync, mkdirSync, rmSync } from 'node:fs';
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

/**
 * Moves a finished temporary file to `path` unless another process got there first, in which case
 * the temporary file is dropped and false is returned. For artefacts drawn with fresh randomness (a
 * development ptau, a zkey and its key), first-writer-wins keeps every process that shares the
 * cache on the same bytes: a later writer replacing the file would leave keys already handed out
 * (a published verification key) pointing at a setup nobody can prove for any more.
 */
export function publishOnce(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}
