/**
 * `--db postgres://user:pass@host:port/db?schema=NAME`: the optional `schema` parameter is ours (one
 * database can hold several independent logs, and tests use a schema each); every other parameter
 * goes to pg unchanged.
 */
import { expectedGot } from '../core/errors.js';

export type PostgresLocation = { connectionString: string; schema: string; redacted: string };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,40}$/;

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

export function parsePostgresUrl(url: string): PostgresLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: URL's TypeError carries the unredacted input, password included.
    throw expectedGot('store.invalidUrl', 'db', 'a postgres:// URL', redactUrl(url));
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw expectedGot('store.invalidUrl', 'db.schema', 'a lowercase SQL identifier of at most 41 characters', schema);
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema, redacted: redactUrl(url) };
}
