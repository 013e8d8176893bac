/**
 * Runs one secure-aggregation session in process — every client and the server exchanging the real
 * messages — with scripted dropouts at each stage. Used by the FL simulator, the demo, tests and the
 * bench; a networked deployment carries the same messages in fl.update events.
 */
import { expectedGot } from '../../core/errors.js';
import type { PairKeys } from './pair-keys.js';
import type { RandomBytes } from '../../crypto/random-bytes.js';
import { SecAggClient } from './client.js';
import type { SecAggConfig, UnmaskResponse } from './common.js';
import { type SecAggResult, SecAggServer } from './server.js';

export type Dropouts = {
  /** Never advertise keys. */
  beforeKeys?: readonly number[];
  /** Advertise keys but never send shares. */
  beforeShares?: readonly number[];
  /** Send shares but no masked input — the case whose pairwise masks must be recovered. */
  afterShares?: readonly number[];
  /** Send a masked input but do not answer the unmask round. */
  afterInput?: readonly number[];
};

export type SessionOptions = Dropouts & {
  /** Each client's task-long keys (pair-keys.ts); a client without an entry uses a fresh pair. */
  keys?: ReadonlyMap<number, PairKeys>;
  /** Rewrites a client's unmask response before the server sees it (a lying holder, in tests). */
  tamper?: (response: UnmaskResponse) => UnmaskResponse;
};

export type SessionStats = SecAggResult & {
  /** Bytes each client uploads (keys, encrypted shares + commitments, masked input, revealed shares), on average. */
  bytesPerClient: number;
  /**
   * Wall time of the session if every client ran on its own machine: Σ over the four rounds of the
   * slowest client's work in that round + the server's (network time not included). An upper bound
   * of the parallel time, since one client need not be the slowest in every round.
   */
  criticalPathMs: number;
};

export function runSecAggSession(
  config: SecAggConfig,
  inputs: ReadonlyMap<number, Uint32Array>,
  random: RandomBytes,
  options: SessionOptions = {},
): SessionStats {
  const { tamper, keys: taskKeys, ...dropouts } = options;
  let criticalPathMs = 0;
  let slowest = 0;
  /** Times one party's step; `client` steps count towards the round's slowest client. */
  const timed = <T>(client: boolean, step: () => T): T => {
    const t0 = performance.now();
    const out = step();
    const ms = performance.now() - t0;
    if (client) slowest = Math.max(slowest, ms);
    else criticalPathMs += ms;
    return out;
  };
  const endRound = () => {
    criticalPathMs += slowest;
    slowest = 0;
  };
  const server = timed(false, () => new SecAggServer(config));
  const gone = new Set(dropouts.beforeKeys ?? []);
  const clients = new Map<number, SecAggClient>();
  let bytes = 0;
  for (const id of config.clientIds) {
    if (gone.has(id)) continue;
    const [client, advertised] = timed(true, () => {
      const c = new SecAggClient(config, id, random, taskKeys?.get(id));
      return [c, c.advertise()] as const;
    });
    clients.set(id, client);
    timed(false, () => server.receiveKeys(advertised));
    bytes += 32;
  }
  const roster = timed(false, () => server.closeKeys());
  endRound();
  for (const id of dropouts.beforeShares ?? []) gone.add(id);
  for (const [id, client] of clients) {
    if (gone.has(id)) continue;
    const msg = timed(true, () => client.shareKeys(roster));
    bytes += 32 + msg.pairCommitments.length * 36 + msg.shares.reduce((s, e) => s + 8 + e.ciphertext.length + e.digests.length, 0);
    timed(false, () => server.receiveShares(msg));
  }
  const inbox = timed(false, () => server.closeShares());
  endRound();
  for (const id of dropouts.afterShares ?? []) gone.add(id);
  for (const [id, client] of clients) {
    if (gone.has(id)) continue;
    const input = inputs.get(id);
    if (!input) throw expectedGot('fl.secagg.config', 'inputs', `an input for every client, client ${id} included`, 'none');
    const msg = timed(true, () => client.maskedInput(inbox.get(id) ?? [], input));
    bytes += 4 + msg.masked.byteLength;
    timed(false, () => server.receiveMasked(msg));
  }
  const survivors = timed(false, () => server.closeMasked());
  endRound();
  for (const id of dropouts.afterInput ?? []) gone.add(id);
  for (const id of survivors) {
    if (gone.has(id)) continue;
    let response = timed(true, () => clients.get(id)!.unmask(survivors));
    if (tamper) response = tamper(response);
    bytes += 4 + response.seedShares.reduce((s, r) => s + 4 + r.y.length, 0) + response.pairShares.reduce((s, r) => s + 8 + r.y.length, 0);
    timed(false, () => server.receiveUnmask(response));
  }
  const result = timed(false, () => server.finalize());
  endRound();
  return { ...result, bytesPerClient: bytes / Math.max(1, clients.size), criticalPathMs };
}
