/**
 * `hindsight bench http`: a node process on loopback, concurrent clients with their own keys posting
 * pre-signed continuous-mode trade.execute events (each client waits for its 202 before the next, as a real
 * operator must), reporting accepted events per second and latency percentiles for a sweep of
 * client counts (a fresh node each). Also the same events through Engine.submitMany in-process
 * (no HTTP), the node with signatures checked on its main thread instead of a worker, and with
 * PostgreSQL (--db, or HINDSIGHT_TEST_PG) one node vs two nodes sharing the log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench-types.js';
import { scratchSchema } from '../test/support/postgres-scratch-schema.js';
import { spawnNode, type ChildNode } from '../test/support/child-node.js';
import { Engine } from '../src/engine/engine.js';
import { driveLoad, percentile, postEvent } from '../test/support/load-driver.js';
import { tradeWorkload, type Workload } from './support/workloads.js';

type Prepared = { w: Workload; warmup: string[][]; measured: string[][] };

function prepare(w: Workload): Prepared {
  const warm = Math.max(5, Math.floor((w.chains[0]?.length ?? 0) / 10));
  // Serialize once up front: the bench measures the node, not the client's JSON encoder.
  return { w, warmup: w.chains.map((chain) => chain.slice(0, warm).map((e) => JSON.stringify(e))), measured: w.chains.map((chain) => chain.slice(warm).map((e) => JSON.stringify(e))) };
}

/** CPU milliseconds a process has used (Linux /proc; undefined elsewhere), threads included. */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function measure(nodes: ChildNode[], p: Prepared) {
  const urls = nodes.map((n) => n.url);
  for (const event of p.w.setup) {
    const reply = await postEvent(urls[0]!, event);
    if (reply.status !== 202) throw new Error(`bench setup: expected 202 for ${event.type}, got ${reply.status} ${reply.body.code}`);
  }
  await driveLoad({ urls, chains: p.warmup });
  const cpuBefore = nodes.map((n) => cpuMsOf(n.process.pid));
  const driverBefore = process.cpuUsage();
  const result = await driveLoad({ urls, chains: p.measured });
  const driver = process.cpuUsage(driverBefore);
  const cpuAfter = nodes.map((n) => cpuMsOf(n.process.pid));
  const nodeCpuMs = cpuAfter.every((v, i) => v !== undefined && cpuBefore[i] !== undefined) ? cpuAfter.reduce<number>((sum, v, i) => sum + v! - cpuBefore[i]!, 0) : undefined;
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    tradesPerSec: Math.round((result.acked.size / result.elapsedMs) * 1000),
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    accepted: result.acked.size,
    /** Node CPU (all its threads) per accepted trade: 1000 / this = trades/s one node core could carry. */
    nodeCpuMsPerTrade: nodeCpuMs === undefined ? null : Number((nodeCpuMs / Math.max(1, result.acked.size)).toFixed(3)),
    /** The load driver's own CPU per trade: it runs on the same cores as the node. */
    driverCpuMsPerTrade: Number(((driver.user + driver.system) / 1000 / Math.max(1, result.acked.size)).toFixed(3)),
    refused: Object.fromEntries(result.refused),
  };
}

async function inProcess(w: Workload, dir: string): Promise<number> {
  const engine = await Engine.open({ dir });
  try {
    for (const event of w.setup) await engine.submit(event);
    const all = w.chains.flat();
    const started = performance.now();
    for (let i = 0; i < all.length; i += 256) await engine.submitMany(all.slice(i, i + 256));
    return Math.round((all.length / (performance.now() - started)) * 1000);
  } finally {
    await engine.close();
  }
}

/** The latency target (docs/api.md, "Write path"): the sweep reports the most trades/s reached within it. */
const P99_TARGET_MS = 50;

export async function run(options: BenchOptions): Promise<object> {
  const sweepClients = options.quick ? [16, 32, 48] : [16, 32, 48, 64];
  const perClient = options.quick ? 50 : 500;
  // Other processes on the same cores change every figure: the load before the bench says how quiet it was.
  const loadAverageBefore = loadavg().map((x) => Number(x.toFixed(1)));
  const scratch = mkdtempSync(join(tmpdir(), 'hindsight-http-bench-'));
  const nodes: ChildNode[] = [];
  let salt = 10;
  const onFreshNode = async (verifyThreads: number, clients: number) => {
    const workload = tradeWorkload(clients, perClient, salt);
    const node = await spawnNode({ dir: join(scratch, `node-${salt++}`), verifyThreads, admin: workload.community.admin.did });
    nodes.push(node);
    const result = await measure([node], prepare(workload));
    await node.kill('SIGTERM');
    return { clients, ...result };
  };
  try {
    // Each client waits for its 202 before sending its next trade, so throughput grows with the
    // number of clients until the node's cores are busy, and latency grows after that.
    const sweep = [];
    for (const clients of sweepClients) sweep.push(await onFreshNode(1, clients));
    const withinTarget = sweep.filter((r) => r.p99Ms <= P99_TARGET_MS);
    const best = (withinTarget.length > 0 ? withinTarget : sweep).reduce((a, b) => (b.tradesPerSec > a.tradesPerSec ? b : a));
    const verifyOnMainThread = await onFreshNode(0, best.clients);
    const inProcessTradesPerSec = await inProcess(tradeWorkload(best.clients, perClient, 2), join(scratch, 'embedded'));

    const pgBase = options.db ?? process.env.HINDSIGHT_TEST_PG;
    let postgres: object | undefined;
    if (pgBase) {
      const one = scratchSchema(pgBase, 'bench');
      const two = scratchSchema(pgBase, 'bench');
      try {
        const oneWorkload = tradeWorkload(best.clients, perClient, 3);
        const single = await spawnNode({ db: one.url, verifyThreads: 1, admin: oneWorkload.community.admin.did });
        nodes.push(single);
        const oneNode = await measure([single], prepare(oneWorkload));
        await single.kill('SIGTERM');
        const twoWorkload = tradeWorkload(best.clients, perClient, 4);
        const admin = twoWorkload.community.admin.did;
        const pair = await Promise.all([spawnNode({ db: two.url, verifyThreads: 1, admin }), spawnNode({ db: two.url, verifyThreads: 1, admin })]);
        nodes.push(...pair);
        const twoNodes = await measure(pair, prepare(twoWorkload));
        await Promise.all(pair.map((n) => n.kill('SIGTERM')));
        postgres = { oneNode, twoNodes, twoVsOne: Number((twoNodes.tradesPerSec / Math.max(1, oneNode.tradesPerSec)).toFixed(2)) };
      } finally {
        await one.drop();
        await two.drop();
      }
    }
    return {
      event: 'trade.execute, continuous LMSR on 8 items (pre-signed; each client waits for its 202 before its next)',
      /** The sweep's run with the most trades/s among those with p99 <= 50 ms (else the most trades/s). */
      ...best,
      p99TargetMs: P99_TARGET_MS,
      inProcessTradesPerSec,
      sweep,
      verifyOnMainThread,
      cpus: availableParallelism(),
      loadAverageBefore,
      loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
      ...(postgres ? { postgres } : { postgres: 'skipped: pass --db postgres://… or set HINDSIGHT_TEST_PG' }),
    };
  } finally {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    rmSync(scratch, { recursive: true, force: true });
  }
}
