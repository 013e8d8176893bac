import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveKey } from '../../events/keys.js';
import { testKey } from '../../../test/support/harness.js';
import { cliInProcess } from '../../../test/support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'hindsight-community-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'community');

const hs = cliInProcess;

describe('community CLI', { timeout: 120_000 }, () => {
  it('publishes a function, changes the rules from a future round, and refuses bad rules precisely', async () => {
    saveKey(testKey('cli-admin'), join(work, 'admin.key'));
    const key = ['--dir', dir, '--key', join(work, 'admin.key')];
    expect((await hs('init', ...key, '--name', 'streams', '--time', '1000', '--json')).code).toBe(0);
    writeFileSync(join(work, 'f.js'), 'function resolve(input) { return input.items.map(() => 0); }');
    const fn = await hs('community', 'function', ...key, '--file', join(work, 'f.js'), '--name', 'zero', '--time', '2000', '--json');
    expect(fn.code).toBe(0);
    const reporter = testKey('cli-reporter').did;
    const changed = await hs('community', 'config', ...key, '--from-round', '1', '--scoring', 'qmsr', '--resolution', 'sandbox', '--function-hash', String(fn.json.hash), '--reporters', reporter, '--time', '3000', '--json');
    expect(changed.code).toBe(0);
    expect(changed.json).toMatchObject({ type: 'rules.change', fromRound: 1, rules: { scoring: 'qmsr', resolution: { fn: 'sandbox', hash: fn.json.hash } } });
    const bad = await hs('community', 'config', ...key, '--from-round', '2', '--scoring', 'cubic', '--time', '4000', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.json).toMatchObject({ error: 'cli.badRules' });
    expect(String(bad.json.message)).toMatch(/^rules.scoring: /);
  });
});
