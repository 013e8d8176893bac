/**
 * `hindsight bench fl-node`: federated rounds over a node against the same rounds in process.
 *
 * `controllers10` / `controllers100`: one FedAvg round with secure aggregation (SecAgg+, one group)
 * over HTTP on loopback. The node is its own process; the controllers run in two worker threads
 * (bench/support/fl-controllers-worker.ts), each the real controller with its own key, connection and
 * signed event chain; the operator's coordinator runs on the main thread. Every SecAgg message is a
 * signed fl.update event and every hand-off a long-poll on the relay. `overNodeRoundMs` is the mean
 * of rounds 9..16 of a sixteen-round task, and `inProcessRoundMs` the mean of rounds 9..16 of
 * sixteen in-process rounds: the same round in one process without a node (every controller
 * trains, clips, noises and quantizes its update, then one in-process SecAgg session and the
 * server's step). Rounds 1..8 warm both up (see WARM_UP_ROUNDS); `earlyRounds` is the same
 * comparison over rounds 3..8, and every round's time is listed. Bytes are per controller per
 * round (events and requests uploaded; replies read), the join and start-up excluded.
 *
 * `relay1000`: the node relaying a round for 1,000 controllers (10 groups of 100) while one trader
 * posts continuous-market trades one after another from its own thread; its trade latency percentiles against the same
 * trader on the idle node, both measured in this run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchOptions } from './bench-types.js';
import { spawnNode } from '../test/support/child-node.js';
import { ChainedSigner, makeTestCommunity } from '../test/support/test-community.js';
import { percentile, postEvent } from '../test/support/load-driver.js';
import { flShards, smallRecipe } from '../test/support/fl-fixture.js';
import type { WorkerInput } from './support/fl-controllers-worker.js';
import type { TraderInput, TraderReport } from './support/trader-worker.js';
import { makeFeaturizer } from '../src/ml/features/featurizer.js';
import { csrFromRows } from '../src/ml/features/sparse.js';
import { deriveSeed, makeRng } from '../src/ml/rng.js';
import { localUpdate } from '../src/fl/training/local-train.js';
import { FedAvg, prepareUpdate } from '../src/fl/training/strategy.js';
import { dequantize, quantize, quantizerFor } from '../src/fl/training/quantize.js';
import { runCoordinator } from '../src/sdk/fl-coordinator.js';
import { runSecAggSession } from '../src/fl/secagg/session.js';
import { sessionConfig, type TaskRecipe } from '../src/fl/net/protocol.js';
import { seededRandomBytes } from '../src/crypto/random-bytes.js';
import { pseudoModelHash } from '../src/statement/pseudo-model-hash.js';
import type { SignedEvent } from '../src/events/envelope.js';

const PER_SHARD = 8;
const SHARDS = 400;
const WORKERS = 2;
/** Rounds of the controllers10/100 tasks, and of the in-process run they are compared with. */
const ROUNDS = 16;
/**
 * Rounds left out of the controllers10/100 figures on both sides (reported apart): the first rounds
 * run in fresh isolates whose code V8 is still compiling. In the two controller threads, TurboFan
 * compiled 200–520 ms of code per round in rounds 3–8 and about 50 ms per round from round 10 on
 * (`--trace-opt`), since a thread hosting 50 controllers calls each function only 50 times a round.
 */
const WARM_UP_ROUNDS = 8;
/** The earlier window, kept as a second figure: rounds 3..8 on both sides. */
const EARLY = { from: 3, to: 8 };
const T0 = 1_700_000_000_000;
const PROB_SCALE = 1_000_000_000_000;

type Run = { perRoundMs: number[]; roundMs: number; firstRoundMs: number; roundCpuMs: number; nodeCpuMs: number; sentPerController: number; receivedPerController: number; included: number; trades?: { idle: Latency; relaying: Latency } };
type Latency = { count: number; p50: number; p99: number; max: number };

function validationSet(recipe: TaskRecipe) {
  const f = makeFeaturizer(recipe.featurizer);
  const v = flShards(1, 1, 100).validation;
  return { X: csrFromRows(v.map((e) => f.transform({ text: e.text })), f.dim), y: Int32Array.from(v, (e) => e.label) };
}

