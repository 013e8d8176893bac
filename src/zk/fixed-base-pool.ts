/**
 * Fixed-base multiplication spread over child processes (one wasm engine each), which is what
 * makes a development ptau take minutes rather than tens of minutes at 2^16–2^17.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { InternalError } from '../core/errors.js';
import { moduleProcess } from '../core/spawn-worker.js';
import { FIELD_R } from '../statement/field.js';
import { scalarBytes, type GroupName } from './fixed-base.js';

type Reply = { id: number; points: Uint8Array };

export class FixedBasePool {
  private readonly children: ChildProcess[];
  private next = 0;
  private readonly pending = new Map<number, { resolve: (p: Uint8Array) => void; reject: (e: Error) => void }>();

  /** windowBits 16 for large jobs (see FixedBaseTable.build). */
  constructor(private readonly windowBits: 8 | 16 = 8, size = Math.max(2, Math.min(4, availableParallelism()))) {
    const { script, execArgv } = moduleProcess(import.meta.url, 'fixed-base-worker');
    this.children = Array.from({ length: size }, () => {
      const child = fork(script, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m: Reply) => {
        this.pending.get(m.id)?.resolve(m.points);
        this.pending.delete(m.id);
      });
      child.on('exit', (code) => {
        if (!code) return;
        const error = new InternalError('internal.workerExited', `fixed-base worker: expected it to answer, got exit code ${code}`, { exitCode: code });
        for (const p of this.pending.values()) p.reject(error);
      });
      return child;
    });
  }

  private run(child: ChildProcess, group: GroupName, scalars: Uint8Array, count: number): Promise<Uint8Array> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, group, scalars, count, windowBits: this.windowBits });
    });
  }

  /** s_i·G for every scalar, split evenly across the workers. */
  async multiply(group: GroupName, scalars: readonly bigint[]): Promise<Uint8Array> {
    const n = scalars.length;
    const per = Math.ceil(n / this.children.length);
    const parts = await Promise.all(
      this.children.map((c, k) => {
        const slice = scalars.slice(k * per, Math.min(n, (k + 1) * per));
        return slice.length ? this.run(c, group, scalarBytes(slice, FIELD_R), slice.length) : Promise.resolve(new Uint8Array(0));
      }),
    );
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 3000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.send({ stop: true });
          }),
      ),
    );
  }
}
