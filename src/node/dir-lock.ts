import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../core/errors.js';

/**
 * One writer per community directory: a running node writes `node.lock` (its pid, URL and role)
 * into the directory it serves. A local write command on that directory would append to the log
 * behind the node's back (the node would never see it and the community would fork), so the CLI
 * refuses it and names `--node <url>` instead. A lock whose pid is no longer alive (a crash) is
 * stale and is taken over.
 */
export type DirLock = { pid: number; url: string; role: 'leader' | 'follower' };

export const LOCK_FILE = 'node.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live lock on `dir`, or null when there is none or its process is gone. */
export function readLock(dir: string): DirLock | null {
  const file = join(dir, LOCK_FILE);
  if (!existsSync(file)) return null;
  let lock: DirLock;
  try {
    lock = JSON.parse(readFileSync(file, 'utf8')) as DirLock;
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(lock.pid) || lock.pid <= 0 || !alive(lock.pid)) return null;
  return lock;
}

/** Takes the lock for this process (a stale one is replaced); refused while another live process holds it. */
export function takeLock(dir: string, url: string, role: DirLock['role']): () => void {
  const held = readLock(dir);
  if (held && held.pid !== process.pid) {
    throw new ValidationError('node.dirLocked', `${dir}: expected a directory no running node serves, got one locked by pid ${held.pid} serving ${held.url}`, { field: 'dir' });
  }
  const file = join(dir, LOCK_FILE);
  writeFileSync(file, JSON.stringify({ pid: process.pid, url, role } satisfies DirLock));
  return () => {
    const now = readLock(dir);
    if (now?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** Refuses a local write on a directory a running node owns, naming the way that works. */
export function assertNoNode(dir: string): void {
  const held = readLock(dir);
  if (!held) return;
  const how = held.role === 'follower' ? `it follows a leader and accepts no writes; send the write to the leader with --node <leader-url>` : `send it through the node with --node ${held.url}`;
  throw new ValidationError('cli.nodeOwnsDir', `${dir}: expected a directory no running node serves, got one served by pid ${held.pid} at ${held.url}; ${how}`, { field: 'dir', url: held.url });
}
