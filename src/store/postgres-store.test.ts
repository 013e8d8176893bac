import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import type { PostgresEventStore } from './postgres-store.js';
import { freshPostgresSchema, requirePostgresForTests } from '../../test/support/postgres-test-url.js';
import { parsePostgresUrl, redactUrl } from './postgres-url.js';
import { describeStoreContract } from '../../test/support/store-contract.js';
import { makeTestEvent } from '../../test/support/test-events.js';

describe('postgres URL parsing', () => {
  it('takes the schema parameter and keeps the rest for pg', () => {
    const location = parsePostgresUrl('postgres://u:secret@h:5433/db?schema=community_a&sslmode=disable');
    expect(location.schema).toBe('community_a');
    expect(location.connectionString).toBe('postgres://u:secret@h:5433/db?sslmode=disable');
    expect(location.redacted).not.toContain('secret');
    expect(parsePostgresUrl('postgresql://h/db').schema).toBe('public');
    expect(() => parsePostgresUrl('postgres://h/db?schema=Bad-Name')).toThrow(/schema: expected a lowercase SQL identifier/);
    expect(redactUrl('postgres://u:p@h/db')).toBe('postgres://u:***@h/db');
  });
});

if (requirePostgresForTests('postgres store')) {
  describeStoreContract(
    'postgres',
    async () => {
      const { url, drop } = freshPostgresSchema();
      return { open: () => openStore({ db: url }), drop };
    },
    { propertyRuns: 10 },
  );

  describe('postgres specifics', () => {
    it('reports an unreachable server as store.openFailed without leaking the password', async () => {
      const error = await openStore({ db: 'postgres://u:hunter2@127.0.0.1:1/none' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'store.openFailed' });
      expect(String((error as Error).message)).not.toContain('hunter2');
    });

    it('re-LISTENs after its notification connection is killed and reports the head it missed', async () => {
      const { url, drop } = freshPostgresSchema();
      const [writer, reader] = [await openStore({ db: url }), await openStore({ db: url })];
      const admin = new pg.Client({ connectionString: process.env.HINDSIGHT_TEST_PG });
      await admin.connect();
      try {
        const heads: number[] = [];
        reader.onAppend((head) => heads.push(head));
        await (reader as PostgresEventStore).listening();
        const channel = new URL(url).searchParams.get('schema');
        const killed = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()",
          [`LISTEN "hindsight_${channel}"`],
        );
        expect(killed.rowCount).toBe(1);
        // Written while the listener is down: its NOTIFY is lost, the reconnect must make up for it.
        await writer.append([makeTestEvent(1), makeTestEvent(2)]);
        for (let waited = 0; !heads.includes(2) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
        expect(heads).toContain(2);
        await writer.append([makeTestEvent(3)]);
        for (let waited = 0; !heads.includes(3) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
        expect(heads).toContain(3);
      } finally {
        await admin.end();
        await Promise.all([writer.close(), reader.close()]);
        await drop();
      }
    });

    it('refuses a log written by a newer schema version, leaving it untouched', async () => {
      const { url, drop } = freshPostgresSchema();
      const admin = new pg.Client({ connectionString: process.env.HINDSIGHT_TEST_PG });
      await admin.connect();
      try {
        await (await openStore({ db: url })).close();
        const schema = new URL(url).searchParams.get('schema');
        await admin.query(`UPDATE "${schema}".hindsight_log SET schema_version = 99`);
        await admin.query(`DROP FUNCTION "${schema}".hindsight_append`);
        await expect(openStore({ db: url })).rejects.toMatchObject({ code: 'store.schemaTooNew' });
        const fn = await admin.query('SELECT to_regproc($1) AS found', [`"${schema}".hindsight_append`]);
        expect(fn.rows[0].found).toBeNull();
      } finally {
        await admin.end();
        await drop();
      }
    });

    it('survives its connection dying inside a transaction: store.unavailable, no unhandled error event', async () => {
      const { url, drop } = freshPostgresSchema();
      const store = await openStore({ db: url });
      const admin = new pg.Client({ connectionString: process.env.HINDSIGHT_TEST_PG });
      await admin.connect();
      const schema = new URL(url).searchParams.get('schema');
      try {
        await store.append([makeTestEvent(1)]);
        // Hold the snapshots table so saveSnapshot's transaction waits inside its INSERT, then end
        // that backend the way a server shutdown does (57P01, then the socket closes).
        await admin.query('BEGIN');
        await admin.query(`LOCK TABLE "${schema}".hindsight_snapshots IN ACCESS EXCLUSIVE MODE`);
        const saving = store.saveSnapshot(1, new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
        let killed = 0;
        for (let waited = 0; killed === 0 && waited < 5000; waited += 20) {
          await new Promise((r) => setTimeout(r, 20));
          const result = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO %hindsight_snapshots%' AND pid <> pg_backend_pid()");
          killed = result.rowCount ?? 0;
        }
        expect(killed).toBe(1);
        await admin.query('ROLLBACK');
        expect(await saving).toMatchObject({ code: 'store.unavailable' });
        // Let the dead socket's events arrive: an 'error' nobody listens to would fail this test run.
        await new Promise((r) => setTimeout(r, 200));
        // The pool replaced the connection: the store works on.
        await store.saveSnapshot(1, new Uint8Array([4]));
        expect((await store.latestSnapshot())?.bytes).toEqual(new Uint8Array([4]));
      } finally {
        await admin.end();
        await store.close();
        await drop();
      }
    });

    it('replaces pooled connections a server restart ended while idle, without an unhandled error', async () => {
      const { url, drop } = freshPostgresSchema();
      const store = await openStore({ db: url });
      const admin = new pg.Client({ connectionString: process.env.HINDSIGHT_TEST_PG });
      await admin.connect();
      try {
        await store.append([makeTestEvent(1)]);
        // The store's idle pooled connections (their last statement named its schema) end as in a
        // server restart.
        const schema = new URL(url).searchParams.get('schema');
        const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'idle' AND query LIKE $1", [`%${schema}%`]);
        expect(killed.rowCount).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 200));
        // Killed while idle, they are dropped and replaced on the next query; appends and reads go on.
        await store.append([makeTestEvent(2)]);
        expect(await store.head()).toBe(2);
      } finally {
        await admin.end();
        await store.close();
        await drop();
      }
    });

    it('keeps schemas independent and opens an existing schema idempotently', async () => {
      const a = freshPostgresSchema();
      const b = freshPostgresSchema();
      try {
        const [storeA, storeB] = await Promise.all([openStore({ db: a.url }), openStore({ db: b.url })]);
        const again = await openStore({ db: a.url });
        await storeA.append([makeTestEvent(1), makeTestEvent(2)]);
        expect(await storeB.head()).toBe(0);
        expect(await again.head()).toBe(2);
        expect(storeA.kind).toBe('postgres');
        await Promise.all([storeA.close(), storeB.close(), again.close()]);
      } finally {
        await a.drop();
        await b.drop();
      }
    });
  });
}
