import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEvent } from '../../src/events/sign.js';
import { startNode, type RunningNode } from '../../src/node/run-node.js';
import { demoKey } from '../../src/sim/demo-world.js';
import { runDemo } from '../../src/sim/demo.js';
import { humanReport } from '../../src/sim/demo-text.js';
import { privateKeyToAccount } from 'viem/accounts';
import type { Hex } from 'viem';
import { Engine } from '../../src/engine/engine.js';
import { canonicalDid } from '../../src/events/did.js';
import { eventCid } from '../../src/events/envelope.js';
import { modelHashOf } from '../../src/ml/artifact.js';
import { beliefFromScores, decodePublicSignals, zkKeyId } from '../../src/statement/index.js';
import { terminateCurve } from '../../src/zk/curve.js';
import { buildModelCircuit, proveInference } from '../../src/zk/inference.js';
import { InferenceService } from '../../src/node/inference-service.js';
import type { FeaturizerSpec } from '../../src/ml/artifact-types.js';
import { testKey, units } from '../../test/support/harness.js';
import { randomInputs, randomLogReg, seededRandom } from '../../test/support/test-models.js';
import { buildWebApp, checkPage as check, launchChromium, postAs, SHOTS } from './support.js';

/**
 * The dashboard in real chromium against a node holding a small demo log: every page loads and
 * shows the API's numbers, passes axe (no serious/critical violations), updates live over SSE,
 * a signed-in did:key session or an EIP-1193 wallet (a real local secp256k1 key) can flag a post,
 * and the model page verifies a real Groth16 proof with snarkjs in the page. Screenshots go to
 * artifacts/screenshots/.
 */
const tmp = mkdtempSync(join(tmpdir(), 'hindsight-web-'));
let node: RunningNode;
let base: string;
let browser: Browser;
const SEED = 3;

async function api<T>(path: string): Promise<T> {
  return (await fetch(base + path)).json() as Promise<T>;
}

async function submitAs(role: string, type: string, payload: Record<string, unknown>): Promise<void> {
  await postAs(base, demoKey(SEED, role), type, payload);
}

