import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveKey } from '../../events/keys.js';
import { testKey } from '../../../test/support/harness.js';
import { cliInProcess, committeeInitArgs, savedTestKeys } from '../../../test/support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-committee-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'community');

const hs = cliInProcess;

describe('committee CLI', { timeout: 120_000 }, () => {
  it('runs a community round end to end: members, encrypted items, labels, public history', async () => {
    const { file, did } = savedTestKeys(work, 'cli', ['admin', 'a', 'b', 'c']);
    const key = (n: string) => ['--dir', dir, '--key', file(n)];
    const created = await hs(...committeeInitArgs(dir, file('admin'), 'cli', ['a', 'b', 'c'].map(did)), '--time', '1000', '--json');
    expect(created.code).toBe(0);
    for (const n of ['a', 'b', 'c']) {
      expect((await hs('member', 'join', ...key(n), '--time', '1001', '--json')).code).toBe(0);
      expect((await hs('member', 'bond', ...key(n), '--amount', '100', '--time', '1002', '--json')).code).toBe(0);
    }
    const refused = await hs('member', 'bond', ...key('a'), '--amount', '5000', '--time', '1003', '--json');
    expect(refused).toMatchObject({ code: 1, json: { error: 'ledger.insufficientFunds' } });
    const seed = createHash('sha256').update(Buffer.alloc(32)).digest('hex');
    const sched = await hs('events', 'sign', ...key('admin'), '--time', '1003', '--type', 'round.schedule', '--payload', JSON.stringify({ round: 1, subsidyPerItem: '5000000', tradingDeadline: 2000, revealDeadline: 3000, seedCommitment: seed }));
    const append = async (stdout: string) => {
      writeFileSync(join(work, 'ev.json'), stdout);
      return hs('events', 'append', '--dir', dir, '--file', join(work, 'ev.json'), '--json');
    };
    expect((await append(sched.stdout)).code).toBe(0);
    const item = await hs('item', 'submit', ...key('a'), '--round', '1', '--text', 'free money now', '--time', '1004', '--json');
    expect(item.code).toBe(0);
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect((await hs('item', 'submit', ...key('b'), '--round', '1', '--features', '1,2,3', '--time', '1004', '--json')).code).toBe(0);
    expect((await append((await hs('events', 'sign', ...key('admin'), '--time', '1005', '--type', 'round.open', '--payload', '{"round":1}')).stdout)).code).toBe(0);
    for (const n of ['a', 'b']) expect((await hs('item', 'key', ...key(n), '--round', '1', '--time', '1006', '--json')).code).toBe(0);
    const ids = ((await hs('item', 'list', '--dir', dir, '--round', '1', '--json')).json.submissions as { id: string; status: string }[]).map((s) => {
      expect(s.status).toBe('valid');
      return s.id;
    });
    expect(ids).toContain(item.json.item);
    for (const n of ['a', 'b', 'c']) {
      const early = await hs('label', 'commit', ...key(n), '--round', '1', ...ids.flatMap((i) => ['--label', `${i}=1`]), '--time', '1999', '--json');
      expect(early.json.error).toBe('label.commitEarly');
      expect((await hs('label', 'commit', ...key(n), '--round', '1', ...ids.flatMap((i) => ['--label', `${i}=1`]), '--time', '2001', '--json')).code).toBe(0);
    }
    // A refused second commit must not overwrite the salts of the accepted one.
    expect((await hs('label', 'commit', ...key('a'), '--round', '1', '--label', `${ids[0]}=0`, '--time', '2002', '--json')).json.error).toBe('label.duplicate');
    expect((await hs('label', 'reveal', ...key('a'), '--round', '1', '--time', '2500', '--json')).json.error).toBe('label.revealEarly');
    for (const n of ['a', 'b', 'c']) expect((await hs('label', 'reveal', ...key(n), '--round', '1', '--time', '3000', '--json')).code).toBe(0);
    const resolved = await hs('label', 'resolve', ...key('admin'), '--round', '1', '--time', '3001', '--json');
    expect((resolved.json.committee as { labels: { label: number }[] }).labels.map((l) => l.label)).toEqual([1, 1]);
    expect((resolved.json.committee as { penalties: unknown[] }).penalties).toEqual([]); // every reveal opened its commitment
    expect((await append((await hs('events', 'sign', ...key('admin'), '--time', '3002', '--type', 'round.settle', '--payload', '{"round":1}')).stdout)).code).toBe(0);
    const out = join(work, 'history', 'h.jsonl');
    const exported = await hs('data', 'export', '--dir', dir, '--upto-round', '1', '--format', 'jsonl', '--out', out, '--json');
    expect(exported.json.rows).toBe(2);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { input: unknown; label: number });
    expect(rows.map((r) => r.input)).toEqual(expect.arrayContaining([{ text: 'free money now' }, { features: [1, 2, 3] }]));
    expect(rows.every((r) => r.label === 1)).toBe(true);
    expect((await hs('data', 'export', '--dir', dir, '--upto-round', '0', '--json')).json.rows).toBe(0);
  });

  it('a token-gated community admits a member with an attestation signed by its attestor', async () => {
    const gated = join(work, 'gated');
    for (const n of ['gadmin', 'oracle', 'carol']) saveKey(testKey(`cli-${n}`), join(work, `${n}.key`));
    const token = { standard: 'erc20', chainId: 31337, address: `0x${'ab'.repeat(20)}`, minBalance: '1000', attestor: testKey('cli-oracle').did };
    const k = (n: string) => ['--dir', gated, '--key', join(work, `${n}.key`)];
    expect((await hs('committee', 'init', ...k('gadmin'), '--name', 'gated', '--time', '1000', '--membership-json', JSON.stringify({ mode: 'token', token }), '--json')).code).toBe(0);
    expect((await hs('member', 'join', ...k('carol'), '--time', '1001', '--json')).json.error).toBe('member.attestationMissing');
    const file = join(work, 'carol-attestation.json');
    expect((await hs('member', 'attest', ...k('carol'), '--member', testKey('cli-carol').did, '--balance', '5000', '--expires', '9000', '--out', file, '--json')).json.error).toBe('member.notAttestor');
    expect((await hs('member', 'attest', ...k('oracle'), '--member', testKey('cli-carol').did, '--balance', '5000', '--expires', '9000', '--out', file, '--json')).code).toBe(0);
    expect((await hs('member', 'join', ...k('carol'), '--attestation', file, '--time', '9001', '--json')).json.error).toBe('member.attestationExpired');
    expect((await hs('member', 'join', ...k('carol'), '--attestation', file, '--time', '1002', '--json')).code).toBe(0);
    const shown = await hs('member', 'show', '--dir', gated, '--did', testKey('cli-carol').did, '--json');
    expect(shown.json.member).toMatchObject({ left: false, bond: '0' });
  });
});
