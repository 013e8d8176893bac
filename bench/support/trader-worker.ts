/**
 * A worker thread that posts continuous-market trades one after another (`bench fl-node`, relay1000)
 * until told to stop, and reports each one's latency. It has its own event loop, as a trader's own
 * machine would: on the bench's main thread the operator's coordinator (unmasking 1,000 controllers)
 * would delay reading the replies and count that delay as the node's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postEvent } from '../../test/support/load-driver.js';

export type TraderInput = { url: string; chain: string[] };
export type TraderReport = { latencies: number[]; used: number };

const { url, chain } = workerData as TraderInput;
let stop = false;
parentPort!.once('message', () => (stop = true));
const latencies: number[] = [];
let used = 0;
while (!stop && used < chain.length) {
  const t = performance.now();
  const reply = await postEvent(url, chain[used++]!);
  if (reply.status !== 202) throw new Error(`trade refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  latencies.push(performance.now() - t);
}
parentPort!.postMessage({ latencies, used } satisfies TraderReport);
