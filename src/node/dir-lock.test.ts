import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertNoNode, LOCK_FILE, readLock, takeLock } from './dir-lock.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A pid that certainly is not running: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('dir lock: one writer per community directory', () => {
  it('a live lock refuses local writes and names --node with the URL; release removes it', () => {
    const dir = mkdtempSync(join(work, 'd-'));
    const release = takeLock(dir, 'http://127.0.0.1:9999', 'leader');
    expect(readLock(dir)).toEqual({ pid: process.pid, url: 'http://127.0.0.1:9999', role: 'leader' });
    expect(() => assertNoNode(dir)).toThrow(/--node http:\/\/127\.0\.0\.1:9999/);
    release();
    expect(readLock(dir)).toBeNull();
    expect(() => assertNoNode(dir)).not.toThrow();
  });

  it('a follower lock refuses local writes too and points at the leader', () => {
    const dir = mkdtempSync(join(work, 'd-'));
    const release = takeLock(dir, 'http://127.0.0.1:9998', 'follower');
    expect(() => assertNoNode(dir)).toThrow(/accepts no writes.*--node <leader-url>/);
    release();
  });

  it('a stale lock (its pid gone) is ignored and taken over; a live one held by another process is not', () => {
    const dir = mkdtempSync(join(work, 'd-'));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), url: 'http://127.0.0.1:1', role: 'leader' }));
    expect(readLock(dir)).toBeNull();
    expect(() => assertNoNode(dir)).not.toThrow();
    const release = takeLock(dir, 'http://127.0.0.1:2', 'leader');
    expect(readLock(dir)?.url).toBe('http://127.0.0.1:2');
    release();
    // pid 1 is always alive (init), and not us.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, url: 'http://127.0.0.1:3', role: 'leader' }));
    expect(() => takeLock(dir, 'http://127.0.0.1:4', 'leader')).toThrow(/locked by pid 1/);
    writeFileSync(join(dir, LOCK_FILE), 'not json');
    expect(readLock(dir)).toBeNull();
  });
});
