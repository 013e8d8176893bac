/**
 * A worker thread hosting some of a bench's FL controllers (`bench fl-node`): each controller is the
 * real `runController` with its own key, HTTP connection and event chain; the thread only shares a
 * CPU core and an event loop among them, as a machine running several members' bots would.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { testSigner } from '../../test/support/test-community.js';
import { flShards } from '../../test/support/fl-fixture.js';
import { runController } from '../../src/sdk/fl-controller.js';

export type WorkerInput = { url: string; task: string; salt: number; members: number[]; shards: number; perShard: number; timeoutMs: number; nice?: number };

const input = workerData as WorkerInput;
// On Linux a nice value belongs to a thread: this lowers only this worker's, not the bench's or the node's.
if (input.nice) setPriority(input.nice);
const data = flShards(input.shards, input.perShard, 100);
const reports = await Promise.all(
  input.members.map((m) => runController({ node: input.url, signer: testSigner(m, input.salt), task: input.task, examples: data.shards[(m - 1) % input.shards]!, timeoutMs: input.timeoutMs })),
);
parentPort!.postMessage(reports.map((r) => ({ sentBytes: r.sentBytes, receivedBytes: r.receivedBytes, rounds: r.rounds.length })));
