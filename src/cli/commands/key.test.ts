import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExpiry } from './key.js';

const run = promisify(execFile);
const BIN = resolve('bin/hindsight');
const work = mkdtempSync(join(tmpdir(), 'hindsight-key-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function hs(...args: string[]): Promise<{ code: number; stderr: string; json: Record<string, unknown> }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args, '--json'], { cwd: work });
    return { code: 0, stderr, json: JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown> };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stderr: e.stderr, json: JSON.parse(e.stdout.trim().split('\n').pop() || '{}') as Record<string, unknown> };
  }
}

describe('hindsight key: Ethereum identities and delegated session keys from the CLI', { timeout: 120_000 }, () => {
  it('key new --eth → key delegate → key show; the session key signs with every --key command (init, replay re-verifies)', async () => {
    const eth = await hs('key', 'new', '--eth', '--out', 'eth.json');
    expect(eth.code).toBe(0);
    expect(eth.json).toMatchObject({ kind: 'ethereum', chainId: 1 });
    expect(eth.json.did).toMatch(/^did:pkh:eip155:1:0x[0-9a-fA-F]{40}$/);
    expect(statSync(join(work, 'eth.json')).mode & 0o777).toBe(0o600);

    const session = await hs('key', 'delegate', '--eth-key', 'eth.json', '--out', 'session.json', '--community', 'eth-club', '--expires', '2h');
    expect(session.code).toBe(0);
    expect(session.json).toMatchObject({ did: eth.json.did, kind: 'session', expired: false, communities: ['eth-club'], resources: ['hindsight://community/eth-club'], delegation: 'valid' });
    expect(session.json.session).toMatch(/^did:key:z6Mk/);
    const expiresIn = Date.parse(session.json.expiresAt as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(1.9 * 3_600_000);
    expect(expiresIn).toBeLessThanOrEqual(2 * 3_600_000);

    const shown = await hs('key', 'show', '--key', 'session.json');
    expect(shown.json).toMatchObject({ did: eth.json.did, session: session.json.session, expiresAt: session.json.expiresAt, delegation: 'valid' });

    // The session key is the community's admin: every event it signs names the account as author.
    const init = await hs('init', '--dir', 'club', '--name', 'eth-club', '--key', 'session.json');
    expect(init.code, init.stderr).toBe(0);
    const fund = await hs('events', 'list', '--dir', 'club');
    const genesis = (fund.json.events as { author: string; event: { signer: string; cap: string } }[])[0]!;
    expect(genesis.author.toLowerCase()).toBe((eth.json.did as string).toLowerCase());
    expect(genesis.event).toMatchObject({ signer: session.json.session, cap: session.json.cap });
    const replay = await hs('replay', '--dir', 'club');
    expect(replay.json).toMatchObject({ events: 1, rejected: 0 });
  });

  it('key show says when a session has expired, and key delegate refuses a session with no community', async () => {
    const short = await hs('key', 'delegate', '--eth-key', 'eth.json', '--out', 'short.json', '--community', 'c', '--expires', '2s');
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(short.json.expiresAt as string) - Date.now() + 50)));
    const shown = await hs('key', 'show', '--key', 'short.json');
    expect(shown.json).toMatchObject({ expired: true, delegation: 'valid' });
    const none = await hs('key', 'delegate', '--eth-key', 'eth.json', '--out', 'none.json');
    expect(none.code).not.toBe(0);
    expect(none.json.error).toBe('key.badResource');
    const notEth = await hs('key', 'delegate', '--eth-key', 'short.json', '--out', 'x.json', '--community', 'c');
    expect(notEth.json).toMatchObject({ error: 'key.invalid', message: expect.stringContaining('expected an Ethereum key file') });
  });

  it('parses --expires as a duration or an ISO date-time in the future, and nothing else', () => {
    const now = new Date(Date.UTC(2026, 0, 1));
    expect(parseExpiry('90s', now).getTime()).toBe(now.getTime() + 90_000);
    expect(parseExpiry('7d', now).getTime()).toBe(now.getTime() + 7 * 86_400_000);
    expect(parseExpiry('2026-02-01T00:00:00Z', now).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    for (const bad of ['tomorrow', '12', '1w', '2026-02-01', '2025-01-01T00:00:00Z']) expect(() => parseExpiry(bad, now)).toThrow(expect.objectContaining({ code: 'key.badExpiry' }));
  });
});
