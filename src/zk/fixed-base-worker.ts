/**
 * Child process for FixedBasePool (a process, not a worker thread: ffjavascript's own worker shim
 * hijacks worker threads). Its own single-threaded BN254 engine and window tables.
 */
import { buildBn128, type Curve } from 'ffjavascript';
import { FixedBaseTable, type GroupName } from './fixed-base.js';

let curve: Curve | undefined;
const tables = new Map<string, FixedBaseTable>();

type Request = { id: number; group: GroupName; scalars: Uint8Array; count: number; windowBits: 8 | 16 } | { stop: true };

process.on('message', (msg: Request) => {
  void (async () => {
    if ('stop' in msg) {
      await curve?.terminate();
      process.disconnect?.();
      return;
    }
    curve ??= await buildBn128(true);
    const key = `${msg.group}/${msg.windowBits}`;
    let table = tables.get(key);
    if (!table) {
      table = FixedBaseTable.build(curve, msg.group, msg.windowBits);
      tables.set(key, table);
    }
    process.send?.({ id: msg.id, points: table.multiplyBytes(msg.scalars, msg.count) });
  })();
});
