/**
 * A node as its own OS process, for the tests that kill -9 it, restart it, or run two on one
 * PostgreSQL log (started by child-node.ts). It loads only the node (not every CLI command): from
 * the build (dist/) when the parent says it is fresh (argument --build), otherwise the TypeScript
 * source through tsx, as bin/hindsight chooses. Plain JavaScript so that the build path runs
 * without loader hooks: a start from the build costs about a third of the CPU time.
 * Prints one JSON line `{"event":"listening","url":…}` when ready; SIGTERM stops it gracefully.
 * Usage: node node-child.mjs [--build] '{"dir":"…"|"db":"…","admin":"did:…",…}'
 *    or: node node-child.mjs [--build] --wait   (loads, then reads those options as one stdin line)
 */
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const fromBuild = args[0] === '--build';
if (fromBuild) args.shift();

async function loadNode() {
  if (fromBuild) return import('../../dist/node/run-node.js');
  const { register } = await import('tsx/esm/api');
  register();
  return import('../../src/node/run-node.ts');
}

async function options() {
  if (args[0] !== '--wait') return JSON.parse(args[0] ?? '{}');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return JSON.parse(line);
  }
  process.exit(0); // stdin closed before any options: the test no longer needs this node
}

async function main() {
  const { startNode } = await loadNode();
  const node = await startNode({ port: 0, host: '127.0.0.1', logger: false, rateLimit: false, ...(await options()) });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: node.url, seq: node.engine.state.seq, mode: node.engine.mode })}\n`);
  process.once('SIGTERM', () => {
    void node.close().then(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`node-child failed: ${error?.stack ?? String(error)}\n`);
  process.exit(1);
});
