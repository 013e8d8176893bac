/**
 * The project's Solidity contracts (contracts/*.sol at the package root), compiled with solc-js for
 * a pinned EVM version, OpenZeppelin imports resolved from node_modules. The output is cached on
 * disk by a hash of the sources, compiler and settings, since a compile takes seconds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HindsightError } from '../core/errors.js';
import { compileSolidity, type CompiledContract } from './solc.js';

/** Cancun: the hardfork anvil and the main networks support; pinned so bytecode and gas stay put. */
export const EVM_VERSION = 'cancun';
const OPTIMIZER_RUNS = 10_000;

export type ProjectContracts = { HindsightTreasury: CompiledContract; TestToken: CompiledContract; TestNFT: CompiledContract };

/** contracts/ beside src/ and dist/ (this file lives in src/chain or dist/chain). */
export function contractsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'contracts');
}

function readSources(): Record<string, string> {
  const dir = contractsDir();
  if (!existsSync(dir)) throw new HindsightError('chain.contractsMissing', `contracts: expected a folder ${dir}, got none`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sol')).sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

const require = createRequire(import.meta.url);

/** Reads `@openzeppelin/contracts/...` (or any installed package path) from node_modules. */
export function resolveNodeImport(path: string): string | undefined {
  const m = /^(@[^/]+\/[^/]+|[^@/][^/]*)\/(.+)$/.exec(path);
  if (!m) return undefined;
  try {
    const root = dirname(require.resolve(`${m[1]}/package.json`));
    return readFileSync(join(root, m[2]!), 'utf8');
  } catch {
    return undefined;
  }
}

let memo: ProjectContracts | undefined;

/** Compiles (or loads from the cache) every contract of contracts/. */
export function projectContracts(options: { cacheDir?: string } = {}): ProjectContracts {
  if (memo) return memo;
  const sources = readSources();
  const key = createHash('sha256').update(JSON.stringify({ sources, solc: (require('solc/package.json') as { version: string }).version, evm: EVM_VERSION, runs: OPTIMIZER_RUNS })).digest('hex').slice(0, 24);
  const cacheDir = options.cacheDir ?? join(dirname(require.resolve('solc/package.json')), '..', '.cache', 'hindsight-contracts');
  const cacheFile = join(cacheDir, `${key}.json`);
  let out: Record<string, CompiledContract> | undefined;
  try {
    out = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, CompiledContract>;
  } catch {
    out = undefined;
  }
  if (!out) {
    out = compileSolidity(sources, { evmVersion: EVM_VERSION, runs: OPTIMIZER_RUNS, resolveImport: resolveNodeImport });
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(out));
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install compiles every time; the cache is only a speed-up.
    }
  }
  for (const name of ['HindsightTreasury', 'TestToken', 'TestNFT']) {
    if (!out[name]) throw new HindsightError('chain.contractsMissing', `contracts: expected ${name} in the compiled output, got ${Object.keys(out).join(', ')}`);
  }
  memo = out as ProjectContracts;
  return memo;
}
