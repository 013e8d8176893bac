/**
 * Compiles circom source with the circom2 npm package (the WASI build of circom 2; no native
 * binary needed) into R1CS + witness-generator wasm, cached by a hash of the source.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HindsightError } from '../core/errors.js';
import { cacheDir, nodeModulesDir } from './cache.js';

export type CompiledCircuit = {
  /** sha256 of source + compiler version + flags: the cache key and the circuit's identity. */
  circuitHash: string;
  name: string;
  dir: string;
  r1csPath: string;
  wasmPath: string;
  constraints: number;
  nonLinearConstraints: number;
  linearConstraints: number;
  publicInputs: number;
  privateInputs: number;
  publicOutputs: number;
  wires: number;
  compileSec?: number;
};

const FLAGS = ['--r1cs', '--wasm', '--O2'];

function circomVersion(): string {
  const pkg = JSON.parse(readFileSync(join(nodeModulesDir(), 'circom2', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(nodeModulesDir(), 'circom2', 'cli.js'), ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function stat(text: string, label: string): number {
  const m = new RegExp(`(?<![-\\w])${label}:\\s*(\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

/** Compiles (or loads from cache) a circuit whose main component is declared in `source`. */
export async function compileCircom(source: string, name = 'circuit'): Promise<CompiledCircuit> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new HindsightError('zk.circuitName', `circuit name: expected an identifier, got ${JSON.stringify(name)}`);
  const circuitHash = createHash('sha256').update(`circom2@${circomVersion()} ${FLAGS.join(' ')}\n`).update(source).digest('hex');
  const dir = cacheDir('circuits', circuitHash.slice(0, 24));
  const metaPath = join(dir, 'circuit.json');
  if (existsSync(metaPath)) return JSON.parse(readFileSync(metaPath, 'utf8')) as CompiledCircuit;

  const build = join(dir, `build-${process.pid}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  const srcPath = join(build, `${name}.circom`);
  writeFileSync(srcPath, source);
  const start = performance.now();
  // cwd '/': circom2's WASI preopens resolve every path relative to it, so all paths stay reachable.
  const { code, stdout, stderr } = await run([srcPath, ...FLAGS, '-o', build, '-l', nodeModulesDir()], '/');
  const compileSec = (performance.now() - start) / 1000;
  if (code !== 0 || !existsSync(join(build, `${name}.r1cs`))) {
    throw new HindsightError('zk.compileFailed', `circom compile of ${name}: expected success, got exit ${code}: ${(stderr || stdout).slice(-800)}`);
  }
  const out = `${stdout}\n${stderr}`;
  for (const f of [`${name}.r1cs`, `${name}.circom`]) renameSync(join(build, f), join(dir, f));
  renameSync(join(build, `${name}_js`, `${name}.wasm`), join(dir, `${name}.wasm`));
  rmSync(build, { recursive: true, force: true });
  const nonLinear = stat(out, 'non-linear constraints');
  const linear = stat(out, 'linear constraints');
  const compiled: CompiledCircuit = {
    circuitHash,
    name,
    dir,
    r1csPath: join(dir, `${name}.r1cs`),
    wasmPath: join(dir, `${name}.wasm`),
    constraints: nonLinear + linear,
    nonLinearConstraints: nonLinear,
    linearConstraints: linear,
    publicInputs: stat(out, 'public inputs'),
    privateInputs: stat(out, 'private inputs'),
    publicOutputs: stat(out, 'public outputs'),
    wires: stat(out, 'wires'),
    compileSec,
  };
  writeFileSync(`${metaPath}.${process.pid}.tmp`, JSON.stringify(compiled, null, 2));
  renameSync(`${metaPath}.${process.pid}.tmp`, metaPath);
  return compiled;
}
