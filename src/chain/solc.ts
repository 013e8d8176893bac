/**
 * Solidity → ABI + bytecode with solc-js (the npm `solc` package, a wasm build: no download).
 */
import { createRequire } from 'node:module';
import type { Abi, Hex } from 'viem';
import { HindsightError } from '../core/errors.js';

type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};
type Solc = { compile(input: string, callbacks?: { import: (path: string) => { contents: string } | { error: string } }): string; version(): string };

const require = createRequire(import.meta.url);
let solc: Solc | undefined;

export type CompiledContract = { name: string; abi: Abi; bytecode: Hex };

export function solcVersion(): string {
  solc ??= require('solc') as Solc;
  return solc.version();
}

export type CompileOptions = {
  optimize?: boolean;
  runs?: number;
  /** Target EVM; pin it so the bytecode does not change with the compiler's default. */
  evmVersion?: string;
  /** Resolves an `import` path the sources do not contain (e.g. `@openzeppelin/...`); undefined → not found. */
  resolveImport?: (path: string) => string | undefined;
};

/** Compiles `sources` (file name → Solidity text); returns every contract by name. Errors throw. */
export function compileSolidity(sources: Record<string, string>, options: CompileOptions = {}): Record<string, CompiledContract> {
  solc ??= require('solc') as Solc;
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])),
    settings: {
      optimizer: { enabled: options.optimize ?? true, runs: options.runs ?? 200 },
      ...(options.evmVersion ? { evmVersion: options.evmVersion } : {}),
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const resolve = options.resolveImport;
  const findImports = (path: string): { contents: string } | { error: string } => {
    const contents = resolve?.(path);
    return contents === undefined ? { error: `import ${path}: expected a file, got none` } : { contents };
  };
  const output = JSON.parse(resolve ? solc.compile(JSON.stringify(input), { import: findImports }) : solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) {
    throw new HindsightError('chain.solcFailed', `solidity compile: expected no errors, got ${errors.length}: ${errors.map((e) => e.formattedMessage).join('\n').slice(0, 1500)}`);
  }
  const out: Record<string, CompiledContract> = {};
  for (const file of Object.values(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(file)) out[name] = { name, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  }
  return out;
}
