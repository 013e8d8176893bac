/**
 * A PostgreSQL server of a test's own, which the test may stop and start (the shared server of
 * HINDSIGHT_TEST_PG serves other tests and must stay up). scripts/pg-test-server.sh does the work:
 * initdb into a fresh temporary directory (as an unprivileged OS user when run as root, because
 * postgres refuses root), 127.0.0.1 only, a free port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { postgresBinariesPresent } from './capabilities.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/pg-test-server.sh', import.meta.url));

export type PgCluster = {
  url: string;
  /** Stops the server, keeping its data: `fast` disconnects everyone cleanly, `immediate` is a crash. */
  down(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port. */
  up(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
};

/**
 * Call at the top level of a test file that needs a server of its own; returns whether to run.
 * vitest.config.ts leaves the file out on a machine without the binaries, so reaching here without
 * them (CI=true) is a failure.
 */
export function requirePostgresBinaries(suite: string): boolean {
  if (postgresBinariesPresent()) return true;
  it(`${suite}: PostgreSQL server binaries must be installed`, () => {
    throw new Error('expected initdb and pg_ctl (/usr/lib/postgresql/*/bin or PATH), got none (.ci/run installs them: scripts/pg-test-server.sh install)');
  });
  return false;
}

function script(dir: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { env: { ...process.env, HINDSIGHT_PG_DIR: dir }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pg-test-server.sh ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-pg-fault-'));
  let url: string;
  try {
    url = await script(dir, 'start');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    down: async (mode) => {
      await script(dir, 'down', mode);
    },
    up: async () => {
      await script(dir, 'up');
    },
    destroy: async () => {
      await script(dir, 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
