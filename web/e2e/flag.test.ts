import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { canonicalDid } from '../../src/events/did.js';
import { loadKey } from '../../src/events/keys.js';
import { signEvent } from '../../src/events/sign.js';
import { startNode, type RunningNode } from '../../src/node/run-node.js';
import { runDemo } from '../../src/sim/demo.js';
import { humanReport } from '../../src/sim/demo-text.js';
import { testKey, units } from '../../test/support/harness.js';
import { buildWebApp, checkPage, getJson, launchChromium, postAs } from './support.js';

/**
 * Flagging a post on the spam feed, in chromium, as a signed-in member: the finished demo takes
 * the flag as a candidate item of the round it leaves scheduled, the node logs the member's
 * item.submit and the feed and round page list it as such; in a community whose round then
 * opens, the page publishes the item's key and the post comes back as a member item with its
 * market. Refusals say why: the page's own (no funds: nothing signed) or the node's exact error.
 */
const tmp = mkdtempSync(join(tmpdir(), 'hindsight-flag-'));
const SEED = 5;
let browser: Browser;
let demo: RunningNode;
let base: string;

type Logged = { events: { type: string; author: string; cid: string; event: { payload: Record<string, unknown> } }[] };

async function signIn(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Sign in (did:key session)' }).click();
  const did = (await page.getByTestId('session-did').getAttribute('title'))!;
  expect(did).toMatch(/^did:key:z/);
  return did;
}

const status = (page: Page) => page.getByTestId('flag-status').textContent();

const out = join(tmp, 'demo');

