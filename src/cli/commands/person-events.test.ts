import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliInProcess, committeeInitArgs, savedTestKeys } from '../../../test/support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-person-events-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'community');

const hs = cliInProcess;

/** The commands for events a person sends that had none: ledger transfer, item expire, label expose, round void. */
describe('ledger transfer, item expire, label expose, round void', { timeout: 60_000 }, () => {
  it('each reaches its handler: accepted when the rules allow it, refused with the game code when not', async () => {
    const { file, did } = savedTestKeys(work, 'pe', ['admin', 'a', 'b', 'c']);
    const key = (n: string) => ['--dir', dir, '--key', file(n)];
    expect((await hs(...committeeInitArgs(dir, file('admin'), 'pe', ['a', 'b', 'c'].map(did)), '--time', '1000', '--json')).code).toBe(0);

    const sent = await hs('ledger', 'transfer', ...key('c'), '--to', did('admin'), '--amount', '12.5', '--time', '1001', '--json');
    expect(sent).toMatchObject({ code: 0, json: { to: did('admin'), amount: '12500000', cid: expect.any(String) } });
    expect((await hs('ledger', 'transfer', ...key('c'), '--to', did('admin'), '--amount', '5000', '--time', '1001', '--json')).json.error).toBe('ledger.insufficientFunds');
    expect((await hs('ledger', 'transfer', ...key('c'), '--to', did('admin'), '--amount', '-1', '--time', '1001', '--json')).code).toBe(1);

    for (const n of ['a', 'b', 'c']) {
      expect((await hs('member', 'join', ...key(n), '--time', '1001', '--json')).code).toBe(0);
      expect((await hs('member', 'bond', ...key(n), '--amount', '100', '--time', '1002', '--json')).code).toBe(0);
    }
    const seed = createHash('sha256').update(Buffer.alloc(32)).digest('hex');
    const sched = await hs('events', 'sign', ...key('admin'), '--time', '1003', '--type', 'round.schedule', '--payload', JSON.stringify({ round: 1, subsidyPerItem: '5000000', tradingDeadline: 2000, revealDeadline: 3000, seedCommitment: seed }));
    const append = async (stdout: string) => {
      writeFileSync(join(work, 'ev.json'), stdout);
      return hs('events', 'append', '--dir', dir, '--file', join(work, 'ev.json'), '--json');
    };
    expect((await append(sched.stdout)).code).toBe(0);
    const silent = await hs('item', 'submit', ...key('a'), '--round', '1', '--text', 'never keyed', '--time', '1004', '--json');
    expect((await hs('item', 'submit', ...key('b'), '--round', '1', '--text', 'free money', '--time', '1004', '--json')).code).toBe(0);
    expect((await append((await hs('events', 'sign', ...key('admin'), '--time', '1005', '--type', 'round.open', '--payload', '{"round":1}')).stdout)).code).toBe(0);
    expect((await hs('item', 'key', ...key('b'), '--round', '1', '--time', '1006', '--json')).code).toBe(0);

    const id = String(silent.json.item);
    expect((await hs('item', 'expire', ...key('c'), '--round', '1', '--item', id, '--time', '1500', '--json')).json.error).toBe('item.keyWindowOpen');
    expect((await hs('item', 'expire', ...key('c'), '--round', '1', '--item', id, '--time', '2000', '--json'))).toMatchObject({ code: 0, json: { round: 1, item: id, seq: expect.any(Number) } });
    const list = (await hs('item', 'list', '--dir', dir, '--round', '1', '--json')).json.submissions as { id: string; status: string }[];
    expect(list.find((s) => s.id === id)?.status).not.toBe('valid');

    const keyed = list.find((s) => s.id !== id)!.id;
    expect((await hs('label', 'commit', ...key('a'), '--round', '1', '--label', `${keyed}=1`, '--time', '2001', '--json')).code).toBe(0);
    const exposed = await hs('label', 'expose', ...key('c'), '--round', '1', '--member', did('a'), '--item', keyed, '--label', '1', '--salt', 'ab'.repeat(16), '--time', '2002', '--json');
    expect(exposed.json.error).toBe('label.exposeMismatch'); // a guessed salt is not a leak

    const voided = await hs('round', 'void', ...key('admin'), '--round', '1', '--reason', 'test run', '--time', '2003', '--json');
    expect(voided).toMatchObject({ code: 0, json: { round: 1, cid: expect.any(String) } });
    expect((await hs('round', 'void', ...key('c'), '--round', '1', '--reason', 'again', '--time', '2004', '--json')).code).toBe(1);
  });
});
