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
