/**
 * A node as its own OS process, for the tests that kill -9 it or run two on one PostgreSQL log.
 * It loads only the node (not every CLI command). Prints one JSON line `{"event":"listening","url":…}`
 * when ready; SIGTERM stops it gracefully.
 * Usage: node --import tsx node-child.ts '{"dir":"…"|"db":"…","maxBatch"?:n}'
 */
import { startNode, type StartNodeOptions } from '../../src/node/run-node.js';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as StartNodeOptions;
  const node = await startNode({ port: 0, host: '127.0.0.1', logger: false, rateLimit: false, ...options });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: node.url, seq: node.engine.state.seq, mode: node.engine.mode })}\n`);
  process.once('SIGTERM', () => {
    void node.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`node-child failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
