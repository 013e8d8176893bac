/**
 * Local EVM chain for development and tests: spawns the anvil binary shipped by the npm package
 * @foundry-rs/anvil on a free loopback port, waits until it answers JSON-RPC, and kills it on
 * `stop()` (and, as a safety net, when the process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HindsightError } from '../core/errors.js';

export type AnvilOptions = { chainId?: number; blockTime?: number; accounts?: number; timeoutMs?: number };

export type AnvilNode = {
  rpcUrl: string;
  port: number;
  chainId: number;
  pid: number;
  stop(): Promise<void>;
};

/** Anvil's default dev mnemonic; its accounts are pre-funded with 10,000 ETH. Never for real funds. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export function anvilBinary(): string {
  if (process.env.HINDSIGHT_ANVIL) return process.env.HINDSIGHT_ANVIL;
  const require = createRequire(import.meta.url);
  const platformPkg = `@foundry-rs/anvil-${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${platformPkg}/package.json`));
  } catch (cause) {
    throw new HindsightError('chain.anvilMissing', `anvil binary: expected npm package ${platformPkg}, got none installed`, { package: platformPkg }, { cause });
  }
  const bin = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(bin)) throw new HindsightError('chain.anvilMissing', `anvil binary: expected ${bin}, got no file`);
  return bin;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function rpcReady(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number.parseInt(body.result, 16) : undefined;
  } catch {
    return undefined;
  }
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const chainId = options.chainId ?? 31337;
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--accounts', String(options.accounts ?? 10), '--silent'];
    if (options.blockTime) args.push('--block-time', String(options.blockTime));
    const child: ChildProcess = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const onExit = () => child.kill('SIGKILL');
    process.once('exit', onExit);
    const rpcUrl = `http://127.0.0.1:${port}`;
    const stop = async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      });
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && child.exitCode === null) {
      const id = await rpcReady(rpcUrl);
      if (id !== undefined) return { rpcUrl, port, chainId: id, pid: child.pid ?? -1, stop };
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    if (!/address already in use/i.test(stderr) || attempt === 2) {
      throw new HindsightError('chain.anvilStart', `anvil on port ${port}: expected JSON-RPC within ${timeoutMs} ms, got ${stderr.trim().slice(-300) || 'no answer'}`);
    }
  }
  throw new HindsightError('chain.anvilStart', 'anvil: expected to start, got repeated port conflicts');
}
