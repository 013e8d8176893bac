/**
 * A PostgreSQL server of a test's own, which the test may stop and start (the shared server of
 * HINDSIGHT_TEST_PG serves other tests and must stay up). scripts/pg-test-server.sh does the work:
 * initdb into a fresh temporary directory (as an unprivileged OS user when run as root, because
 * postgres refuses root), 127.0.0.1 only, a free port.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

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

/** Whether PostgreSQL's server binaries (initdb, pg_ctl) are installed where the script looks. */
export function postgresBinariesPresent(): boolean {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian) && readdirSync(debian).some((version) => existsSync(join(debian, version, 'bin', 'initdb')))) return true;
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'initdb')));
}

/**
 * Call at the top level of a test file that needs a server of its own; returns whether to run.
 * Without the binaries a developer's run leaves the test out with a message; under CI=true it fails.
 */
export function requirePostgresBinaries(suite: string): boolean {
  if (postgresBinariesPresent()) return true;
  if (process.env.CI === 'true') {
    it(`${suite}: PostgreSQL server binaries must be installed under CI`, () => {
      throw new Error('expected initdb and pg_ctl (/usr/lib/postgresql/*/bin or PATH) under CI=true, got none (.ci/run installs them: scripts/pg-test-server.sh install)');
    });
  } else {
    console.warn(`[${suite}] not run: needs PostgreSQL's server binaries (initdb, pg_ctl); install postgresql (scripts/pg-test-server.sh install, as root) to run it`);
    it.skip(`${suite}: needs PostgreSQL's server binaries`, () => {});
  }
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
