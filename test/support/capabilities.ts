/**
 * What the machine can do for the fault tests, asked by vitest.config.ts (which leaves a test out,
 * with a message, on a developer's machine that lacks it) and by the tests themselves (which fail
 * when it is missing under CI=true, where nothing is left out).
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether PostgreSQL's server binaries (initdb, pg_ctl) are installed where the script looks. */
export function postgresBinariesPresent(): boolean {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian) && readdirSync(debian).some((version) => existsSync(join(debian, version, 'bin', 'initdb')))) return true;
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'initdb')));
}

/** Mounting a tmpfs needs root. */
export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

/** The dashboard's browser tests drive Debian's chromium (apt-get install chromium). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM_PATH);
}
