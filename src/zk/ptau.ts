/**
 * Development powers of tau, built directly from locally drawn secrets (τ, α, β).
 *
 * INSECURE BY CONSTRUCTION: whoever ran this knew τ, α, β for a moment and could forge proofs for
 * any circuit set up on top of it. It exists because snarkjs's own route (new → contribute →
 * prepare phase2) takes 94 s at 2^12 and ~25 min at 2^16 on 2 cores, too slow for tests and
 * development. Since we know the secrets we skip the group FFT of phase2 entirely: every point is
 * a fixed-base multiple s·G with s computed in the scalar field (τ^i, α·τ^i, Lagrange L_i(τ) …).
 * Production uses a public ceremony file (`--ptau FILE`). Files are cached by power.
 *
 * Output is a standard snarkjs "prepared" ptau (sections 1–7, 12–15) that `zkey new` accepts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildBn128, type Curve } from 'ffjavascript';
import { ValidationError } from '../core/errors.js';
import { cacheDir, publishOnce } from './cache.js';
import { FIELD_R } from '../statement/field.js';
import { FixedBasePool } from './fixed-base-pool.js';

const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = FIELD_R;

export type PtauInfo = { path: string; power: number; insecure: boolean; buildSec?: number };

const mod = (a: bigint): bigint => {
  const m = a % R;
  return m < 0n ? m + R : m;
};

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % R;
    b = (b * b) % R;
  }
  return result;
}

const inverse = (a: bigint): bigint => modPow(a, R - 2n);

/** Montgomery batch inversion: 3 multiplications per element and a single exponentiation. */
function batchInverse(values: bigint[]): bigint[] {
  const prefix = new Array<bigint>(values.length);
  let acc = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc;
    acc = (acc * values[i]) % R;
  }
  let inv = inverse(acc);
  const out = new Array<bigint>(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]) % R;
    inv = (inv * values[i]) % R;
  }
  return out;
}

function geometric(first: bigint, ratio: bigint, n: number): bigint[] {
  const out = new Array<bigint>(n);
  let v = mod(first);
  for (let i = 0; i < n; i++) {
    out[i] = v;
    v = (v * ratio) % R;
  }
  return out;
}

/** L_i(τ) over the 2^k-th roots of unity: (τ^n − 1)/n · ω^i / (τ − ω^i). */
export function lagrangeAt(tau: bigint, k: number, omega: bigint): bigint[] {
  const n = 1 << k;
  const omegas = geometric(1n, omega, n);
  const invs = batchInverse(omegas.map((w) => mod(tau - w)));
  const c = ((modPow(tau, BigInt(n)) - 1n + R) % R) * inverse(BigInt(n)) % R;
  return omegas.map((w, i) => (((c * w) % R) * invs[i]) % R);
}

function randomScalar(): bigint {
  for (;;) {
    const v = BigInt(`0x${randomBytes(32).toString('hex')}`) % R;
    if (v > 1n) return v;
  }
}

function leBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = v;
  for (let i = 0; i < n; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

type Section = { id: number; chunks: Uint8Array[] };

function writeBinFile(path: string, type: string, sections: Section[]): void {
  const fd = openSync(path, 'w');
  try {
    const head = Buffer.alloc(12);
    head.write(type, 0, 'ascii');
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(sections.length, 8);
    writeSync(fd, head);
    for (const s of sections) {
      const size = s.chunks.reduce((a, c) => a + c.length, 0);
      const sh = Buffer.alloc(12);
      sh.writeUInt32LE(s.id, 0);
      sh.writeBigUInt64LE(BigInt(size), 4);
      writeSync(fd, sh);
      for (const c of s.chunks) writeSync(fd, c);
    }
  } finally {
    closeSync(fd);
  }
}

/** Builds an insecure development ptau of the given power into `path` (secrets are discarded). */
export async function buildDevPtau(power: number, path: string): Promise<void> {
  if (!Number.isInteger(power) || power < 1 || power > 22) {
    throw new ValidationError('zk.ptauPower', `ptau power: expected an integer in 1..22, got ${power}`, { field: 'power' });
  }
  const curve: Curve = await buildBn128(true);
  const pool = new FixedBasePool(power >= 15 ? 16 : 8);
  try {
    const tau = randomScalar();
    const alpha = randomScalar();
    const beta = randomScalar();
    const g1 = { multiply: (xs: bigint[]) => pool.multiply('G1', xs) };
    const g2 = { multiply: (xs: bigint[]) => pool.multiply('G2', xs) };
    const omega = (k: number): bigint => curve.Fr.toObject(curve.Fr.w[k]);
    const n = 1 << power;

    const tauPowers = geometric(1n, tau, 2 * n - 1);
    const times = (s: bigint, xs: bigint[]): bigint[] => xs.map((x) => (x * s) % R);
    const header = new Uint8Array(4 + 32 + 8);
    const hv = new DataView(header.buffer);
    hv.setUint32(0, 32, true);
    header.set(leBytes(BN254_Q, 32), 4);
    hv.setUint32(36, power, true);
    hv.setUint32(40, power, true);

    const s12: Uint8Array[] = [];
    const s13: Uint8Array[] = [];
    const s14: Uint8Array[] = [];
    const s15: Uint8Array[] = [];
    for (let k = 0; k <= power + 1; k++) {
      let lag = lagrangeAt(tau, k, omega(k));
      if (k === power + 1) {
        // snarkjs prepares this level from the 2n−1 stored powers plus a zero point: IFFT of the
        // truncated vector = L_i(τ) − ω^i·τ^(N−1)/N. zkey new reads it for circuits that fill 2^power.
        const N = 1 << k;
        const t = (modPow(tau, BigInt(N - 1)) * inverse(BigInt(N))) % R;
        const ws = geometric(1n, omega(k), N);
        lag = lag.map((l, i) => mod(l - ws[i] * t));
        s12.push(await g1.multiply(lag));
        continue;
      }
      s12.push(await g1.multiply(lag));
      s13.push(await g2.multiply(lag));
      s14.push(await g1.multiply(times(alpha, lag)));
      s15.push(await g1.multiply(times(beta, lag)));
    }
    const contributions = new Uint8Array(4); // zero recorded contributions: this file is not a ceremony
    const sections: Section[] = [
      { id: 1, chunks: [header] },
      { id: 2, chunks: [await g1.multiply(tauPowers)] },
      { id: 3, chunks: [await g2.multiply(tauPowers.slice(0, n))] },
      { id: 4, chunks: [await g1.multiply(times(alpha, tauPowers.slice(0, n)))] },
      { id: 5, chunks: [await g1.multiply(times(beta, tauPowers.slice(0, n)))] },
      { id: 6, chunks: [await g2.multiply([beta])] },
      { id: 7, chunks: [contributions] },
      { id: 12, chunks: s12 },
      { id: 13, chunks: s13 },
      { id: 14, chunks: s14 },
      { id: 15, chunks: s15 },
    ];
    const tmp = `${path}.${process.pid}.tmp`;
    writeBinFile(tmp, 'ptau', sections);
    // Parallel test files may draw one each: the first file to land is the one everyone uses.
    publishOnce(tmp, path);
  } finally {
    await pool.close();
    await curve.terminate();
  }
}

/** Cached development ptau of at least `power` (insecure; see the module comment). */
export async function devPtau(power: number): Promise<PtauInfo> {
  const dir = cacheDir('ptau');
  const path = join(dir, `dev-insecure-pow${power}.ptau`);
  if (existsSync(path)) return { path, power, insecure: true };
  const start = performance.now();
  await buildDevPtau(power, path);
  const buildSec = (performance.now() - start) / 1000;
  writeFileSync(
    `${path}.json`,
    JSON.stringify({ insecure: true, power, buildSec, note: 'built from locally drawn secrets; never use for real stakes' }),
  );
  return { path, power, insecure: true, buildSec };
}

/** Reads the power of a ptau file (header section), validating the magic. */
export function ptauPower(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    readSync(fd, buf, 0, 64, 0);
    if (buf.toString('ascii', 0, 4) !== 'ptau') {
      throw new ValidationError('zk.ptauInvalid', `ptau file ${path}: expected magic "ptau", got ${JSON.stringify(buf.toString('ascii', 0, 4))}`, { field: 'ptau' });
    }
    // header section starts at 12: id(4) size(8) n8(4) q(n8) power(4)
    const n8 = buf.readUInt32LE(24);
    return buf.readUInt32LE(28 + n8);
  } finally {
    closeSync(fd);
  }
}
