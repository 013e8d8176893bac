import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Signer } from '../../src/events/keys.js';
import { signEvent } from '../../src/events/sign.js';
import { CHROMIUM_PATH } from '../../test/support/capabilities.js';

/**
 * Setup shared by the dashboard's browser tests: the built app, Debian's chromium, the axe check
 * with screenshots, and events signed and posted to a node as a given key.
 */
export const ROOT = new URL('../..', import.meta.url).pathname;
export const SHOTS = join(ROOT, 'artifacts/screenshots');
const DIST = join(ROOT, 'web/dist');
const STAMP = join(ROOT, '.cache/web-build/inputs.sha256');
const LOCK = join(ROOT, '.cache/web-build/lock');

/** sha256 over every file the app can be built from: web/ (but its output) and src/ (the app imports shared code from it). */
function inputsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'e2e' || name.startsWith('dist')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.test.ts')) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'web'));
  walk(join(ROOT, 'src'));
  hash.update(readFileSync(join(ROOT, 'package-lock.json')));
  return hash.digest('hex');
}

/**
 * Builds web/dist unless it was built from these very inputs. Test files run two at a time and a
 * node of one may be serving web/dist while another starts: the build goes to a folder of its own
 * and replaces web/dist by renames, under a lock, and is skipped when nothing changed.
 */
export async function buildWebApp(): Promise<void> {
  mkdirSync(join(ROOT, '.cache/web-build'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than any build is left by a killed run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 300_000) throw new Error(`web build: lock ${LOCK} held for over 300 s`);
      await sleep(250);
    }
  }
  try {
    const inputs = inputsHash();
    if (existsSync(join(DIST, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputs) return;
    const out = join(ROOT, `web/dist.build-${process.pid}`);
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { cwd: join(ROOT, 'web'), encoding: 'utf8' });
    if (build.status !== 0) {
      rmSync(out, { recursive: true, force: true });
      throw new Error(`vite build failed: ${build.stderr}`);
    }
    const old = join(ROOT, `web/dist.old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(out, DIST);
    rmSync(old, { recursive: true, force: true });
    writeFileSync(STAMP, inputs);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  // playwright gives every launch a fresh temporary profile (it refuses --user-data-dir here).
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** axe-core finds no serious or critical violation; then screenshots at desktop and phone widths. */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run());
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
  expect(bad, `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

export async function getJson<T>(base: string, path: string): Promise<T> {
  return (await fetch(base + path)).json() as Promise<T>;
}

/**
 * Signs `type` as `signer` on its chain at the node and posts it; `time` defaults to just after
 * the node's clock (simulated demo times). Expects the node to take it (202).
 */
export async function postAs(base: string, signer: Signer, type: string, payload: Record<string, unknown>, time?: number): Promise<{ cid: string; seq: number }> {
  const community = (await getJson<{ id: string }>(base, '/v1/community')).id;
  const a = await getJson<{ head: string | null; nonce: number }>(base, `/v1/authors/${encodeURIComponent(signer.did)}`);
  const at = time ?? (await getJson<{ clock: number }>(base, '/v1/state')).clock + 1;
  const ev = signEvent(signer, { type, community, payload, prev: a.head, nonce: a.nonce + 1, time: at });
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ev) });
  const body = await res.text();
  expect(res.status, body).toBe(202);
  return JSON.parse(body) as { cid: string; seq: number };
}
