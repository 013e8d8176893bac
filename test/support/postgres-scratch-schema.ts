/**
 * A uniquely named, throwaway schema on a PostgreSQL server (tests and benches), so runs never see
 * each other's data and cleanup is one DROP SCHEMA.
 */
import pg from 'pg';

let counter = 0;

export function scratchSchema(baseUrl: string, prefix = 't'): { url: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
