/**
 * Groth16 setup for a compiled circuit: powers of tau (development, or a ceremony file) → zkey →
 * phase-2 contribution(s) → verification key. Cached per (circuit hash, ptau identity).
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GameRejection, ValidationError } from '../core/errors.js';
import type { CompiledCircuit } from './circom.js';
import { contributeZkey, exportVerificationKey, newZkey, verifyZkeyFromR1cs, type VerificationKey } from './snarkjs.js';
import { devPtau, ptauPower } from './ptau.js';
import { cacheDir, publishOnce } from './cache.js';

export type Contribution = { name: string; hash: string };

export type CircuitSetup = {
  circuitHash: string;
  zkeyPath: string;
  vkey: VerificationKey;
  /** True when the ptau was a development file built from known secrets: never for real stakes. */
  insecure: boolean;
  ptau: string;
  power: number;
  contributions: Contribution[];
  setupSec?: number;
  ptauSec?: number;
};

export type SetupOptions = {
  /** A public powers-of-tau ceremony file (prepared for phase 2). Default: cached development ptau. */
  ptau?: string;
  /** Named phase-2 contributions to apply in order; default one contribution with random entropy. */
  contributions?: { name: string; entropy?: string }[];
};

/** Smallest ptau power snarkjs accepts for this circuit (same formula as `zkey new`). */
export function requiredPower(c: Pick<CompiledCircuit, 'constraints' | 'publicInputs' | 'publicOutputs'>): number {
  const m = c.constraints + c.publicInputs + c.publicOutputs;
  return Math.max(Math.floor(Math.log2(Math.max(1, m))) + 1, 4);
}

export async function setupCircuit(circuit: CompiledCircuit, options: SetupOptions = {}): Promise<CircuitSetup> {
  const power = requiredPower(circuit);
  let ptauPath: string;
  let insecure: boolean;
  let ptauSec: number | undefined;
  if (options.ptau) {
    const have = ptauPower(options.ptau);
    if (have < power) {
      throw new ValidationError('zk.ptauTooSmall', `ptau ${options.ptau}: expected power ≥ ${power} for ${circuit.constraints} constraints, got ${have}`, {
        field: 'ptau',
        expected: `power >= ${power}`,
        got: String(have),
      });
    }
    ptauPath = options.ptau;
    insecure = false;
  } else {
    const dev = await devPtau(power);
    ptauPath = dev.path;
    insecure = true;
    ptauSec = dev.buildSec;
  }
  const st = statSync(ptauPath);
  const ptauId = createHash('sha256').update(`${ptauPath}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 16);
  const contributions = options.contributions ?? [{ name: 'hindsight-dev' }];
  const keyTag = createHash('sha256').update(JSON.stringify(contributions.map((c) => c.name))).digest('hex').slice(0, 8);
  const dir = cacheDir('setup', `${circuit.circuitHash.slice(0, 24)}-${ptauId}-${keyTag}`);
  const metaPath = join(dir, 'setup.json');
  const anyExplicitEntropy = contributions.some((c) => c.entropy !== undefined);
  if (existsSync(metaPath) && !anyExplicitEntropy) return JSON.parse(readFileSync(metaPath, 'utf8')) as CircuitSetup;

  const start = performance.now();
  const z0 = join(dir, `${process.pid}-0.zkey`);
  await newZkey(circuit.r1csPath, ptauPath, z0);
  let current = z0;
  const done: Contribution[] = [];
  for (const [i, c] of contributions.entries()) {
    const next = join(dir, `${process.pid}-${i + 1}.zkey`);
    const hash = await contributeZkey(current, next, c.name, c.entropy ?? randomBytes(32).toString('hex'));
    done.push({ name: c.name, hash });
    current = next;
  }
  // Unique name: concurrent processes (parallel test files) may set up the same circuit; each
  // setup.json must point at the zkey its own vkey came from.
  const zkeyPath = join(dir, `final-${process.pid}-${Date.now()}.zkey`);
  renameSync(current, zkeyPath);
  const vkey = await exportVerificationKey(zkeyPath);
  const setup: CircuitSetup = {
    circuitHash: circuit.circuitHash,
    zkeyPath,
    vkey,
    insecure,
    ptau: insecure ? basename(ptauPath) : ptauPath,
    power,
    contributions: done,
    setupSec: (performance.now() - start) / 1000,
    ptauSec,
  };
  const tmpMeta = `${metaPath}.${process.pid}.tmp`;
  writeFileSync(tmpMeta, JSON.stringify(setup, null, 2));
  for (const f of [z0, ...contributions.map((_, i) => join(dir, `${process.pid}-${i + 1}.zkey`))]) if (f !== current) rmSync(f, { force: true });
  if (anyExplicitEntropy) {
    // Explicit entropy names its own setup: it replaces whatever the cache held.
    renameSync(tmpMeta, metaPath);
    return setup;
  }
  // Another process that set up the same circuit meanwhile wins: keep its key, drop ours.
  if (publishOnce(tmpMeta, metaPath)) return setup;
  rmSync(zkeyPath, { force: true });
  return JSON.parse(readFileSync(metaPath, 'utf8')) as CircuitSetup;
}

/** Applies one more phase-2 contribution to a zkey (e.g. by a community member); returns its hash. */
export async function contributePhase2(zkeyIn: string, zkeyOut: string, name: string, entropy?: string): Promise<Contribution> {
  if (zkeyIn === zkeyOut) {
    const tmp = `${zkeyOut}.in`;
    copyFileSync(zkeyIn, tmp);
    return contributePhase2(tmp, zkeyOut, name, entropy);
  }
  const hash = await contributeZkey(zkeyIn, zkeyOut, name, entropy ?? randomBytes(32).toString('hex'));
  return { name, hash };
}

/** Verifies a (contributed) zkey against the circuit's r1cs and the ptau it was built on. */
export function verifyZkey(circuit: Pick<CompiledCircuit, 'r1csPath'>, ptauPath: string, zkeyPath: string): Promise<boolean> {
  return verifyZkeyFromR1cs(circuit.r1csPath, ptauPath, zkeyPath);
}

/**
 * Communities that require proofs must not accept keys from a development ptau (its builder could
 * forge proofs) unless they explicitly allow it (tests, demos).
 */
export function assertSetupAllowed(setup: Pick<CircuitSetup, 'insecure' | 'ptau'>, policy: { requireProofs: boolean; allowInsecureSetup?: boolean }): void {
  if (policy.requireProofs && setup.insecure && !policy.allowInsecureSetup) {
    throw new GameRejection('zk.insecureSetup', `setup: expected keys from a public powers-of-tau ceremony (requireProofs), got the development ptau ${setup.ptau}`, {
      field: 'ptau',
      expected: 'ceremony ptau',
      got: setup.ptau,
    });
  }
}
