/**
 * `hindsight bench http`: a node process on loopback, concurrent clients with their own keys posting
 * pre-signed ledger.transfer events (each client waits for its 202 before the next, as a real
 * operator must), reporting accepted events per second and latency percentiles. Also the same
 * events through Engine.submitMany in-process (no HTTP), the node with signatures checked on its
 * main thread instead of a worker, and with PostgreSQL (--db, or
 * HINDSIGHT_TEST_PG) one node vs two nodes sharing the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../cli/bench-registry.js';
import type { SignedEvent } from '../events/envelope.js';
import { scratchSchema } from '../store/postgres-scratch-schema.js';
import { spawnNode, type ChildNode } from './child-node.js';
import { Engine } from './engine.js';
import { driveLoad, percentile, postEvent } from './load-driver.js';
import { makeTestCommunity, transfer, type TestCommunity } from './test-community.js';

type Workload = { community: TestCommunity; warmup: string[][]; measured: string[][]; raw: SignedEvent[][] };

function workload(clients: number, perClient: number, salt: number): Workload {
  const community = makeTestCommunity({ members: clients + 1, salt, id: `bench-${salt}` });
  const sink = community.members[clients]!;
  const raw = community.members.slice(0, clients).map((m) => Array.from({ length: perClient }, () => transfer(m, sink)));
  const warm = Math.max(5, Math.floor(perClient / 10));
  // Serialize once up front: the bench measures the node, not the client's JSON encoder.
  return { community, raw, warmup: raw.map((chain) => chain.slice(0, warm).map((e) => JSON.stringify(e))), measured: raw.map((chain) => chain.slice(warm).map((e) => JSON.stringify(e))) };
}

async function measure(urls: string[], w: Workload) {
  for (const url of urls) await postEvent(url, w.community.genesis).catch(() => undefined);
  await driveLoad({ urls, chains: w.warmup });
  const result = await driveLoad({ urls, chains: w.measured });
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    tradesPerSec: Math.round((result.acked.size / result.elapsedMs) * 1000),
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    accepted: result.acked.size,
    refused: Object.fromEntries(result.refused),
  };
}

async function inProcess(w: Workload, dir: string): Promise<number> {
  const engine = await Engine.open({ dir });
  try {
    await engine.submit(w.community.genesis);
    const all = w.raw.flat();
    const started = performance.now();
    for (let i = 0; i < all.length; i += 256) await engine.submitMany(all.slice(i, i + 256));
    return Math.round((all.length / (performance.now() - started)) * 1000);
  } finally {
    await engine.close();
  }
}

export async function run(options: BenchOptions): Promise<object> {
  const clients = options.quick ? 16 : 64;
  const perClient = options.quick ? 60 : 150;
  const scratch = mkdtempSync(join(tmpdir(), 'hindsight-http-bench-'));
  const nodes: ChildNode[] = [];
  try {
    const w = workload(clients, perClient, 1);
    const node = await spawnNode({ dir: join(scratch, 'node'), verifyThreads: 1 });
    nodes.push(node);
    const sqlite = await measure([node.url], w);
    await node.kill('SIGTERM');
    const plain = await spawnNode({ dir: join(scratch, 'node-main-thread'), verifyThreads: 0 });
    nodes.push(plain);
    const verifyOnMainThread = await measure([plain.url], workload(clients, perClient, 5));
    await plain.kill('SIGTERM');
    const inProcessTradesPerSec = await inProcess(workload(clients, perClient, 2), join(scratch, 'embedded'));

    const pgBase = options.db ?? process.env.HINDSIGHT_TEST_PG;
    let postgres: object | undefined;
    if (pgBase) {
      const one = scratchSchema(pgBase, 'bench');
      const two = scratchSchema(pgBase, 'bench');
      try {
        const single = await spawnNode({ db: one.url, verifyThreads: 1 });
        nodes.push(single);
        const oneNode = await measure([single.url], workload(clients, perClient, 3));
        await single.kill('SIGTERM');
        const pair = await Promise.all([spawnNode({ db: two.url, verifyThreads: 1 }), spawnNode({ db: two.url, verifyThreads: 1 })]);
        nodes.push(...pair);
        const twoNodes = await measure(pair.map((n) => n.url), workload(clients, perClient, 4));
        await Promise.all(pair.map((n) => n.kill('SIGTERM')));
        postgres = { oneNode, twoNodes, twoVsOne: Number((twoNodes.tradesPerSec / Math.max(1, oneNode.tradesPerSec)).toFixed(2)) };
      } finally {
        await one.drop();
        await two.drop();
      }
    }
    return {
      event: 'ledger.transfer (pre-signed; each client waits for its 202)',
      clients,
      ...sqlite,
      inProcessTradesPerSec,
      verifyOnMainThread,
      cpus: availableParallelism(),
      loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
      ...(postgres ? { postgres } : { postgres: 'skipped: pass --db postgres://… or set HINDSIGHT_TEST_PG' }),
    };
  } finally {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    rmSync(scratch, { recursive: true, force: true });
  }
}
