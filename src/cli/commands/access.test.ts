/**
 * Outcomes computed from data, from the command line alone: the admin sets the `reads` rule,
 * schedules a round of streams, three reporters sign counts with `access report` (one lies), and
 * the resolver's `round compute` settles every item on the median's bucket.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveKey } from '../../events/keys.js';
import { testKey } from '../../../test/support/harness.js';
import { cliInProcess } from '../../../test/support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-access-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'community');

const hs = cliInProcess;

const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('access report and round compute CLI', { timeout: 120_000 }, () => {
  it('computes every outcome from signed counts; a bad counts file is refused with its line number', async () => {
    saveKey(testKey('access-admin'), join(work, 'admin.key'));
    const reporters = [0, 1, 2].map((i) => {
      saveKey(testKey(`access-rep-${i}`), join(work, `rep${i}.key`));
      return testKey(`access-rep-${i}`).did;
    });
    const admin = ['--dir', dir, '--key', join(work, 'admin.key')];
    const at = (t: number) => ['--time', String(t), '--json'];
    expect((await hs('init', ...admin, '--name', 'streams', ...at(1000))).code).toBe(0);
    expect((await hs('community', 'config', ...admin, '--from-round', '1', '--resolution', 'reads', '--reporters', reporters.join(','), '--boundaries', '1,2,4,8', ...at(2000))).code).toBe(0);
    writeFileSync(join(work, 'items.jsonl'), lines([{ id: 'a', features: [1, 2], outcomes: 5 }, { id: 'b', features: [3, 4], outcomes: 5 }, { id: 'c', features: [5, 6], outcomes: 5 }]));
    const scheduled = await hs('round', 'schedule-and-open', ...admin, '--round', '1', '--items', join(work, 'items.jsonl'), '--subsidy', '1', '--trading-secs', '10', '--reveal-secs', '10', ...at(3000));
    expect(scheduled.code).toBe(0);
    expect((await hs('round', 'close', ...admin, '--round', '1', ...at(14_000))).code).toBe(0);

    writeFileSync(join(work, 'bad.jsonl'), lines([{ item: 'a', reads: 3 }]) + '{"item": "b", "reads": -1}\n');
    const repKey = (i: number) => ['--dir', dir, '--key', join(work, `rep${i}.key`)];
    const bad = await hs('access', 'report', ...repKey(0), '--round', '1', '--counts', join(work, 'bad.jsonl'), ...at(15_000));
    expect(bad.code).not.toBe(0);
    expect(bad.json).toMatchObject({ error: 'cli.invalid' });
    expect(String(bad.json.message)).toMatch(/bad\.jsonl:2: expected \{"item": "<id>", "reads": <integer ≥ 0>\}/);

    const counts = [
      { a: 0, b: 3, c: 40 },
      { a: 1, b: 2, c: 33 },
      { a: 900, b: 900, c: 0 }, // the liar is outvoted by the median
    ];
    for (const [i, c] of counts.entries()) {
      writeFileSync(join(work, `counts${i}.jsonl`), lines(Object.entries(c).map(([item, reads]) => ({ item, reads }))));
      const r = await hs('access', 'report', ...repKey(i), '--round', '1', '--counts', join(work, `counts${i}.jsonl`), ...at(15_000 + i));
      expect(r.code).toBe(0);
      expect(r.json).toMatchObject({ round: 1, counts: 3 });
    }
    const notReporter = await hs('access', 'report', ...admin, '--round', '1', '--counts', join(work, 'counts0.jsonl'), ...at(15_100));
    expect(notReporter.json).toMatchObject({ error: 'access.notReporter' });

    const computed = await hs('round', 'compute', ...admin, '--round', '1', ...at(24_000));
    expect(computed.code).toBe(0);
    // medians 1, 3, 33 → buckets over boundaries 1, 2, 4, 8: 1, 2, 4
    expect(computed.json).toMatchObject({ round: 1, phase: 'resolved', computed: { status: 'ok' }, outcomes: [{ item: 'a', outcome: 1 }, { item: 'b', outcome: 2 }, { item: 'c', outcome: 4 }] });
    expect((await hs('round', 'settle', ...admin, '--round', '1', ...at(25_000))).code).toBe(0);
    const again = await hs('round', 'compute', ...admin, '--round', '1', ...at(26_000));
    expect(again.json).toMatchObject({ error: 'round.wrongPhase' });
  });
});
