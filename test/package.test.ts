import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The front door as a user meets it: the package npm packs (its prepare step builds dist/), unpacked
 * into a consumer's node_modules and imported by name. The staging copy sits inside the repository
 * so that the build and the consumer find the repository's own node_modules by walking up, as an
 * installed package finds its dependencies.
 */
const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, unknown> };
let work: string;
let consumer: string;

function run(cwd: string, file: string, args: string[]): string {
  return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });
}

beforeAll(() => {
  mkdirSync(join(root, '.scratch'), { recursive: true });
  work = mkdtempSync(join(root, '.scratch', 'pack-'));
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const entry of [...pkg.files.filter((f) => !f.startsWith('!')), 'package.json', 'README.md']) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(stage, entry), { recursive: true, filter: (src) => !src.includes('node_modules') });
  }
  const tarball = run(stage, 'npm', ['pack', '--silent', '--pack-destination', work]).trim().split('\n').pop()!;
  consumer = join(work, 'consumer');
  const installed = join(consumer, 'node_modules', 'hindsight');
  mkdirSync(installed, { recursive: true });
  // Its own package.json, so that 'hindsight' is not a self-reference to the repository's package.
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run(work, 'tar', ['-xzf', join(work, tarball), '-C', installed, '--strip-components=1']);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runModule(code: string): unknown {
  const file = join(consumer, `check-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  return JSON.parse(run(consumer, process.execPath, [file]).trim().split('\n').pop()!);
}

describe('the packed package', () => {
  it('ships the built entry points with their type declarations, and no tests', () => {
    const installed = join(consumer, 'node_modules', 'hindsight');
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'string') continue;
      const { types, default: main } = target as { types: string; default: string };
      expect(existsSync(join(installed, main)), main).toBe(true);
      expect(existsSync(join(installed, types)), types).toBe(true);
    }
    const shipped = readdirSync(installed, { recursive: true }).map(String);
    expect(shipped.filter((f) => f.endsWith('.test.ts') || f.endsWith('.test.js'))).toEqual([]);
    // The dashboard ships built (the node serves web/dist at `/`), without the app's source.
    if (existsSync(join(root, 'web/dist/index.html'))) expect(existsSync(join(installed, 'web/dist/index.html'))).toBe(true);
    expect(shipped.filter((f) => f.startsWith('web/src'))).toEqual([]);
  });

  it('runs a community from the package name: engine, signer, embedded client', () => {
    const result = runModule(`
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      import { Engine, Ed25519Signer, signEvent } from 'hindsight';
      import { EmbeddedClient } from 'hindsight/sdk';
      import { EVENT_SCHEMAS } from 'hindsight/events';
      const engine = await Engine.open({ dir: mkdtempSync(join(tmpdir(), 'hindsight-pack-')) });
      const admin = Ed25519Signer.generate();
      const client = new EmbeddedClient(engine, true);
      const genesis = signEvent(admin, { type: 'community.create', community: 'pack-test', prev: null, nonce: 1, time: 1,
        payload: { name: 'pack test', config: { admins: [admin.did], resolver: admin.did }, treasury: '5000000', mint: [{ to: admin.did, amount: '7000000' }] } });
      const reply = await client.submit(genesis);
      const state = await client.state();
      const author = await client.author(admin.did);
      await client.close();
      console.log(JSON.stringify({ reply, seq: state.seq, treasury: state.treasury, balance: author.balance, types: Object.keys(EVENT_SCHEMAS).length }));
    `) as { reply: { seq: number; duplicate: boolean }; seq: number; treasury: string; balance: string; types: number };
    expect(result.reply).toMatchObject({ seq: 1, duplicate: false });
    expect(result).toMatchObject({ seq: 1, treasury: '5000000', balance: '7000000' });
    expect(result.types).toBeGreaterThan(20);
  });

  it("has every name the README's operator example imports", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = readme.slice(readme.indexOf('## Writing an operator')).match(/```ts\n([\s\S]*?)```/)![1]!;
    const imports = [...example.matchAll(/import \{([^}]+)\} from '([^']+)'/g)].map((m) => ({ names: m[1]!.split(',').map((n) => n.trim()), from: m[2]! }));
    expect(imports.map((i) => i.from)).toEqual(['hindsight', 'hindsight/sdk']);
    const missing = runModule(`
      const wanted = ${JSON.stringify(imports)};
      const missing = [];
      for (const { names, from } of wanted) {
        const mod = await import(from);
        for (const name of names) if (typeof mod[name] !== 'function') missing.push(from + ':' + name);
      }
      console.log(JSON.stringify(missing));
    `);
    expect(missing).toEqual([]);
  });

  it('keeps internals private: a deep import is refused', () => {
    const outcome = runModule(`
      try { await import('hindsight/dist/game/apply.js'); console.log(JSON.stringify('imported')); }
      catch (e) { console.log(JSON.stringify(e.code)); }
    `);
    expect(outcome).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