beforeAll(async () => {
  await buildWebApp();
  const out = join(tmp, 'demo');
  const demo = await runDemo({ rounds: 2, items: 12, bootstrap: 160, seed: SEED, out, report: false } as Parameters<typeof runDemo>[0]);
  // What `hindsight demo` prints ends with the command that opens this log in the dashboard.
  expect(humanReport(demo)).toContain(`dashboard: hindsight node start --dir ${out}, then open http://127.0.0.1:8080/`);
  node = await startNode({ dir: out, port: 0, host: '127.0.0.1', logger: false });
  base = node.url.replace(/\/$/, '');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
  await terminateCurve();
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
    for (const s of scripts) {
      const code = Buffer.from(await (await fetch(`${base}/${s}`)).arrayBuffer());
      // React's production build: its development build and dev JSX nearly double the first load.
      expect(code.includes('jsxDEV'), `${s}: expected a production build`).toBe(false);
      gz += (await import('node:zlib')).gzipSync(code).length;
    }
    expect(gz).toBeLessThan(300 * 1024);
  });

  it('every page loads, shows the API numbers and passes axe', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const state = await api<{ stateHash: string; treasury: string }>('/v1/state');
    await page.goto(`${base}/#/`);
    await expect.poll(() => page.getByTestId('state-hash').textContent()).toBe(state.stateHash);
    expect(await page.getByTestId('treasury').textContent()).toBe((Number(state.treasury) / 1e6).toFixed(2));
    await expect.poll(() => page.getByTestId('followers').textContent()).toBe(String((await api<{ followers: number }>('/healthz')).followers));
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
    // The report's P&L figure, drawn from its own vega-lite spec by vega-embed (a chunk loaded here).
    await expect.poll(() => page.locator('[data-testid=pnl-figure] svg path').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await check(page, 'leaderboard');

    await page.goto(`${base}/#/model/${lines.lines[0]!.latest}`);
    await expect.poll(() => page.getByTestId('model-hash').textContent()).toBe(lines.lines[0]!.latest);
    await check(page, 'model');

    await page.goto(`${base}/#/fl`);
    await expect.poll(() => page.getByRole('heading', { name: 'Federated learning tasks' }).count()).toBe(1);
    expect(await page.getByTestId('fl-method').textContent()).toBe((await api<{ method: string }>('/v1/fl/tasks')).method);
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
      round: 4, subsidyPerItem: '10000000', tradingDeadline: 9_000_000_000_000, revealDeadline: 9_000_000_100_000,
      seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
    });
    await expect.poll(() => page.getByRole('link', { name: 'Round 4' }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => page.getByTestId('seq').textContent()).toBe(String((await api<{ seq: number }>('/v1/state')).seq));

    await page.getByRole('button', { name: 'Sign in (did:key session)' }).click();
    const did = (await page.getByTestId('session-did').getAttribute('title'))!;
    expect(did).toMatch(/^did:key:z/);
    await submitAs('admin', 'ledger.mint', { to: did, amount: '1000000000' });
    await page.goto(`${base}/#/feed`);
    await page.getByRole('button', { name: 'Flag as spam' }).first().click();
    // The page joined and bonded the session, then signed item.submit for round 3, the round the
    // demo leaves scheduled for flags (the flag itself: web/e2e/flag.test.ts).
    await expect.poll(() => page.getByTestId('flag-status').textContent(), { timeout: 15_000 }).toContain('candidate item');
    const members = await api<{ members: { did: string; bond: string }[] }>('/v1/members');
    expect(members.members.find((m) => m.did === did)?.bond).not.toBe('0');
    expect((await api<{ submissions: unknown[] }>('/v1/rounds/3/detail')).submissions).toMatchObject([{ submitter: did, status: 'pending' }]);
    await page.close();
  }, 60_000);
  it('an EIP-1193 wallet (local secp256k1 key) delegates to a browser session key that signs as its did:pkh', async () => {
    // The provider is a real key (viem's local account) behind window.ethereum, as a wallet extension injects it.
    const account = privateKeyToAccount(`0x${createHash('sha256').update('dashboard wallet').digest('hex')}` as Hex);
    const pkh = `did:pkh:eip155:1:${account.address}`;
    const asked: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.exposeFunction('walletRequest', async (method: string, params: unknown[]) => {
      asked.push(method);
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [account.address];
      if (method === 'eth_chainId') return '0x1';
      if (method === 'personal_sign') {
        if (String(params[1]).toLowerCase() !== account.address.toLowerCase()) throw new Error(`personal_sign for another account: ${String(params[1])}`);
        return account.signMessage({ message: { raw: params[0] as Hex } });
      }
      throw new Error(`wallet: unsupported method ${method}`);
    });
    await page.addInitScript(() => {
      const w = window as unknown as { ethereum: unknown; walletRequest(m: string, p: unknown[]): Promise<unknown> };
      w.ethereum = { request: ({ method, params }: { method: string; params?: unknown[] }) => w.walletRequest(method, params ?? []) };
    });
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(r.url()));
    await page.goto(`${base}/#/feed`);
    await expect.poll(() => page.getByTestId('spam-prob').count()).toBeGreaterThan(0);
    const beforeSignIn = loaded.length;
    await page.getByRole('button', { name: 'Sign in with wallet' }).click();
    await expect.poll(() => page.getByTestId('session-did').getAttribute('title')).toBe(pkh);
    expect(asked).toEqual(['eth_requestAccounts', 'eth_chainId', 'personal_sign']);
    // The wallet code is a chunk of its own, fetched on the click, not part of the first load.
    expect(loaded.slice(beforeSignIn).some((u) => /\/assets\/wallet-[^/]+\.js$/.test(u))).toBe(true);

    await submitAs('admin', 'ledger.mint', { to: pkh, amount: '1000000000' });
    const head = (await api<{ seq: number }>('/v1/state')).seq;
    await page.getByRole('button', { name: 'Flag as spam' }).first().click();
    await expect.poll(() => page.getByTestId('flag-status').textContent(), { timeout: 15_000 }).toContain('candidate item');
    // The node logged join, bond and the flag's item.submit authored by the wallet's did:pkh,
    // signed by the session did:key the wallet's CACAO names.
    const logged = await api<{ events: { type: string; author: string; event: { signer?: string; cacao?: { p: { iss: string; aud: string } } } }[] }>(`/v1/events?after=${head}`);
    expect(logged.events.map((e) => e.type)).toEqual(['member.join', 'member.bond', 'item.submit']);
    for (const e of logged.events) {
      expect(e.author).toBe(pkh);
      expect(e.event.signer).toMatch(/^did:key:z/);
      expect(e.event.cacao?.p).toMatchObject({ iss: pkh, aud: e.event.signer });
    }
    const members = await api<{ members: { did: string; bond: string }[] }>('/v1/members');
    expect(members.members.find((m) => m.did === pkh)?.bond).not.toBe('0');
    await page.close();
  }, 60_000);

  it('the model page verifies a real Groth16 proof in the page and refuses a tampered one', async () => {
    // A small community with one proven trade (an 8-feature logistic regression; the circuit
    // setup is cached by shape and shared with the proof-carrying trade tests).
    const dir = join(tmp, 'zk');
    const admin = testKey('admin');
    const alice = testKey('alice');
    const model = randomLogReg(8, 2, true, { seed: 21 });
    const circuit = await buildModelCircuit(model, { binding: 'public', items: 1 });
    const hash = await modelHashOf(model);
    const features = randomInputs(seededRandom(5), 8, circuit.layout.input.bits, circuit.layout.input.signed);
    const engine = await Engine.open({ dir });
    let time = 1_000;
    const submit = async (signer: typeof admin, type: string, payload: Record<string, unknown>): Promise<string> => {
      const a = engine.state.authors.get(canonicalDid(signer.did));
      const ev = signEvent(signer, { type, community: 'zk', prev: a?.head ?? null, nonce: (a?.nonce ?? 0) + 1, time: time++, payload });
      await engine.submit(ev);
      return eventCid(ev);
    };
    await submit(admin, 'community.create', { name: 'zk', config: { trading: 'continuous', admins: [admin.did], resolver: admin.did, requireProofs: true }, treasury: units(1000), mint: [{ to: alice.did, amount: units(100) }] });
    const key = { vkey: circuit.setup.vkey, layout: circuit.layout };
    await submit(admin, 'zk.vkey', key);
    await submit(alice, 'model.commit', { modelHash: hash, architecture: 'logreg-8', name: 'A', vkey: zkKeyId(key) });
    await submit(admin, 'round.schedule', { round: 1, subsidyPerItem: units(10), tradingDeadline: time + 100_000, revealDeadline: time + 200_000, seedCommitment: createHash('sha256').update(Buffer.alloc(32)).digest('hex') });
    await submit(admin, 'round.items', { round: 1, items: [{ id: 'x0', outcomes: 2, input: { features } }] });
    await submit(admin, 'round.open', { round: 1 });
    const proof = await proveInference(circuit, model, [features]);
    const belief = beliefFromScores(decodePublicSignals(circuit.layout, proof.publicSignals).items[0]!.scores, circuit.layout.scaleBits).map(Number);
    const cid = await submit(alice, 'trade.execute', { round: 1, item: 'x0', model: hash, trade: { kind: 'belief', belief, maxCost: units(5) }, proof: { proof: proof.proof, publicSignals: proof.publicSignals } });
    await engine.close();
    const zkNode = await startNode({ dir, port: 0, host: '127.0.0.1', logger: false });
    try {
      const zkBase = zkNode.url.replace(/\/$/, '');
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${zkBase}/#/model/${hash}`);
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.getByTestId('verify-status').textContent(), { timeout: 30_000 }).toBe('verified');
      await page.screenshot({ path: join(SHOTS, 'model-verified-desktop.png') });
      // The same proof with one public signal changed on its way to the page: snarkjs refuses it.
      await page.route(`**/v1/proofs/${cid}`, async (route) => {
        const body = await (await route.fetch()).json() as { publicSignals: string[] };
        body.publicSignals[0] = (BigInt(body.publicSignals[0]!) + 1n).toString();
        await route.fulfill({ json: body });
      });
      await page.reload();
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.getByTestId('verify-status').textContent(), { timeout: 30_000 }).toBe('refused: the proof does not verify');
      await page.close();
    } finally {
      await zkNode.close();
    }
  }, 120_000);

  it('the model page asks the node for a served answer and checks it in the page; an altered score or proof is refused', async () => {
    // Two text models (6 hashed unigram buckets) on one hash-bound circuit, cached by shape and
    // shared with src/cli/served-answer.test.ts; a node serving both (`node start --models`).
    const dir = join(tmp, 'served');
    const admin = testKey('admin');
    const owners = [testKey('alice'), testKey('bob')];
    const unigrams: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: 6, ngrams: [1], lowercase: true, transform: 'binary' };
    const models = [41, 42].map((seed, i) => ({ ...randomLogReg(6, 2, true, { seed, featurizer: unigrams }), name: ['strong', 'weak'][i]! }));
    const circuit = await buildModelCircuit(models[0]!, { binding: 'hash', items: 1 });
    const key = { vkey: circuit.setup.vkey, layout: circuit.layout };
    const engine = await Engine.open({ dir });
    let time = 1_000;
    const submit = async (signer: typeof admin, type: string, payload: Record<string, unknown>): Promise<void> => {
      const a = engine.state.authors.get(canonicalDid(signer.did));
      await engine.submit(signEvent(signer, { type, community: 'served', prev: a?.head ?? null, nonce: (a?.nonce ?? 0) + 1, time: time++, payload }));
    };
    await submit(admin, 'community.create', { name: 'served', config: { trading: 'continuous', admins: [admin.did], resolver: admin.did }, treasury: units(1000), mint: owners.map((o) => ({ to: o.did, amount: units(100) })) });
    await submit(admin, 'zk.vkey', key);
    const hashes: string[] = [];
    for (const [i, m] of models.entries()) {
      hashes.push(await modelHashOf(m));
      await submit(owners[i]!, 'model.commit', { modelHash: hashes[i], architecture: 'logreg-6', name: m.name, vkey: zkKeyId(key), featurizer: unigrams });
    }
    await engine.close();
    const servedNode = await startNode({ dir, port: 0, host: '127.0.0.1', logger: false, models: await InferenceService.create(models) });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const loaded: string[] = [];
      page.on('request', (r) => loaded.push(r.url()));
      let answer: { components: { scores: string[]; proof: { pi_a: string[] } }[] } | undefined;
      await page.route('**/v1/predict', async (route) => {
        answer ??= await (await route.fetch()).json();
        await route.fulfill({ json: tamper(structuredClone(answer!)) });
      });
      let tamper = <T,>(a: T): T => a;
      let last: string | null = null;
      const ask = async (): Promise<string | null> => {
        await page.getByRole('button', { name: 'Ask the node and verify' }).click();
        const status = page.getByTestId('served-status');
        await expect.poll(async () => ((await status.count()) === 1 ? status.textContent() : null), { timeout: 60_000 }).toMatch(/^(verified|refused)/);
        await expect.poll(() => status.textContent()).not.toBe(last);
        return (last = await status.textContent());
      };
      await page.goto(`${servedNode.url.replace(/\/$/, '')}/#/model/${hashes[0]}`);
      await page.getByLabel('Text of a post').fill('Cheap pills: win money now');
      expect(await ask()).toMatch(/^verified \S+ \(.*\): 2 proofs, weights and blend recomputed, checked against the log$/);
      expect(await page.getByTestId('served-this-model').textContent()).toContain('strong (this model)');
      // snarkjs and Poseidon are chunks fetched on the click, not part of the first load.
      expect(loaded.some((u) => /\/assets\/browser\.esm-[^/]+\.js$/.test(u))).toBe(true);
      await check(page, 'model-served');
      for (const [width, height, name] of [[390, 844, 'phone'], [1280, 800, 'desktop']] as const) {
        await page.setViewportSize({ width, height });
        await page.getByTestId('served-status').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `model-served-answer-${name}.png`) });
      }
      // The same answer with one claimed score raised, then with one proof point moved: refused.
      tamper = (a) => { (a as typeof answer)!.components[1]!.scores[0] = (BigInt((a as typeof answer)!.components[1]!.scores[0]!) + 1n).toString(); return a; };
      expect(await ask()).toMatch(/^refused: zk\.claimMismatch: components\[1\]\.scores: expected the proven /);
      tamper = (a) => { (a as typeof answer)!.components[0]!.proof.pi_a[0] = (BigInt((a as typeof answer)!.components[0]!.proof.pi_a[0]!) + 1n).toString(); return a; };
      expect(await ask()).toMatch(/^refused: zk\.proofInvalid: components\[0\]: /);
      await page.close();
    } finally {
      await servedNode.close();
    }
  }, 180_000);
});
