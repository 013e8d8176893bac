import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { ChainedSigner, makeTestCommunity, testSigner } from '../../test/support/test-community.js';
import { postJson, startTestNode, testBackends } from '../../test/support/test-node.js';
import { startNode } from './run-node.js';

const root = mkdtempSync(join(tmpdir(), 'hindsight-genesis-node-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const named = makeTestCommunity({ members: 1, id: 'genesis', salt: 21 });
const stranger = makeTestCommunity({ members: 1, id: 'genesis', salt: 22 });

describe('a node names its community admin; genesis is never first-come', () => {
  for (const backend of testBackends('genesis admin')) {
    it(`over HTTP (${backend.name}): a stranger’s community.create is refused on a fresh node, the named admin’s accepted`, async () => {
      const node = await startTestNode({ rateLimit: false, admin: named.admin.did }, backend);
      try {
        const refused = await postJson(`${node.url}/v1/events`, stranger.genesis);
        expect(refused).toMatchObject({ status: 422, body: { code: 'community.notGenesisAdmin', field: 'author' } });
        expect(refused.body.message).toContain(named.admin.did);
        expect(node.engine.state.community).toBeNull();
        expect(await node.engine.store.head()).toBe(0);
        expect(await postJson(`${node.url}/v1/events`, named.genesis)).toMatchObject({ status: 202, body: { seq: 1 } });
        expect(node.engine.state.community?.creator).toBe(named.admin.did);
      } finally {
        await node.cleanup();
      }
    });
  }

  it('refuses to start on an empty store without an admin and names the flag', async () => {
    const dir = join(root, 'none');
    const error = await startNode({ dir, port: 0, logger: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'node.noAdmin', details: { field: 'admin' } });
    expect((error as Error).message).toContain('--admin');
    // Once the store holds a community, no flag is needed; a flag must name one of its admins.
    const first = await startNode({ dir, port: 0, logger: false, admin: named.admin.did });
    await first.engine.submit(named.genesis);
    await first.close();
    const again = await startNode({ dir, port: 0, logger: false });
    expect(again.engine.state.community?.id).toBe('genesis');
    await again.close();
    await expect(startNode({ dir, port: 0, logger: false, admin: stranger.admin.did })).rejects.toMatchObject({ code: 'node.adminMismatch' });
  });

  it('`hindsight node start` without --admin on an empty store exits with the message; with --admin it enforces it', { timeout: 60_000 }, async () => {
    const cli = (dir: string, ...flags: string[]) =>
      spawn(process.execPath, [resolve('bin/hindsight'), 'node', 'start', '--dir', dir, '--port', '0', '--json', '--log-level', 'silent', ...flags], {
        env: { ...process.env, HINDSIGHT_FROM_SOURCE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const refused = cli(join(root, 'cli-none'));
    let stderr = '';
    let listened = false;
    refused.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    createInterface({ input: refused.stdout }).on('line', (line) => {
      if (!line.includes('"listening"')) return;
      listened = true;
      refused.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((done) => refused.on('exit', done));
    expect(listened).toBe(false);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--admin');
    expect(stderr).toContain('node.noAdmin');

    // Signed now: a node started from the command line judges event times by its own clock.
    const genesisNow = (salt: number) => {
      const admin = new ChainedSigner(testSigner(0, salt), 'genesis');
      return admin.next('community.create', { name: 'genesis', config: { admins: [admin.did], resolver: admin.did }, treasury: '0', mint: [] }, Date.now());
    };
    const child = cli(join(root, 'cli-admin'), '--admin', named.admin.did);
    try {
      const url = await new Promise<string>((done, fail) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.includes('"listening"')) done((JSON.parse(line) as { url: string }).url);
        });
        child.on('exit', (c) => fail(new Error(`node start exited ${c}`)));
      });
      expect(await postJson(`${url}/v1/events`, genesisNow(22))).toMatchObject({ status: 422, body: { code: 'community.notGenesisAdmin' } });
      expect(await postJson(`${url}/v1/events`, genesisNow(21))).toMatchObject({ status: 202 });
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode === null ? child.on('exit', done) : done(null)));
    }
  });
});
