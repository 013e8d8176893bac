/**
 * PostgreSQL schema, created on open inside a transaction holding an advisory lock, so several
 * nodes starting at once on an empty database do not race on CREATE TABLE.
 *
 * `hindsight_log` is a single row holding the head seq: every append locks it (SELECT ... FOR
 * UPDATE) for the length of its transaction. That one lock is what makes the log gapless and makes
 * commit order equal seq order across processes (see postgres-store.ts).
 */
export const POSTGRES_SCHEMA_VERSION = 1;

/** Lock key for schema creation: any constant shared by all hindsight processes. */
export const SCHEMA_LOCK_KEY = 0x48494e44; // "HIND"

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function postgresSchemaSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.hindsight_events (
  seq    BIGINT  PRIMARY KEY,
  cid    TEXT    NOT NULL UNIQUE,
  type   TEXT    NOT NULL,
  author TEXT    NOT NULL,
  round  INTEGER,
  bytes  BYTEA   NOT NULL
);
CREATE INDEX IF NOT EXISTS hindsight_events_by_author ON ${s}.hindsight_events (author, seq);
CREATE INDEX IF NOT EXISTS hindsight_events_by_type ON ${s}.hindsight_events (type, seq);
CREATE INDEX IF NOT EXISTS hindsight_events_by_round ON ${s}.hindsight_events (round, seq) WHERE round IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.hindsight_log (
  id             BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  head           BIGINT  NOT NULL,
  schema_version INTEGER NOT NULL
);
INSERT INTO ${s}.hindsight_log (id, head, schema_version) VALUES (true, 0, ${POSTGRES_SCHEMA_VERSION}) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS ${s}.hindsight_snapshots (
  seq   BIGINT PRIMARY KEY,
  bytes BYTEA  NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.hindsight_meta (
  key   TEXT  PRIMARY KEY,
  value BYTEA NOT NULL
);
`;
}
