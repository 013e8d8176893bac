import { describe, expect, it } from 'vitest';
import { postgresErrorCode, sqliteErrorCode } from './store-errors.js';

describe('store failure classification', () => {
  it('names a PostgreSQL server that is down, restarting or full; keeps other failures as they were', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const cases: [unknown, string][] = [
      [refused, 'store.unavailable'],
      [new AggregateError([refused], ''), 'store.unavailable'],
      [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'store.unavailable'],
      [Object.assign(new Error('the database system is starting up'), { code: '57P03' }), 'store.unavailable'],
      [Object.assign(new Error('the database system is shutting down'), { code: '57P03' }), 'store.unavailable'],
      [Object.assign(new Error('connection failure'), { code: '08006' }), 'store.unavailable'],
      [Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), 'store.unavailable'],
      [new Error('Connection terminated unexpectedly'), 'store.unavailable'],
      [new Error('timeout exceeded when trying to connect'), 'store.unavailable'],
      [Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }), 'store.diskFull'],
      [Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }), 'store.appendFailed'],
      [new Error('something else'), 'store.appendFailed'],
      [undefined, 'store.appendFailed'],
    ];
    for (const [cause, code] of cases) expect(postgresErrorCode(cause, 'store.appendFailed'), String((cause as Error)?.message)).toBe(code);
  });

  it('names SQLite results that pass: a full disk, a lock held too long', () => {
    expect(sqliteErrorCode('SQLITE_FULL', 'store.appendFailed')).toBe('store.diskFull');
    expect(sqliteErrorCode('SQLITE_BUSY', 'store.appendFailed')).toBe('store.unavailable');
    expect(sqliteErrorCode('SQLITE_CORRUPT', 'store.appendFailed')).toBe('store.appendFailed');
    expect(sqliteErrorCode(undefined, 'store.queryFailed')).toBe('store.queryFailed');
  });
});
