/**
 * SQLite schema. `seq` is the rowid alias, so the secondary indexes already end in seq and serve
 * "WHERE author = ? AND seq > ? ORDER BY seq" without a sort. Bump SQLITE_SCHEMA_VERSION (stored in
 * PRAGMA user_version) and add a migration step when this changes.
 */
export const SQLITE_SCHEMA_VERSION = 1;

export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq    INTEGER PRIMARY KEY,
  cid    TEXT    NOT NULL UNIQUE,
  type   TEXT    NOT NULL,
  author TEXT    NOT NULL,
  round  INTEGER,
  bytes  BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_author ON events (author);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type);
CREATE INDEX IF NOT EXISTS events_by_round ON events (round) WHERE round IS NOT NULL;
CREATE TABLE IF NOT EXISTS snapshots (
  seq   INTEGER PRIMARY KEY,
  bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
`;
