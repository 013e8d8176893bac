import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { publishOnce } from './cache.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hindsight-zk-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('publishOnce', () => {
  it('lands the first file and drops later ones, leaving no temporary file behind', () => {
    const path = join(work, 'artefact');
    writeFileSync(`${path}.1.tmp`, 'first');
    writeFileSync(`${path}.2.tmp`, 'second');
    expect(publishOnce(`${path}.1.tmp`, path)).toBe(true);
    expect(publishOnce(`${path}.2.tmp`, path)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(existsSync(`${path}.1.tmp`) || existsSync(`${path}.2.tmp`)).toBe(false);
  });
});

describe('a zk cache shared by processes that start cold at the same time', () => {
  it('gives every process the same setup (ptau and zkey drawn once), so a published key stays provable', async () => {
    const cache = join(work, 'cache');
    const child = () => run('node', ['--import', 'tsx', 'test/support/zk-setup-child.ts'], { env: { ...process.env, HINDSIGHT_CACHE: cache } });
    const answers = (await Promise.all([child(), child(), child()])).map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as { vkey: string; zkeyPath: string });
    expect(new Set(answers.map((a) => a.vkey)).size).toBe(1);
    expect(new Set(answers.map((a) => a.zkeyPath)).size).toBe(1);
    expect(existsSync(answers[0]!.zkeyPath)).toBe(true);
    // What a later process reads from the cache is that same setup.
    const setupDir = join(cache, 'setup');
    const [entry] = readdirSync(setupDir);
    const meta = JSON.parse(readFileSync(join(setupDir, entry!, 'setup.json'), 'utf8')) as { vkey: unknown; zkeyPath: string };
    expect(createHash('sha256').update(JSON.stringify(meta.vkey)).digest('hex')).toBe(answers[0]!.vkey);
    expect(readdirSync(join(setupDir, entry!)).filter((f) => f.endsWith('.zkey'))).toHaveLength(1);
    expect(readdirSync(join(cache, 'ptau')).filter((f) => f.endsWith('.ptau'))).toHaveLength(1);
  }, 120_000);
});
