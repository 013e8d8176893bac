import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { startNode } from '../../node/run-node.js';
import { printResult } from '../output.js';

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
    .option('--log-level <level>', 'pino level for the JSON log on stderr (silent, error, warn, info, debug)', 'info')
    .option('--rate-ip <n>', 'requests per minute from one IP (0 = no rate limits)', '60000')
    .option('--rate-did <n>', 'signed events per minute from one author DID', '6000')
    .option('--body-limit <bytes>', 'largest request body', String(256 * 1024))
    .option('--verify-threads <n>', 'worker threads checking signatures (0 = main thread)', '1')
    .option('--models <dir>', 'serve these model artifacts (.json) on POST /v1/predict')
    .option('--json', 'print one JSON object per state change (listening, stopped) on stdout')
    .action(async (opts: NodeStartFlags) => {
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
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          running.server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await running.close();
      printResult({ event: 'stopped', ...status() }, opts, () => 'stopped');
    });
}
