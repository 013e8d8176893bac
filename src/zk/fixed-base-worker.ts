/**
 * Child process for FixedBasePool (a process, not a worker thread: ffjavascript's own worker shim
 * hijacks worker threads). Its own single-threaded BN254 engine and window tables.
 */
import { buildBn128, type Curve } from 'ffjavascript';
import { FixedBaseTable, type GroupName } from './fixed-base.js';

let curve: Curve | undefined;
const tables = new Map<GroupName, FixedBaseTable>();

type Request = { id: number; group: GroupName; scalars: Uint8Array; count: number } | { stop: true };

process.on('message', (msg: Request) => {
  void (async () => {
    if ('stop' in msg) {
      await curve?.terminate();
      process.disconnect?.();
      return;
    }
    curve ??= await buildBn128(true);
    let table = tables.get(msg.group);
    if (!table) {
      table = FixedBaseTable.build(curve, msg.group);
      tables.set(msg.group, table);
    }
    process.send?.({ id: msg.id, points: table.multiplyBytes(msg.scalars, msg.count) });
  })();
});
