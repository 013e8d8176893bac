/**
 * A small tmpfs for disk-full tests: a directory with a hard size limit, mounted for the test and
 * removed after. Mounting needs root (CI runs as root); elsewhere vitest.config.ts leaves the tests
 * out with a message, and under CI=true a missing capability fails them.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { canMountTmpfs } from './capabilities.js';

/** Call at the top level of a test file; returns whether the disk-full tests can run here. */
export function requireTmpfsMount(suite: string): boolean {
  if (canMountTmpfs()) return true;
  // vitest.config.ts leaves this file out when not root, so reaching here (CI=true) is a failure.
  it(`${suite}: must run as root (it mounts a tmpfs)`, () => {
    throw new Error(`expected to run as root to mount a tmpfs, got uid ${process.getuid?.()}`);
  });
  return false;
}

export type Tmpfs = { dir: string; unmount(): void };

export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mount -t tmpfs on ${dir}: ${(error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message}`);
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `file` until the file system says ENOSPC; returns the bytes written. */
export function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last partial block: fill byte by byte-ish so not even a page is left.
  const small = Buffer.alloc(512, 0x5a);
  const again = openSync(file, 'a');
  try {
    for (;;) written += writeSync(again, small);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(again);
  }
  return written;
}
