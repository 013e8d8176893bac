/** Test fixture: a node on a fresh SQLite directory or PostgreSQL schema, listening on loopback port 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresSchema, requirePostgresForTests } from './postgres-test-url.js';
import { startNode, type RunningNode, type StartNodeOptions } from '../../src/node/run-node.js';
import { testSigner } from './test-community.js';

/**
 * The admin a test node names unless told otherwise: the admin of `makeTestCommunity()` with the
 * default salt. A node refuses to start on an empty store without one (a test that creates its
 * community with another key passes `admin`; a follower names none).
 */
export const TEST_ADMIN = testSigner(0).did;

export type TestNode = RunningNode & { dir: string; cleanup(): Promise<void> };

export async function startTestNode(options: Partial<StartNodeOptions> = {}, backend?: Backend): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-node-'));
  const pg = backend?.name === 'postgres' ? freshPostgresSchema() : undefined;
  const admin = options.follow || options.source ? {} : { admin: TEST_ADMIN };
  const node = await startNode({ dir: join(dir, 'log'), port: 0, host: '127.0.0.1', logger: false, ...admin, ...(pg ? { db: pg.url } : {}), ...options });
  return Object.assign(node, {
    dir,
    cleanup: async () => {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
      await pg?.drop();
    },
  });
}

/** Where a test node keeps its log: SQLite always, PostgreSQL too when HINDSIGHT_TEST_PG is set (required under CI). */
export type Backend = { name: 'sqlite' | 'postgres' };

export function testBackends(suite: string): Backend[] {
  return [{ name: 'sqlite' }, ...(requirePostgresForTests(suite) ? [{ name: 'postgres' as const }] : [])];
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
