import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { startNode } from '../../node/run-node.js';
import { DEFAULT_MAX_SKEW_MS, systemClock } from '../../engine/intake.js';
import { printResult } from '../output.js';
import { loadSigner } from '../../events/eth-keys.js';
import type { ChainWatchOptions } from '../../node/chain-watcher.js';

/** --chain needs --treasury and --chain-key; either without --chain is a mistake, not ignored. */
function chainWatchOptions(opts: NodeStartFlags): ChainWatchOptions | undefined {
  if (opts.chain === undefined) {
    if (opts.treasury !== undefined || opts.chainKey !== undefined) throw new ValidationError('cli.invalid', '--chain: expected a JSON-RPC URL with --treasury/--chain-key, got none', { field: 'chain' });
    return undefined;
  }
  if (!opts.treasury || !/^0x[0-9a-fA-F]{40}$/.test(opts.treasury)) throw new ValidationError('cli.invalid', `--treasury: expected a 0x address of 40 hex digits with --chain, got ${JSON.stringify(opts.treasury ?? null)}`, { field: 'treasury' });
  if (!opts.chainKey) throw new ValidationError('cli.invalid', "--chain-key: expected the admin's key file with --chain, got none", { field: 'chain-key' });
  let publisherKey: `0x${string}` | undefined;
  if (opts.chainPublisherKey !== undefined) {
    const text = readFileSync(opts.chainPublisherKey, 'utf8').trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new ValidationError('cli.invalid', `--chain-publisher-key: expected a file holding 0x + 64 hex digits, got ${text.length} characters`, { field: 'chain-publisher-key' });
    publisherKey = text as `0x${string}`;
  }
  return { rpc: opts.chain, treasury: opts.treasury as `0x${string}`, confirmations: positiveInt(opts.confirmations, '--confirmations'), signer: loadSigner(opts.chainKey), ...(publisherKey ? { publisherKey } : {}) };
}

type NodeStartFlags = {
  dir?: string;
  db?: string;
  port: string;
  host: string;
  follow?: string;
  json?: boolean;
  logLevel: string;
  rateIp: string;
  rateDid: string;
  bodyLimit: string;
  verifyThreads: string;
  models?: string;
  admin?: string;
  maxSkew: string;
  chain?: string;
  treasury?: string;
  confirmations: string;
  chainKey?: string;
  chainPublisherKey?: string;
};

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError('cli.badNumber', `${flag}: expected a non-negative integer, got ${value}`, { field: flag.slice(2) });
  return n;
}

export function register(program: Command): void {
  const node = program.command('node').description('run a Hindsight node (HTTP API, live stream, followers)');
  node
    .command('start')
    .description('serve a community over HTTP until SIGTERM/SIGINT (then finish in-flight appends and exit)')
    .option('--dir <dir>', 'community directory (embedded SQLite log)')
    .option('--db <url>', 'PostgreSQL URL: several nodes may share one log')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--follow <url>', 'replicate this leader read-only (needs its own --dir or --db)')
    .option('--admin <did>', 'the community admin: community.create is accepted only from this DID (required on a store without a community, unless --follow)')
    .option('--max-skew <ms>', "largest difference between an event's time and this node's clock; delegations must be unexpired by this clock ('off': judge events by their own time only, for simulated times)", String(DEFAULT_MAX_SKEW_MS))
    .option('--log-level <level>', 'pino level for the JSON log on stderr (silent, error, warn, info, debug)', 'info')
    .option('--rate-ip <n>', 'requests per minute from one IP (0 = no rate limits)', '60000')
    .option('--rate-did <n>', 'signed events per minute from one author DID', '6000')
    .option('--body-limit <bytes>', 'largest request body', String(256 * 1024))
    .option('--verify-threads <n>', 'worker threads checking signatures (0 = main thread)', '1')
    .option('--models <dir>', 'serve these model artifacts (.json) on POST /v1/predict')
    .option('--chain <rpc>', 'JSON-RPC URL of the chain holding the treasury: log its confirmed deposits and claims')
    .option('--treasury <address>', 'the treasury contract watched with --chain')
    .option('--confirmations <n>', 'blocks a treasury log must be buried under before it is logged (reorg depth tolerated)', '2')
    .option('--chain-key <file>', "the admin's key file signing the chain.* events the watcher logs")
    .option('--chain-publisher-key <file>', "the treasury admin's Ethereum key (0x + 64 hex): log and publish a payout root after new withdrawals, anchor each settled round")
    .option('--json', 'print one JSON object per state change (listening, stopped) on stdout')
    .action(async (opts: NodeStartFlags) => {
      const chain = chainWatchOptions(opts);
      const rateIp = positiveInt(opts.rateIp, '--rate-ip');
      const running = await startNode({
        dir: opts.dir,
        db: opts.db,
        port: positiveInt(opts.port, '--port'),
        host: opts.host,
        follow: opts.follow,
        bodyLimit: positiveInt(opts.bodyLimit, '--body-limit'),
        verifyThreads: positiveInt(opts.verifyThreads, '--verify-threads'),
        models: opts.models,
        admin: opts.admin,
        ...(chain ? { chain } : {}),
        ...(opts.maxSkew === 'off' ? {} : { intakeClock: systemClock(positiveInt(opts.maxSkew, '--max-skew')) }),
        rateLimit: rateIp === 0 ? false : { perIpPerMinute: rateIp, perDidPerMinute: positiveInt(opts.rateDid, '--rate-did') },
        // Logs go to stderr so stdout carries only the JSON results scripts parse.
        logger: opts.logLevel === 'silent' ? false : { level: opts.logLevel, stream: process.stderr },
      });
      const status = () => ({
        url: running.url,
        role: running.follower ? 'follower' : 'leader',
        mode: running.engine.mode,
        store: running.engine.store.kind,
        seq: running.engine.state.seq,
        stateHash: running.engine.stateHash(),
      });
      printResult({ event: 'listening', ...status() }, opts, (r) => `listening on ${(r as { url: string }).url}`);
      let closed = false;
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          running.server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
          exitByDeadline(running.server.app.log, () => closed);
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await running.close();
      closed = true;
      printResult({ event: 'stopped', ...status() }, opts, () => 'stopped');
    });
}

/** A node exits at most this long after SIGTERM/SIGINT (in-flight requests get 3 s of it). */
const SHUTDOWN_DEADLINE_MS = 4_500;

/**
 * The last resort of shutdown: if the process is still alive at the deadline (a close that hangs,
 * a worker thread busy with a long proof, a handle some component forgot), it logs what is still
 * open and exits: code 1 if close had not finished, else 0. Every component is meant to end its
 * own threads on close; the log line names the one that did not.
 */
function exitByDeadline(log: { error(o: object, msg: string): void }, closed: () => boolean): void {
  setTimeout(() => {
    log.error({ closed: closed(), open: process.getActiveResourcesInfo() }, `shutdown: still running ${SHUTDOWN_DEADLINE_MS} ms after the signal; exiting`);
    process.exit(closed() ? 0 : 1);
  }, SHUTDOWN_DEADLINE_MS).unref();
}
