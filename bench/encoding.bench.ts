/**
 * `hindsight bench encoding --json`: canonical DAG-CBOR encodings per CPU-second of signed events
 * shaped like a federated round's fl.update messages (keys, shares to 14 neighbours, a masked vector
 * of 1,380 words, an unmask), by the subset encoder every event now takes (src/core/canonical-cbor.ts)
 * against @ipld/dag-cbor, the baseline, in the same run. `encodeSigned` is what verifying an event
 * costs in encoding: its signing bytes and its full bytes.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { createHash } from 'node:crypto';
import type { BenchOptions } from './bench-types.js';
import { encodeCanonicalSubset } from '../src/core/canonical-cbor.js';
import { encodeSigned, type SignedEvent } from '../src/events/envelope.js';
import { signEvent } from '../src/events/sign.js';
import { testKey } from '../test/support/harness.js';

const base64 = (label: string, bytes: number) => {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < bytes; i++) out.push(createHash('sha256').update(`${label}/${i}`).digest());
  return Buffer.concat(out).subarray(0, bytes).toString('base64');
};

function roundEvents(): Record<string, SignedEvent> {
  const key = testKey('bench-encoding');
  const event = (nonce: number, body: Record<string, unknown>) =>
    signEvent(key, { type: 'fl.update', community: 'bench', prev: null, nonce, time: 1_700_000_000_000, payload: { task: 'bench', round: 3, body } });
  const neighbours = [1, 3, 7, 8, 9, 12, 15, 16, 18, 19, 22, 24, 28, 30];
  return {
    keys: event(1, { stage: 'keys', slot: 21, group: 0, publicKey: createHash('sha256').update('pk').digest('hex') }),
    shares: event(2, {
      stage: 'shares',
      shares: neighbours.map((to) => ({ to, digests: base64(`d${to}`, 128), ciphertext: base64(`c${to}`, 160) })),
      seedCommitment: createHash('sha256').update('seed').digest('hex'),
      pairCommitments: neighbours.slice(0, 7).map((partner) => ({ partner, commitment: createHash('sha256').update(`p${partner}`).digest('hex') })),
    }),
    masked: event(3, { stage: 'masked', update: base64('masked', 4 * 1380) }),
    unmask: event(4, {
      stage: 'unmask',
      seedShares: neighbours.map((of) => ({ of, y: base64(`y${of}`, 16) })),
      pairShares: [],
      next: { group: 0, slot: 21, publicKey: createHash('sha256').update('next').digest('hex') },
    }),
  };
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Calls of `fn` per CPU-second over ~`ms` CPU milliseconds, after a warm-up of the same length. */
function perSec(ms: number, fn: () => unknown): number {
  for (const end = cpuMs() + ms; cpuMs() < end; ) for (let i = 0; i < 100; i++) fn();
  let calls = 0;
  const start = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
    elapsed = cpuMs() - start;
  } while (elapsed < ms);
  return Math.round((calls / elapsed) * 1000);
}

export async function run(options: BenchOptions): Promise<object> {
  const ms = options.quick ? 100 : 500;
  const out: Record<string, unknown> = {};
  for (const [stage, event] of Object.entries(roundEvents())) {
    const subset = perSec(ms, () => encodeCanonicalSubset(event));
    const reference = perSec(ms, () => dagCbor.encode(event));
    out[stage] = { eventBytes: dagCbor.encode(event).length, subsetPerSec: subset, dagCborPerSec: reference, ratio: +(subset / reference).toFixed(2), encodeSignedPerSec: perSec(ms, () => encodeSigned(event)) };
  }
  return out;
}
