import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { SignedEvent } from '../events/envelope.js';
import { HttpClient } from '../sdk/http-client.js';

/**
 * `--node URL`: a write command runs against a throwaway local copy of the node's log (so it reads
 * the same state it would read locally: the signer's head and nonce, rounds, markets, seats), but
 * every event it signs is submitted to the node over HTTP. The node stays the community's one
 * writer; after each submit the copy pulls the node's log again so a run of chained events sees
 * its own previous event. The copy re-verifies every signature it pulls.
 */
export async function withNodeEngine<T>(url: string, run: (engine: Engine) => Promise<T>): Promise<T> {
  const client = new HttpClient(url);
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-node-'));
  const engine = await Engine.open({ dir, writerThread: false });
  const applyLocally = Engine.prototype.submit.bind(engine);
  const sync = async (): Promise<void> => {
    for (;;) {
      const page = await client.events(engine.state.seq, 1000);
      if (page.length === 0) return;
      for (const entry of page) await applyLocally(entry.event);
    }
  };
  try {
    await sync();
    Object.defineProperty(engine, 'submit', {
      value: async (raw: unknown) => {
        const reply = await client.submit(raw as SignedEvent);
        await sync();
        return reply;
      },
    });
    return await run(engine);
  } finally {
    await engine.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
