import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `--node URL` keeps its verified copy of a node's log between commands: one directory per
 * (node URL, community genesis) under the user's cache dir ($XDG_CACHE_HOME or ~/.cache), so the
 * next command pulls only the events after the last one it saw. `meta.json` records the node's
 * seq and that event's CID at the end of the last pull: the continuity check of the next one.
 */
export type CacheMeta = { url: string; genesis: string; seq: number; cid: string | null };

export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hindsight', 'nodes');
}

export function nodeCacheDir(url: string, genesis: string): string {
  const key = createHash('sha256').update(`${normalUrl(url)}\n${genesis}`).digest('hex').slice(0, 24);
  return join(cacheRoot(), key);
}

/** The same node however its URL is typed (trailing slash, case of the host). */
export function normalUrl(url: string): string {
  try {
    return new URL(url).toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

export function readMeta(dir: string): CacheMeta | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    return Number.isInteger(meta.seq) && meta.seq >= 0 ? meta : null;
  } catch {
    return null;
  }
}

export function writeMeta(dir: string, meta: CacheMeta): void {
  const tmp = join(dir, `meta.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(meta));
  renameSync(tmp, join(dir, 'meta.json'));
}

/** Empties the cache directory (a diverged or broken copy): the next pull starts from seq 0. */
export function wipe(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * One command at a time per cached copy (its SQLite store has one writer): takes `<dir>.lock`
 * holding this pid, or returns null when a live process holds it (the caller then works on a
 * throwaway copy). A lock whose pid is gone is stale (a command killed mid-pull) and taken over.
 */
export function lockCache(dir: string): (() => void) | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (alive(Number(readFileSync(lock, 'utf8').trim()))) return null;
      rmSync(lock, { force: true });
    }
  }
  return null;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