beforeAll(async () => {
  const [, result] = await Promise.all([buildWebApp(), runDemo({ rounds: 1, items: 12, bootstrap: 160, seed: SEED, out, report: false })]);
  // What `hindsight demo` prints says where flags go and how to fund a browser identity.
  expect(humanReport(result)).toContain(`flag posts (spam feed) into round 2, left scheduled for them: fund your browser's identity with hindsight ledger transfer --key ${out}/visitor.key --to <its DID>`);
  demo = await startNode({ dir: out, port: 0, host: '127.0.0.1', logger: false });
  base = demo.url.replace(/\/$/, '');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('flagging a post as spam', () => {
  it('in the finished demo: refused without funds before anything is signed, then logged as the member item.submit of the next round and shown on the feed and round page', async () => {
    const state = await getJson<{ rounds: { round: number; phase: string }[]; seq: number }>(base, '/v1/state');
    // The demo leaves the round after its last one scheduled, in a community that takes text items.
    expect(state.rounds.map((r) => [r.round, r.phase])).toEqual([[1, 'settled'], [2, 'scheduled']]);
    expect((await getJson<{ config: { items?: { formats: string[] } } }>(base, '/v1/community')).config.items?.formats).toEqual(['text']);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/feed`);
    await expect.poll(() => page.getByTestId('spam-prob').count()).toBeGreaterThan(0);
    const flag = page.getByRole('button', { name: 'Flag as spam' }).first();
    await flag.click();
    await expect.poll(() => status(page)).toBe('Sign in first (did:key session or wallet) to flag a post.');

    const did = await signIn(page);
    await flag.click();
    // 100 units of member bond (the committee's minimum) and the 5-unit item bond; nothing is logged.
    await expect.poll(() => status(page)).toBe(`Not submitted: flagging needs 105.00 units (100.00 member bond + 5.00 item bond); this identity's balance is 0.00 units. A member can send units to ${did} (hindsight ledger transfer --to it).`);
    expect((await getJson<{ seq: number }>(base, '/v1/state')).seq).toBe(state.seq);

    // What the demo prints: the visitor key it funded and wrote beside the log pays the bonds.
    await postAs(base, loadKey(join(out, 'visitor.key')), 'ledger.transfer', { to: did, amount: units(200) }, Date.now());
    const head = (await getJson<{ seq: number }>(base, '/v1/state')).seq;
    await flag.click();
    await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/^Flagged: the post is now candidate item s-[a-z2-7]{20} for round 2, sealed until that round opens/);
    const logged = await getJson<Logged>(base, `/v1/events?after=${head}`);
    expect(logged.events.map((e) => [e.type, e.author])).toEqual([['member.join', did], ['member.bond', did], ['item.submit', did]]);
    const submit = logged.events[2]!;
    expect(submit.event.payload).toMatchObject({ round: 2, outcomes: 2 });
    const item = `s-${submit.cid.slice(-20)}`;
    expect((await status(page))!).toContain(item);
    expect((await getJson<{ submissions: unknown[] }>(base, '/v1/rounds/2/detail')).submissions).toEqual([{ id: item, submitter: did, status: 'pending', voidReason: null }]);
    expect((await getJson<{ pending: unknown[] }>(base, '/v1/feed')).pending).toEqual([{ round: 2, id: item, submitter: did, status: 'pending' }]);

    const row = page.locator(`[data-testid=candidates] tr[data-item="${item}"]`);
    await expect.poll(() => row.getByTestId('candidate-status').textContent()).toBe('sealed until its round opens');
    expect(await row.textContent()).toContain('(this browser)');
    await checkPage(page, 'feed-flagged');
    await page.goto(`${base}/#/round/2`);
    await expect.poll(() => row.getByTestId('candidate-status').textContent()).toBe('sealed until its round opens');
    await checkPage(page, 'round-candidates');
    await page.close();
  }, 90_000);

  it('in a community whose round opens: a flag over the quota shows the node\'s error; the page publishes the key and the post returns as a member item with a market', async () => {
    // A community taking one text item per member per round, round 1 scheduled on the real clock.
    const dir = join(tmp, 'open');
    const admin = testKey('flag-admin');
    const engine = await Engine.open({ dir });
    const now = Date.now();
    let nonce = 0;
    let prev: string | null = null;
    const adminEvent = async (type: string, payload: Record<string, unknown>): Promise<void> => {
      const ev = signEvent(admin, { type, community: 'flags', prev, nonce: ++nonce, time: now, payload });
      const receipt = await engine.submit(ev);
      prev = receipt.cid;
    };
    await adminEvent('community.create', { name: 'flags', config: { trading: 'continuous', admins: [admin.did], resolver: admin.did, items: { perMemberQuota: 1, formats: ['text'] } }, treasury: units(1000), mint: [] });
    await adminEvent('round.schedule', { round: 1, subsidyPerItem: units(10), tradingDeadline: now + 600_000, revealDeadline: now + 1_200_000, seedCommitment: createHash('sha256').update(Buffer.alloc(32)).digest('hex') });
    await adminEvent('round.items', { round: 1, items: [{ id: 'p1', outcomes: 2, input: { text: 'WIN a FREE cruise!!! reply YES now' } }, { id: 'p2', outcomes: 2, input: { text: 'lunch at noon?' } }] });
    await engine.close();
    const node = await startNode({ dir, port: 0, host: '127.0.0.1', logger: false });
    try {
      const url = node.url.replace(/\/$/, '');
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${url}/#/feed`);
      await expect.poll(() => page.getByRole('button', { name: 'Flag as spam' }).count()).toBe(2);
      const did = await signIn(page);
      await postAs(url, admin, 'ledger.mint', { to: did, amount: units(20) }, Date.now());
      await page.getByRole('button', { name: 'Flag as spam' }).first().click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/^Flagged: the post is now candidate item s-[a-z2-7]{20} for round 1/);
      const item = (await getJson<{ pending: { id: string }[] }>(url, '/v1/feed')).pending[0]!.id;

      // The second flag meets the game's per-member quota: the node's code and message, as sent.
      const seq = (await getJson<{ seq: number }>(url, '/v1/state')).seq;
      await page.getByRole('button', { name: 'Flag as spam' }).nth(1).click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe('Refused by the node: item.quota: round: expected at most 1 items per member per round, got 2');
      expect((await getJson<{ seq: number }>(url, '/v1/state')).seq).toBe(seq);

      await postAs(url, admin, 'round.open', { round: 1 }, Date.now());
      const row = page.locator(`[data-testid=candidates] tr[data-item="${item}"]`);
      await expect.poll(() => row.getByTestId('candidate-status').textContent(), { timeout: 10_000 }).toBe('sealed: key due before the trading deadline');
      await row.getByRole('button', { name: 'Publish key' }).click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toMatch(/^Key published/);
      const logged = await getJson<Logged>(url, `/v1/events?after=${seq + 1}`);
      expect(logged.events.map((e) => [e.type, e.author])).toEqual([['item.key', did]]);
      expect((await getJson<{ submissions: unknown[] }>(url, '/v1/rounds/1/detail')).submissions).toEqual([{ id: item, submitter: did, status: 'valid', voidReason: null }]);
      // The flagged text is public now, as a member item with its own market; the item bond is back.
      const post = page.locator('article', { hasText: 'member item' });
      await expect.poll(() => post.count(), { timeout: 10_000 }).toBe(1);
      expect(await post.textContent()).toContain('WIN a FREE cruise!!! reply YES now');
      expect(await post.getByTestId('spam-prob').textContent()).toBe('0.500');
      expect(await page.locator('[data-testid=candidates]').count()).toBe(0);
      const member = (await getJson<{ members: { did: string; bond: string; balance: string }[] }>(url, '/v1/members')).members.find((m) => m.did === canonicalDid(did))!;
      expect(BigInt(member.balance) + BigInt(member.bond)).toBe(BigInt(units(20)));
      await checkPage(page, 'feed-member-item');
      await page.close();
    } finally {
      await node.close();
    }
  }, 90_000);
});