/** A worker thread running `entry` (TypeScript): it registers tsx first, which a worker does not inherit. */
function tsWorker(entry: URL, workerData: unknown): Worker {
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** Trades posted one after another from their own thread until `stop` resolves (trader-worker.ts); each one's latency (ms). */
function tradeInWorker(url: string, chain: string[], stop: Promise<unknown>): Promise<TraderReport> {
  const worker = tsWorker(new URL('./support/trader-worker.ts', import.meta.url), { url, chain } satisfies TraderInput);
  void stop.finally(() => worker.postMessage('stop'));
  return new Promise((resolve, reject) => {
    worker.once('message', (report: TraderReport) => resolve(report));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`trader worker exited with ${code}`))));
  });
}

function controllersIn(workers: number, input: Omit<WorkerInput, 'members'>, members: number[]): Promise<{ sentBytes: number; receivedBytes: number }[]>[] {
  return Array.from({ length: workers }, (_, w) => new Promise((resolve, reject) => {
    const worker = tsWorker(new URL('./support/fl-controllers-worker.ts', import.meta.url), { ...input, members: members.filter((_, i) => i % workers === w) } satisfies WorkerInput);
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`controller worker exited with ${code}`))));
  }));
}

/** CPU milliseconds a process has used (Linux /proc), threads included; 0 where /proc is missing. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU of the node's process and of all processes (this one, its worker threads included, and the node's), in ms; one read of each. */
const cpuNow = (nodePid: number | undefined) => {
  const own = process.cpuUsage();
  const node = cpuMsOf(nodePid);
  return { all: (own.user + own.system) / 1000 + node, node };
};

const summary = (ms: number[]): Latency => {
  const s = [...ms].sort((a, b) => a - b);
  return { count: s.length, p50: +percentile(s, 50).toFixed(1), p99: +percentile(s, 99).toFixed(1), max: +(s.at(-1) ?? 0).toFixed(1) };
};

/**
 * The figures are the mean of rounds warmUp + 1..rounds (every round's time is in `perRoundMs`).
 * The first rounds run in freshly started processes and threads whose code V8 is still compiling;
 * run() leaves as many in-process rounds out of the baseline, so both sides compare warm rounds.
 */
