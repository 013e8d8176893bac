import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../node/run-node.js';
import { demoKey, units } from '../sim/demo-world.js';
import { HttpClient } from './http-client.js';
import { Operator } from './operator.js';
import { EventChain } from './operator-chain.js';
import { PublicHistory } from './operator-history.js';
import { MlStrategy } from './operators/ml-strategy.js';

const root = mkdtempSync(join(tmpdir(), 'hindsight-operator-http-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Operator over HTTP', () => {
  it('trains on a bootstrap corpus, commits, trades, reveals and is paid through a live node', async () => {
    const node = await startNode({ dir: root, port: 0, logger: false, rateLimit: false, admin: demoKey(5, 'admin').did });
    try {
      const admin = new EventChain(demoKey(5, 'admin'), 'http-op');
      const signer = demoKey(5, 'operator');
      const t0 = Date.UTC(2026, 0, 1);
      await node.engine.submit(admin.next('community.create', { name: 'HTTP operator test', config: { admins: [admin.did], resolver: admin.did }, treasury: units(1000).toString(), mint: [{ to: signer.did, amount: units(1000).toString() }] }, t0));
      const client = new HttpClient(node.url);
      const words = (spam: boolean, i: number) => (spam ? `win cash prize now offer ${i}` : `meeting notes project agenda ${i}`);
      const bootstrap = Array.from({ length: 40 }, (_, i) => ({ round: 0, item: `b${i}`, outcomes: 2, input: { text: words(i % 2 === 1, i) }, label: i % 2 }));
      const op = new Operator({ client, signer, strategy: new MlStrategy({ name: 'lr', family: 'logreg', buckets: 256, ngrams: [1] }), history: new PublicHistory(client, { bootstrap }) });
      const seed = 'ab'.repeat(32);
      const items = [0, 1, 2, 3].map((i) => ({ id: `i${i}`, outcomes: 2, input: { text: words(i % 2 === 1, 100 + i) } }));
      for (const [type, payload] of [
        ['round.schedule', { round: 1, subsidyPerItem: units(10).toString(), tradingDeadline: t0 + 1000, revealDeadline: t0 + 2000, seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') }],
        ['round.items', { round: 1, items }],
      ] as const) await node.engine.submit(admin.next(type, payload, t0));
      await op.submit(await op.step(t0 + 10)); // the round is scheduled: train + model.commit
      await node.engine.submit(admin.next('round.open', { round: 1 }, t0 + 20));
      await op.submit(await op.step(t0 + 30)); // trading: four sealed commits
      expect(op.rounds.get(1)!.trades.size).toBe(4);
      await node.engine.submit(admin.next('round.close', { round: 1 }, t0 + 1000));
      await op.submit(await op.step(t0 + 1100)); // revealing
      await node.engine.submit(admin.next('round.resolve', { round: 1, seed, labels: items.map((it, i) => ({ item: it.id, outcome: i % 2 })) }, t0 + 1200));
      await node.engine.submit(admin.next('round.settle', { round: 1 }, t0 + 1300));
      const row = (await client.leaderboard()).find((r) => r.hash === op.rounds.get(1)!.model.modelHash)!;
      expect(row.itemsTraded).toBe(4);
      expect(BigInt(row.pnl)).toBeGreaterThan(0n);
      expect(BigInt((await client.author(signer.did)).balance)).toBeGreaterThan(units(1000));
      expect(await op.payouts()).toEqual([{ round: 1, modelHash: row.hash, pnl: BigInt(row.pnl) }]);
    } finally {
      await node.close();
    }
  });
});
