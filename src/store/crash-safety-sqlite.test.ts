import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { crashLoop } from '../../test/support/crash-harness.js';

describe('crash safety (SIGKILL during appends)', () => {
  it('sqlite keeps every acknowledged event and no partial batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-crash-'));
    try {
      await crashLoop({ dir }, 7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