export async function overNode(n: number, groups: number, withTrades: boolean, salt: number, controllersNice = 0, rounds = 1, warmUp = 0): Promise<Run> {
  // Funded members: the operator, a trader and a funder for the market. Controllers need no balance
  // (they are paid, never pay), so they stay out of the genesis, which would outgrow an event's size.
  const community = makeTestCommunity({ members: 3, id: `fl-bench-${n}`, salt, balance: 1_000_000_000_000n });
  const [operator, trader, funder] = community.members as [ChainedSigner, ChainedSigner, ChainedSigner];
  const controllerSalt = salt + 1_000_000;
  const scratch = mkdtempSync(join(tmpdir(), 'hindsight-fl-bench-'));
  // Signatures checked on the node's main thread (`--verify-threads 0`): on 2 cores a verify thread
  // competes with the main thread, and trades' p99 while relaying for 1,000 controllers rose to ≈ 70 ms (docs/fl.md).
  const node = await spawnNode({ dir: join(scratch, 'node'), admin: community.admin.did, rateLimit: false, verifyThreads: 0 });
  try {
    const setup: SignedEvent[] = [community.genesis];
    let chain: string[] = [];
    if (withTrades) {
      const model = pseudoModelHash(`fl-bench-trader-${salt}`);
      setup.push(
        trader.next('model.commit', { modelHash: model, architecture: 'bench', name: 'trader' }),
        funder.next('treasury.fund', { amount: String(100_000_000 * 8) }),
        community.admin.next('round.schedule', { round: 1, subsidyPerItem: '10000000', tradingDeadline: T0 + 1e9, revealDeadline: T0 + 2e9, seedCommitment: 'cd'.repeat(32) }),
        community.admin.next('round.items', { round: 1, items: Array.from({ length: 8 }, (_, i) => ({ id: `item-${i}`, outcomes: 2, input: { text: `item ${i}` } })) }),
        community.admin.next('round.open', { round: 1 }),
      );
      chain = Array.from({ length: 4000 }, (_, k) => {
        const p = (k % 2 === 0 ? 0.6 : 0.4) + k * 1e-6;
        const belief = [Math.round(p * PROB_SCALE), PROB_SCALE - Math.round(p * PROB_SCALE)];
        return JSON.stringify(trader.next('trade.execute', { round: 1, item: `item-${k % 8}`, model, trade: { kind: 'belief', belief, maxCost: '5000000' } }));
      });
    }
    for (const e of setup) {
      const r = await postEvent(node.url, e);
      if (r.status !== 202) throw new Error(`setup refused: ${r.status} ${JSON.stringify(r.body)}`);
    }
    let idle: number[] = [];
    if (withTrades) {
      const warm = await tradeInWorker(node.url, chain, new Promise((resolve) => setTimeout(resolve, 3_000)));
      idle = warm.latencies.slice(50);
      chain = chain.slice(warm.used);
    }
    const recipe = smallRecipe({ groups, neighbors: 14 });
    // The round's CPU, every process and thread together: from the cohort's joining to the round's aggregate.
    const log = (line: string) => {
      if ((warmUp === 0 ? /controllers joined/ : new RegExp(`^round ${warmUp}:`)).test(line)) (cpuAtStart = cpuNow(node.process.pid));
      if (line.startsWith(`round ${rounds}:`)) (cpuAtEnd = cpuNow(node.process.pid));
    };
    const coordinator = runCoordinator({ node: node.url, signer: operator!.signer, task: 'b', recipe, rounds, budget: 1_000_000n, controllers: n, validation: validationSet(recipe), noiseMultiplier: 1, delta: 1e-5, stageTimeoutMs: 120_000, joinTimeoutMs: 300_000, log });
    const members = Array.from({ length: n }, (_, k) => k + 1);
    const workers = controllersIn(WORKERS, { url: node.url, task: 'b', salt: controllerSalt, shards: SHARDS, perShard: PER_SHARD, timeoutMs: 300_000, nice: controllersNice }, members);
    const controllersDone = Promise.all(workers);
    controllersDone.catch(() => {}); // awaited below; a failure must not end the process before that
    let finished = false;
    let cpuAtStart = { all: 0, node: 0 };
    let cpuAtEnd = { all: 0, node: 0 };
    const ended = coordinator.finally(() => (finished = true)).catch(() => {});
    // Trades start once the round does (the joins are not the relaying being measured), from their own thread.
    const trading = withTrades ? (async () => {
      while (!finished && !(await fetch(`${node.url}/v1/fl/tasks/b/wait?for=joined&count=${n}&waitMs=25000`).then((r) => r.json() as Promise<{ ready: boolean }>)).ready);
      return tradeInWorker(node.url, chain, ended);
    })() : undefined;
    const result = await coordinator;
    const reports = (await controllersDone).flat();
    const during = (await trading)?.latencies ?? [];
    // A join (one event) is not part of the round: subtract one controller's join from its upload.
    const join = JSON.stringify(trader.next('fl.join', { task: 'b', examples: PER_SHARD })).length;
    const timed = result.rounds.slice(warmUp);
    return {
      roundMs: timed.reduce((s, r) => s + r.ms, 0) / timed.length,
      firstRoundMs: result.rounds[0]!.ms,
      roundCpuMs: (cpuAtEnd.all - cpuAtStart.all) / timed.length,
      nodeCpuMs: (cpuAtEnd.node - cpuAtStart.node) / timed.length,
      // Per round, averaged over all rounds (later rounds also read the new model's blob).
      sentPerController: (reports.reduce((s, r) => s + r.sentBytes, 0) / n - join) / rounds,
      receivedPerController: reports.reduce((s, r) => s + r.receivedBytes, 0) / n / rounds,
      included: Math.min(...result.rounds.map((r) => r.included.length)),
      perRoundMs: result.rounds.map((r) => Math.round(r.ms)),
      ...(withTrades ? { trades: { idle: summary(idle), relaying: summary(during) } } : {}),
    };
  } finally {
    await node.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  }
}

