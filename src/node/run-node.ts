import { mkdirSync } from 'node:fs';
import type { FastifyServerOptions } from 'fastify';
import { ValidationError } from '../core/errors.js';
import { Engine } from '../engine/engine.js';
import type { IntakeClock } from '../engine/intake.js';
import { takeLock } from './dir-lock.js';
import { Follower } from './follower.js';
import { InferenceService } from './inference-service.js';
import { HttpLogSource } from './http-log-source.js';
import type { LogSource } from './log-source.js';
import { NodeMetrics } from './metrics.js';
import { buildNodeServer, type NodeServer, type RateLimits } from './server.js';
import { ChainWatchLoop, type ChainWatchOptions } from './chain-watcher.js';

export type StartNodeOptions = {
  dir?: string;
  db?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: a node is public only when asked (--host 0.0.0.0). */
  host?: string;
  /** Follow this leader URL read-only instead of accepting writes. */
  follow?: string;
  /** Or any other replication source (peer-to-peer later). */
  source?: LogSource;
  logger?: FastifyServerOptions['logger'];
  rateLimit?: RateLimits | false;
  bodyLimit?: number;
  maxBatch?: number;
  /** Worker threads that check signatures (default 0: the main thread does it). */
  verifyThreads?: number;
  /** SQLite commits on their own thread (default true; false commits on the main thread). */
  writerThread?: boolean;
  /** Models served on POST /v1/predict: a folder of artifact .json files, or the service itself. */
  models?: string | InferenceService;
  /**
   * The community's admin, named by the operator (`--admin DID`): `community.create` is accepted
   * only from it. Required when the store holds no community yet and the node is not following a
   * leader; otherwise optional, and then it must be one of the community's admins.
   */
  admin?: string;
  /**
   * Judge submitted events by this clock (`node start`: the system clock, --max-skew); none by
   * default, so events are judged by their own time. A follower takes no writes and never uses it.
   */
  intakeClock?: IntakeClock;
  /** Watch this treasury and log its confirmed deposits and claims (leader only). */
  chain?: ChainWatchOptions;
};

export type RunningNode = {
  url: string;
  engine: Engine;
  server: NodeServer;
  follower?: Follower;
  chainWatch?: ChainWatchLoop;
  /** Graceful stop: refuse new connections, finish in-flight appends, close the store. */
  close(): Promise<void>;
};

/** Opens the store, starts replication when following, and listens. */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  if (!options.dir && !options.db) throw new ValidationError('node.noStore', '--dir or --db: expected one of them, got neither', { field: 'dir' });
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  const source = options.source ?? (options.follow ? new HttpLogSource(options.follow) : undefined);
  // checkCids off: every event reaching the store went through verifyEvent, which derived its CID
  // from the very bytes being appended; re-hashing them would only cost time. writerThread: SQLite
  // commits run on their own thread, so the node keeps parsing and verifying requests during them.
  const engine = await Engine.open({
    dir: options.dir,
    db: options.db,
    checkCids: false,
    writerThread: options.writerThread ?? true,
    ...(source ? { mode: 'shared' as const } : {}),
    ...(options.admin !== undefined ? { genesis: { admin: options.admin } } : {}),
    ...(options.intakeClock && !source ? { intakeClock: options.intakeClock } : {}),
  });
  if (options.admin === undefined && !source && engine.state.community === null) {
    await engine.close();
    throw new ValidationError(
      'node.noAdmin',
      'admin: expected --admin DID (the DID that will sign community.create) for a store that holds no community yet, got none; without it the first stranger to post community.create would become the admin',
      { field: 'admin' },
    );
  }
  const metrics = new NodeMetrics();
  let follower: Follower | undefined;
  // Models loaded from a folder belong to this node, which closes them (their proving threads) on close.
  let inference: InferenceService | undefined;
  let server: NodeServer;
  try {
    if (source) {
      follower = new Follower(engine, source, undefined, (lag) => metrics.followerLag.set(lag));
    }
    server = await buildNodeServer({
      engine,
      metrics,
      logger: options.logger,
      rateLimit: options.rateLimit,
      bodyLimit: options.bodyLimit,
      maxBatch: options.maxBatch,
      verifyThreads: options.verifyThreads,
      inference: typeof options.models === 'string' ? (inference = await InferenceService.fromDir(options.models)) : options.models,
      leader: source?.name,
      followerStatus: follower ? () => ({ lag: follower!.lag, error: follower!.error }) : undefined,
    });
    if (follower) {
      follower.log = server.app.log;
      follower.start();
    }
    await server.app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await follower?.stop();
    await engine.close();
    throw error;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let closing: Promise<void> | undefined;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // The node is the directory's one writer from here on: local CLI writes are refused while it runs.
  let unlock: () => void = () => {};
  if (options.dir) {
    try {
      unlock = takeLock(options.dir, url, source ? 'follower' : 'leader');
    } catch (error) {
      await follower?.stop();
      await server.close();
      await engine.close();
      throw error;
    }
  }
  const chainWatch = options.chain && !source ? new ChainWatchLoop(engine, { onError: (error) => server.app.log.warn({ err: error }, 'chain watcher: poll failed; retrying'), ...options.chain }) : undefined;
  chainWatch?.start();
  return {
    url,
    engine,
    server,
    follower,
    chainWatch,
    close: () =>
      (closing ??= (async () => {
        await chainWatch?.stop();
        await follower?.stop();
        await server.close();
        await inference?.close();
        await engine.close();
        unlock();
      })()),
  };
}
