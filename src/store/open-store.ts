/**
 * The one entry point callers use: `--db postgres://...` selects PostgreSQL, otherwise `--dir DIR`
 * selects the embedded SQLite file DIR/hindsight.db. The PostgreSQL module is loaded only when
 * needed so the embedded path stays fast to start.
 */
import { expectedGot } from '../core/errors.js';
import { SqliteEventStore } from './sqlite-store.js';
import type { EventStore, OpenStoreOptions } from './types.js';

export async function openStore(options: OpenStoreOptions): Promise<EventStore> {
  if (options.db !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.db)) {
      throw expectedGot('store.invalidUrl', 'db', 'a postgres:// or postgresql:// URL', options.db.replace(/:[^:@/]*@/, ':***@'));
    }
    const { PostgresEventStore } = await import('./postgres-store.js');
    return PostgresEventStore.open(options.db, { poolSize: options.poolSize, checkCids: options.checkCids });
  }
  if (options.dir !== undefined && options.dir !== '') return SqliteEventStore.open(options.dir, { checkCids: options.checkCids, writerThread: options.writerThread });
  throw expectedGot('store.noLocation', 'dir', 'a directory (--dir) or a PostgreSQL URL (--db)', options.dir);
}
