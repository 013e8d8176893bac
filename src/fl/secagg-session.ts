/**
 * Runs one secure-aggregation session in process — every client and the server exchanging the real
 * messages — with scripted dropouts at each stage. Used by the FL simulator, the demo, tests and the
 * bench; a networked deployment carries the same messages in fl.update events.
 */
import type { RandomBytes } from './random-bytes.js';
import { SecAggClient } from './secagg-client.js';
import type { SecAggConfig, UnmaskResponse } from './secagg-common.js';
import { type SecAggResult, SecAggServer } from './secagg-server.js';

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

export type SessionStats = SecAggResult & {
  /** Bytes each client uploads (keys, encrypted shares + commitments, masked input, revealed shares), on average. */
  bytesPerClient: number;
};

export function runSecAggSession(
  config: SecAggConfig,
  inputs: ReadonlyMap<number, Uint32Array>,
  random: RandomBytes,
  dropouts: Dropouts = {},
  tamper?: (response: UnmaskResponse) => UnmaskResponse,
): SessionStats {
  const server = new SecAggServer(config);
  const gone = new Set(dropouts.beforeKeys ?? []);
  const clients = new Map<number, SecAggClient>();
  let bytes = 0;
  for (const id of config.clientIds) {
    if (gone.has(id)) continue;
    const client = new SecAggClient(config, id, random);
    clients.set(id, client);
    server.receiveKeys(client.advertise());
    bytes += 32;
  }
  const roster = server.closeKeys();
  for (const id of dropouts.beforeShares ?? []) gone.add(id);
  for (const [id, client] of clients) {
    if (gone.has(id)) continue;
    const msg = client.shareKeys(roster);
    bytes +=
      32 +
      msg.pairCommitments.length * 36 +
      msg.shares.reduce((s, e) => s + 8 + e.ciphertext.length + e.digests.length, 0);
    server.receiveShares(msg);
  }
  const inbox = server.closeShares();
  for (const id of dropouts.afterShares ?? []) gone.add(id);
  for (const [id, client] of clients) {
    if (gone.has(id)) continue;
    const input = inputs.get(id);
    if (!input) throw new RangeError(`runSecAggSession: no input for client ${id}`);
    const msg = client.maskedInput(inbox.get(id) ?? [], input);
    bytes += 4 + msg.masked.byteLength;
    server.receiveMasked(msg);
  }
  const survivors = server.closeMasked();
  for (const id of dropouts.afterInput ?? []) gone.add(id);
  for (const id of survivors) {
    if (gone.has(id)) continue;
    let response = clients.get(id)!.unmask(survivors);
    if (tamper) response = tamper(response);
    bytes += 4 + response.seedShares.reduce((s, r) => s + 4 + r.y.length, 0) + response.pairShares.reduce((s, r) => s + 8 + r.y.length, 0);
    server.receiveUnmask(response);
  }
  const result = server.finalize();
  return { ...result, bytesPerClient: bytes / Math.max(1, clients.size) };
}