const mean = (xs: readonly number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;

/** The same round in one process: every controller's local work, one SecAgg session, the server's step. */
export function inProcess(n: number, recipe: TaskRecipe): number {
  const f = makeFeaturizer(recipe.featurizer);
  const data = flShards(SHARDS, PER_SHARD, 100);
  const shards = Array.from({ length: n }, (_, k) => data.shards[k % SHARDS]!).map((rows) => ({ X: csrFromRows(rows.map((e) => f.transform({ text: e.text })), f.dim), y: Int32Array.from(rows, (e) => e.label) }));
  const members = Array.from({ length: n }, (_, k) => k + 1);
  const q = quantizerFor(recipe.coordinateBound, n);
  const global = new Float64Array(recipe.dim);
  const t0 = performance.now();
  const inputs = new Map<number, Uint32Array>();
  for (const [k, s] of shards.entries()) {
    const rng = makeRng(deriveSeed(1, `bench/${k}`));
    const delta = localUpdate(global, s.X, s.y, { epochs: recipe.epochs, learningRate: recipe.learningRate, batchSize: recipe.batchSize }, rng);
    const { vector } = prepareUpdate({ clientId: String(k), round: 1, epochs: recipe.epochs, learningRate: recipe.learningRate, batchSize: recipe.batchSize, weighting: 'uniform', clipNorm: recipe.clipNorm, biasClip: recipe.biasClip, noiseStd: recipe.noiseStd }, delta, s.y.length, rng.normal);
    inputs.set(k + 1, quantize(vector, q, rng));
  }
  const session = runSecAggSession(sessionConfig('b', 1, 0, members, recipe), inputs, seededRandomBytes('bench'));
  new FedAvg({ weighting: 'uniform' }).aggregate(global, { round: 1, sum: dequantize(session.sum, q), totalWeight: n, count: n });
  return performance.now() - t0;
}

export async function run(options: BenchOptions): Promise<object> {
  const out: Record<string, unknown> = {};
  for (const n of options.quick ? [10] : [10, 100]) {
    const recipe = smallRecipe({ groups: 1, neighbors: 14 });
    const node = await overNode(n, 1, false, n, 0, ROUNDS, WARM_UP_ROUNDS);
    const local = Array.from({ length: ROUNDS }, () => inProcess(n, recipe));
    const steadyLocal = mean(local.slice(WARM_UP_ROUNDS));
    const early = { overNode: mean(node.perRoundMs.slice(EARLY.from - 1, EARLY.to)), inProcess: mean(local.slice(EARLY.from - 1, EARLY.to)) };
    out[`controllers${n}`] = {
      overNodeRoundMs: Math.round(node.roundMs), inProcessRoundMs: Math.round(steadyLocal), ratio: +(node.roundMs / steadyLocal).toFixed(2),
      rounds: `mean of rounds ${WARM_UP_ROUNDS + 1}..${ROUNDS} of ${ROUNDS}, both sides`,
      earlyRounds: { rounds: `${EARLY.from}..${EARLY.to}`, overNodeRoundMs: Math.round(early.overNode), inProcessRoundMs: Math.round(early.inProcess), ratio: +(early.overNode / early.inProcess).toFixed(2) },
      overNodeRoundsMs: node.perRoundMs, inProcessRoundsMs: local.map(Math.round),
      firstRoundMs: Math.round(node.firstRoundMs),
      overNodeCpuMs: Math.round(node.roundCpuMs), nodeCpuMs: Math.round(node.nodeCpuMs), cpuRatio: +(node.roundCpuMs / steadyLocal).toFixed(2),
      bytesSentPerController: Math.round(node.sentPerController), bytesReadPerController: Math.round(node.receivedPerController), included: node.included,
    };
  }
  if (!options.quick) {
    const relay = await overNode(1000, 10, true, 1000);
    out.relay1000 = { roundMs: Math.round(relay.roundMs), roundCpuMs: Math.round(relay.roundCpuMs), included: relay.included, tradesIdle: relay.trades!.idle, tradesWhileRelaying: relay.trades!.relaying, tradeP99Ms: relay.trades!.relaying.p99 };
    // The 1,000 controllers stand for 1,000 members' machines; here they share the node's 2 cores.
    // The same round with their threads at nice 10 shows the node with its CPU to itself.
    const niced = await overNode(1000, 10, true, 2000, 10);
    out.relay1000ControllersNice10 = { roundMs: Math.round(niced.roundMs), roundCpuMs: Math.round(niced.roundCpuMs), included: niced.included, tradesIdle: niced.trades!.idle, tradesWhileRelaying: niced.trades!.relaying, tradeP99Ms: niced.trades!.relaying.p99 };
  }
  return out;
}
