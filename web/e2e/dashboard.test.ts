import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEvent } from '../../src/events/sign.js';
import { startNode, type RunningNode } from '../../src/node/run-node.js';
import { demoKey } from '../../src/sim/demo-world.js';
import { runDemo } from '../../src/sim/demo.js';
import { CHROMIUM_PATH } from '../../test/support/capabilities.js';

/**
 * The dashboard in real chromium against a node holding a small demo log: every page loads and
 * shows the API's numbers, passes axe (no serious/critical violations), updates live over SSE,
 * and a signed-in did:key session can flag a post. Screenshots go to artifacts/screenshots/.
 */
const root = new URL('../..', import.meta.url).pathname;
const SHOTS = join(root, 'artifacts/screenshots');
const tmp = mkdtempSync(join(tmpdir(), 'hindsight-web-'));
let node: RunningNode;
let base: string;
let browser: Browser;
const SEED = 3;

async function api<T>(path: string): Promise<T> {
  return (await fetch(base + path)).json() as Promise<T>;
}

async function submitAs(role: string, type: string, payload: Record<string, unknown>): Promise<void> {
  const signer = demoKey(SEED, role);
  const community = (await api<{ id: string }>('/v1/community')).id;
  const a = await api<{ head: string | null; nonce: number; }>(`/v1/authors/${signer.did}`);
  const state = await api<{ clock: number }>('/v1/state');
  const ev = signEvent(signer, { type, community, payload, prev: a.head, nonce: a.nonce + 1, time: state.clock + 1 });
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ev) });
  expect(res.status, await res.clone().text()).toBe(202);
}

async function check(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run());
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
  expect(bad, `axe on ${name}`).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(root, 'web'), encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  mkdirSync(SHOTS, { recursive: true });
  const out = join(tmp, 'demo');
  await runDemo({ rounds: 2, items: 12, bootstrap: 160, seed: SEED, out, report: false } as Parameters<typeof runDemo>[0]);
  node = await startNode({ dir: out, port: 0, host: '127.0.0.1', logger: false });
  base = node.url.replace(/\/$/, '');
  // playwright gives every launch a fresh temporary profile (it refuses --user-data-dir here).
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('web dashboard in chromium', () => {
  it('serves the app at / and the API beside it', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('keeps the first load under 300 KB of gzip-compressed JavaScript', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const scripts = [...html.matchAll(/src="\.?\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let gz = 0;
    for (const s of scripts) gz += (await import('node:zlib')).gzipSync(Buffer.from(await (await fetch(`${base}/${s}`)).arrayBuffer())).length;
    expect(gz).toBeLessThan(300 * 1024);
  });

  it('every page loads, shows the API numbers and passes axe', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const state = await api<{ stateHash: string; treasury: string }>('/v1/state');
    await page.goto(`${base}/#/`);
    await expect.poll(() => page.getByTestId('state-hash').textContent()).toBe(state.stateHash);
    expect(await page.getByTestId('treasury').textContent()).toBe((Number(state.treasury) / 1e6).toFixed(2));
    await check(page, 'community');

    const detail = await api<{ totals: { marketLogLoss: number } }>('/v1/rounds/1/detail');
    await page.goto(`${base}/#/round/1`);
    await expect.poll(() => page.getByTestId('market-logloss').textContent()).toBe(detail.totals.marketLogLoss.toFixed(4));
    await check(page, 'round');

    const round = await api<{ items: { id: string }[] }>('/v1/rounds/1');
    const item = round.items[0]!.id;
    const market = await api<{ prices: string[]; outcome: number }>(`/v1/markets/1/${item}`);
    const history = await api<{ trades: { prices: string[] }[] }>(`/v1/markets/1/${item}/history`);
    expect(history.trades.at(-1)!.prices).toEqual(market.prices);
    await page.goto(`${base}/#/market/1/${item}`);
    await expect.poll(() => page.getByTestId('price').textContent()).toBe((Number(market.prices[1]) / 1e12).toFixed(4));
    expect(await page.getByTestId('trades').textContent()).toBe(String(history.trades.length));
    expect(await page.getByTestId('outcome').textContent()).toBe(String(market.outcome));
    await check(page, 'market');

    const lines = await api<{ lines: { latest: string; name: string }[]; method: string }>('/v1/lines?window=5');
    await page.goto(`${base}/#/leaderboard`);
    await expect.poll(() => page.getByTestId('lines').locator('tbody tr').count()).toBe(lines.lines.length + 1);
    expect(await page.getByTestId('calibration-method').textContent()).toContain('ten equal-width buckets');
    await check(page, 'leaderboard');

    await page.goto(`${base}/#/model/${lines.lines[0]!.latest}`);
    await expect.poll(() => page.getByTestId('model-hash').textContent()).toBe(lines.lines[0]!.latest);
    await check(page, 'model');

    await page.goto(`${base}/#/fl`);
    await expect.poll(() => page.getByRole('heading', { name: 'Federated learning tasks' }).count()).toBe(1);
    await check(page, 'fl');

    await page.goto(`${base}/#/feed`);
    await expect.poll(() => page.getByTestId('spam-prob').count()).toBeGreaterThan(0);
    await check(page, 'feed');
    await page.close();
  }, 90_000);

  it('updates live over SSE; a did:key session signs join, bond and the flag submission', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/`);
    await expect.poll(() => page.getByTestId('seq').textContent()).toBe(String((await api<{ seq: number }>('/v1/state')).seq));
    const seed = createHash('sha256').update('next').digest('hex');
    await submitAs('admin', 'round.schedule', {
      round: 3, subsidyPerItem: '10000000', tradingDeadline: 9_000_000_000_000, revealDeadline: 9_000_000_100_000,
      seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
    });
    await expect.poll(() => page.getByRole('link', { name: 'Round 3' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => page.getByTestId('seq').textContent()).toBe(String((await api<{ seq: number }>('/v1/state')).seq));

    await page.getByRole('button', { name: /Sign in/ }).click();
    const did = (await page.getByTestId('session-did').getAttribute('title'))!;
    expect(did).toMatch(/^did:key:z/);
    await submitAs('admin', 'ledger.mint', { to: did, amount: '1000000000' });
    await page.goto(`${base}/#/feed`);
    await page.getByRole('button', { name: 'Flag as spam' }).first().click();
    // The page joined and bonded the session, then signed item.submit for round 3; the demo
    // community takes no member items (no config.items), so the node refuses it with its code.
    await expect.poll(() => page.getByTestId('flag-status').textContent(), { timeout: 15_000 }).toContain('items.disabled');
    const members = await api<{ members: { did: string; bond: string }[] }>('/v1/members');
    expect(members.members.find((m) => m.did === did)?.bond).not.toBe('0');
    expect((await api<{ submissions: unknown[] }>('/v1/rounds/3/detail')).submissions).toEqual([]);
    await page.close();
  }, 60_000);
});
