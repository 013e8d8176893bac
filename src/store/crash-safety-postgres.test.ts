import { describe, it } from 'vitest';
import { crashLoop } from './crash-harness.js';
import { freshPostgresSchema, requirePostgresForTests } from './postgres-test-url.js';

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
