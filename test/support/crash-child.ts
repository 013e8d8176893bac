/**
 * Child process for crash-harness.ts: appends batches to a store forever and prints one line per
 * acknowledged event, *after* append() resolved:
 *   ack <seq> <cid>
 * The parent SIGKILLs it at random moments and then checks that every acknowledged event survived.
 * Usage: node --import tsx crash-child.ts '{"dir":"..."|"db":"...","seed":1,"tag":"i3w0"}'
 */
import { openStore } from '../../src/store/open-store.js';
import { makeTestEvent, seededRandom } from './test-events.js';

type ChildArgs = { dir?: string; db?: string; seed: number; tag: string };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const store = await openStore({ dir: args.dir, db: args.db });
  const random = seededRandom(args.seed);
  process.stdout.write('ready\n');
  for (let batchNo = 0; ; batchNo++) {
    const size = 1 + Math.floor(random() * 40);
    const batch = Array.from({ length: size }, (_, index) =>
      makeTestEvent(`${args.tag}-${batchNo}-${index}`, {
        type: index % 2 ? 'crash.even' : 'crash.odd',
        round: batchNo % 3 === 0 ? null : batchNo,
        author: `did:key:z6Mk${args.tag}`,
        extra: { tag: args.tag, batch: batchNo, size, index },
      }),
    );
    const results = await store.append(batch);
    // One write per batch: stdout to a pipe is synchronous on Linux, so once write() returns the
    // parent can read these lines even if we are killed right after.
    process.stdout.write(results.map((r) => `ack ${r.seq} ${r.cid}\n`).join(''));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-child failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
