import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { signEvent } from '../events/sign.js';
import { testKey, units } from '../../test/support/harness.js';
import { tempDirs } from '../../test/support/temp-dirs.js';

const tempDir = tempDirs('hindsight-genesis-');

const operatorAdmin = testKey('genesis-admin');
const stranger = testKey('genesis-stranger');

/** A community.create by `by`, naming itself admin (as a first-come squatter would). */
const genesisBy = (by: typeof stranger) =>
  signEvent(by, {
    type: 'community.create',
    community: 'gen',
    prev: null,
    nonce: 1,
    time: 1,
    payload: { name: 'gen', config: { admins: [by.did], resolver: by.did }, treasury: units(100), mint: [{ to: by.did, amount: units(1_000_000) }] },
  });

describe('Engine genesis: the admin its operator named', () => {
  it('accepts community.create only from that admin; a stranger is refused and changes nothing', async () => {
    const engine = await Engine.open({ dir: tempDir(), genesis: { admin: operatorAdmin.did } });
    try {
      await expect(engine.submit(genesisBy(stranger))).rejects.toMatchObject({ code: 'community.notGenesisAdmin', details: { field: 'author' } });
      expect(engine.state.community).toBeNull();
      expect(await engine.store.head()).toBe(0);
      await expect(engine.submit(genesisBy(operatorAdmin))).resolves.toMatchObject({ seq: 1 });
      expect(engine.state.community?.creator).toBe(operatorAdmin.did);
    } finally {
      await engine.close();
    }
  });

  it('without a named admin whoever signs genesis creates the community (the embedded owner)', async () => {
    const engine = await Engine.open({ dir: tempDir() });
    try {
      await expect(engine.submit(genesisBy(stranger))).resolves.toMatchObject({ seq: 1 });
    } finally {
      await engine.close();
    }
  });

  it('on a store that holds a community the named admin must be one of its admins', async () => {
    const dir = tempDir();
    const first = await Engine.open({ dir, genesis: { admin: operatorAdmin.did } });
    await first.submit(genesisBy(operatorAdmin));
    await first.close();
    await expect(Engine.open({ dir, genesis: { admin: stranger.did } })).rejects.toMatchObject({ code: 'node.adminMismatch', details: { field: 'admin' } });
    await expect(Engine.open({ dir, genesis: { admin: 'not-a-did' } })).rejects.toMatchObject({ code: 'did.invalid' });
    const again = await Engine.open({ dir, genesis: { admin: operatorAdmin.did } });
    expect(again.state.community?.id).toBe('gen');
    await again.close();
  });
});
