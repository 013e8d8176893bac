import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { describeStoreContract } from '../../test/support/store-contract.js';
import { makeTestEvent } from '../../test/support/test-events.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hindsight-store-'));
}

describeStoreContract(
  'sqlite',
  async () => {
    const dir = tempDir();
    return { open: () => openStore({ dir }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  { propertyRuns: 40 },
);

describeStoreContract(
  'sqlite with a writer thread',
  async () => {
    const dir = tempDir();
    return { open: () => openStore({ dir, writerThread: true }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  { propertyRuns: 20 },
);

describe('sqlite specifics', () => {
  it('uses WAL with synchronous=FULL and creates DIR/hindsight.db', async () => {
    const dir = tempDir();
    try {
      const store = await openStore({ dir });
      expect(store.kind).toBe('sqlite');
      await store.append([makeTestEvent(1)]);
      await store.close();
      const { default: Database } = await import('libsql');
      const db = new Database(join(dir, 'hindsight.db'));
      expect(db.prepare('PRAGMA journal_mode').raw(true).get()).toEqual(['wal']);
      expect(db.prepare('SELECT count(*) FROM events').raw(true).get()).toEqual([1]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unusable directory as store.openFailed', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, 'file'), 'not a directory');
      await expect(openStore({ dir: join(dir, 'file') })).rejects.toMatchObject({ code: 'store.openFailed' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a file that is not a database as store.openFailed', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, 'hindsight.db'), Buffer.alloc(4096, 7));
      await expect(openStore({ dir })).rejects.toMatchObject({ code: 'store.openFailed' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer schema version', async () => {
    const dir = tempDir();
    try {
      await (await openStore({ dir })).close();
      const { default: Database } = await import('libsql');
      const db = new Database(join(dir, 'hindsight.db'));
      db.exec('PRAGMA user_version = 99');
      db.close();
      await expect(openStore({ dir })).rejects.toMatchObject({ code: 'store.schemaTooNew' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open without a location or with a non-postgres URL', async () => {
    await expect(openStore({})).rejects.toMatchObject({ code: 'store.noLocation' });
    await expect(openStore({ db: 'mysql://x' })).rejects.toMatchObject({ code: 'store.invalidUrl' });
  });
});
