import { createHash } from 'node:crypto';
import type { BenchOptions } from './bench-types.js';
import { signEvent } from '../src/events/sign.js';
import { verifyEd25519 } from '../src/events/keys.js';
import { verifyEvent } from '../src/events/verify.js';
import { eventCid, type SignedEvent } from '../src/events/envelope.js';
import { cidString } from '../src/core/encoding.js';
import { testKey, units, belief } from '../test/support/harness.js';
import { execute } from '../src/game/apply.js';
import { emptyState } from '../src/game/state.js';
import { tradeCommitment } from '../src/game/trades.js';
import { conservation } from '../src/game/ledger.js';
import { pseudoModelHash } from '../src/statement/index.js';

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
/** Trader t's model: a model hash that names no artifact (the bench proves nothing), computed once. */
const benchModels: string[] = [];
const benchModel = (t: number): string => (benchModels[t] ??= pseudoModelHash(`bench-model-${t}`));

type Actor = { signer: ReturnType<typeof testKey>; prev: string | null; nonce: number };

function setup(trading: 'sealed' | 'continuous', traders: number, items: number, subsidy: bigint) {
  const state = emptyState();
  const admin: Actor = { signer: testKey('bench-admin'), prev: null, nonce: 0 };
  const actors = Array.from({ length: traders }, (_, i): Actor => ({ signer: testKey(`bench-trader-${i}`), prev: null, nonce: 0 }));
  let time = 1_000;
  /** Applies an event without signing or verifying: the game logic alone. */
  const direct = (actor: Actor, type: string, payload: Record<string, unknown>) => {
    actor.nonce += 1;
    const cid = cidString([actor.signer.did, actor.nonce]);
    const event = { v: 1, type, community: 'bench', author: actor.signer.did, prev: actor.prev, nonce: actor.nonce, time, payload, sig: '' } as SignedEvent;
    execute(state, { event, payload, cid });
    actor.prev = cid;
  };
  direct(admin, 'community.create', {
    name: 'bench',
    config: { trading, admins: [admin.signer.did], resolver: admin.signer.did, maxPayloadBytes: 65536, snapshotEvery: 10000, requireProofs: false },
    treasury: (subsidy * BigInt(items) * 2n).toString(),
    mint: actors.map((a) => ({ to: a.signer.did, amount: units(10_000_000) })),
  });
  actors.forEach((a, i) => direct(a, 'model.commit', { modelHash: benchModel(i), architecture: 'lr', name: `m${i}` }));
  const seed = createHash('sha256').update('bench-seed').digest('hex');
  direct(admin, 'round.schedule', { round: 1, subsidyPerItem: subsidy.toString(), tradingDeadline: 1_000_000, revealDeadline: 2_000_000, seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') });
  for (let i = 0; i < items; i += 500) {
    direct(admin, 'round.items', { round: 1, items: Array.from({ length: Math.min(500, items - i) }, (_, j) => ({ id: `it${i + j}`, outcomes: 2, input: { text: '' } })) });
  }
  direct(admin, 'round.open', { round: 1 });
  return { state, admin, actors, direct, seed, setTime: (t: number) => (time = t) };
}

/**
 * A belief per (trader, item) that differs across traders so markets move both ways: consecutive
 * traders on an item differ by 0.01, and none asks for 0.5, the opening price (a trade that buys
 * nothing is refused as trade.noOp).
 */
const beliefFor = (t: number, i: number) => {
  const p = 0.055 + ((t * 7919 + i * 104729) % 90) / 100;
  return belief(p, 1 - p);
};

async function verifyRate(n: number): Promise<number> {
  const signer = testKey('bench-verify');
  const msgs = Array.from({ length: n }, (_, i) => new Uint8Array(createHash('sha512').update(String(i)).digest()).slice(0, 300));
  const sigs = msgs.map((m) => signer.sign(m));
  const start = performance.now();
  for (let i = 0; i < n; i++) if (!verifyEd25519(signer.did, msgs[i]!, sigs[i]!)) throw new Error('verify failed');
  return n / ((performance.now() - start) / 1000);
}

/** Signed continuous trades, verified and applied in-process, against raw Ed25519 verify in the same run. */
async function tradeRate(n: number): Promise<{ tradesPerSec: number; verifyPerSec: number }> {
  const traders = 20;
  const items = Math.ceil(n / traders);
  const { state, actors } = setup('continuous', traders, items, BigInt(units(10)));
  const events: SignedEvent[] = [];
  for (let i = 0; i < items; i++) {
    for (const [t, a] of actors.entries()) {
      a.nonce += 1;
      const e = signEvent(a.signer, { type: 'trade.execute', community: 'bench', prev: a.prev, nonce: a.nonce, time: 5_000, payload: { round: 1, item: `it${i}`, model: benchModel(t), trade: { kind: 'belief', belief: beliefFor(t, i), maxCost: units(50) } } });
      a.prev = eventCid(e);
      events.push(e);
    }
  }
  const verifyPerSec = await verifyRate(Math.min(n, 5000));
  const start = performance.now();
  let applyMs = 0;
  for (const e of events) {
    const verified = await verifyEvent(e, { community: 'bench' });
    const t = performance.now();
    execute(state, verified);
    applyMs += performance.now() - t;
  }
  const totalMs = performance.now() - start;
  const tradesPerSec = events.length / (totalMs / 1000);
  process.stderr.write(`trades: ${events.length} in ${totalMs.toFixed(0)} ms, of which apply ${applyMs.toFixed(0)} ms\n`);
  if (!conservation(state.ledger).ok) throw new Error('bench broke conservation');
  return { tradesPerSec: Math.round(tradesPerSec), verifyPerSec: Math.round(verifyPerSec) };
}

/** One sealed round of `items` × `models`: commits, reveals, resolve (executes every trade), settle. */
function scaleRun(items: number, models: number) {
  const before = rssMb();
  const t0 = performance.now();
  const ctx = setup('sealed', models, items, BigInt(units(10)));
  const phase: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phase[name] = Math.round(now - mark);
    mark = now;
  };
  const reveals: [number, Record<string, unknown>][] = [];
  for (let i = 0; i < items; i++) {
    for (const [t, a] of ctx.actors.entries()) {
      const trade = { kind: 'belief' as const, belief: beliefFor(t, i), maxCost: units(50) };
      const salt = '00'.repeat(15) + (t % 256).toString(16).padStart(2, '0');
      ctx.direct(a, 'trade.commit', { round: 1, item: `it${i}`, model: benchModel(t), commitment: tradeCommitment({ round: 1, item: `it${i}`, model: benchModel(t), trade, salt }), maxCost: trade.maxCost });
      reveals.push([t, { round: 1, commit: a.prev!, trade, salt }]);
    }
  }
  lap('commitMs');
  ctx.setTime(1_000_000);
  ctx.direct(ctx.admin, 'round.close', { round: 1 });
  for (const [t, payload] of reveals) ctx.direct(ctx.actors[t]!, 'trade.reveal', payload);
  lap('revealMs');
  ctx.setTime(2_000_000);
  ctx.direct(ctx.admin, 'round.resolve', { round: 1, seed: ctx.seed, labels: Array.from({ length: items }, (_, i) => ({ item: `it${i}`, outcome: i % 2 })) });
  lap('resolveAndExecuteMs');
  const settleStart = performance.now();
  ctx.direct(ctx.admin, 'round.settle', { round: 1 });
  const settleMs = performance.now() - settleStart;
  lap('settleMs');
  if (!conservation(ctx.state.ledger).ok) throw new Error('scale run broke conservation');
  return {
    items,
    models,
    trades: items * models,
    totalSec: Number(((performance.now() - t0) / 1000).toFixed(2)),
    ...phase,
    settleItemsPerSec: Math.round(items / (settleMs / 1000)),
    rssMb: rssMb(),
    rssGrowthMb: rssMb() - before,
  };
}

export async function run(options: BenchOptions): Promise<object> {
  const { tradesPerSec, verifyPerSec } = await tradeRate(options.quick ? 2000 : 10_000);
  const scale = scaleRun(options.quick ? 1000 : 10_000, 20);
  return {
    tradesPerSec,
    verifyPerSec,
    ratio: Number((tradesPerSec / verifyPerSec).toFixed(3)),
    target: 'tradesPerSec / verifyPerSec ≥ 0.5',
    settleItemsPerSec: scale.settleItemsPerSec,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    scale,
  };
}
