import { describe, it } from 'vitest';
import { crashLoop } from '../../test/support/crash-harness.js';
import { freshPostgresSchema, requirePostgresForTests } from '../../test/support/postgres-test-url.js';

describe('crash safety (SIGKILL during appends)', () => {
  if (requirePostgresForTests('crash safety')) {
    it('postgres keeps every acknowledged event and no partial batch', async () => {
      const { url, drop } = freshPostgresSchema();
      try {
        await crashLoop({ db: url }, 11);
      } finally {
        await drop();
      }
    });
  }
});
