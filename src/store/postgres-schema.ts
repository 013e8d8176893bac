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

/**
 * The whole append as one server-side function, so an append costs one round trip (plus the
 * commit) instead of six: lock the log row, insert the first occurrence of every CID not stored
 * yet with seqs head+1.. in input order, move the head, notify, and report (seq, duplicate) per
 * input row in input order. It runs in the caller's single-statement transaction, so it is atomic.
 */
function appendFunctionSql(s: string): string {
  return `
CREATE OR REPLACE FUNCTION ${s}.hindsight_append(
  p_cids text[], p_types text[], p_authors text[], p_rounds integer[], p_bytes bytea[], p_channel text
) RETURNS TABLE (out_seq bigint, out_duplicate boolean) LANGUAGE plpgsql AS $fn$
DECLARE
  v_head  bigint;
  v_added bigint;
BEGIN
  SELECT l.head INTO v_head FROM ${s}.hindsight_log l WHERE l.id FOR UPDATE;
  INSERT INTO ${s}.hindsight_events (seq, cid, type, author, round, bytes)
  SELECT v_head + row_number() OVER (ORDER BY f.ord), f.cid, f.type, f.author, f.round, f.bytes
  FROM (
    SELECT DISTINCT ON (t.cid) t.cid, t.type, t.author, t.round, t.bytes, t.ord
    FROM unnest(p_cids, p_types, p_authors, p_rounds, p_bytes) WITH ORDINALITY AS t(cid, type, author, round, bytes, ord)
    ORDER BY t.cid, t.ord
  ) f
  WHERE NOT EXISTS (SELECT 1 FROM ${s}.hindsight_events e WHERE e.cid = f.cid);
  GET DIAGNOSTICS v_added = ROW_COUNT;
  IF v_added > 0 THEN
    UPDATE ${s}.hindsight_log l SET head = v_head + v_added WHERE l.id;
    PERFORM pg_notify(p_channel, (v_head + v_added)::text);
  END IF;
  RETURN QUERY
    SELECT e.seq, (e.seq <= v_head OR t.ord > min(t.ord) OVER (PARTITION BY t.cid))
    FROM unnest(p_cids) WITH ORDINALITY AS t(cid, ord)
    JOIN ${s}.hindsight_events e ON e.cid = t.cid
    ORDER BY t.ord;
END
$fn$;`;
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
${appendFunctionSql(s)}
`;
}
