/**
 * A member's FL controller hosted by its long-running bot (`hindsight member run --fl-data`): on
 * every look at the log it joins each open federated task whose cohort still has room, and runs the
 * controller (src/sdk/fl-controller.ts) for it in the background on the member's own examples, which
 * never leave the process. Each task it finishes (or fails) is reported once.
 */
import type { Signer } from '../events/keys.js';
import { canonicalDid } from '../events/did.js';
import type { GameState } from '../game/state.js';
import { runController, type ControllerReport } from './fl-controller.js';

export type FlTaskOutcome = { task: string } & ({ ok: true; report: ControllerReport } | { ok: false; error: string });

export class MemberFlHost {
  readonly #did: string;
  readonly #running = new Map<string, Promise<void>>();
  readonly #done: FlTaskOutcome[] = [];
  /** Tasks it started a controller for (each task once, whatever its outcome). */
  readonly #seen = new Set<string>();

  constructor(private readonly options: { node: string; signer: Signer; examples: readonly { text: string; label: number }[]; timeoutMs?: number; log?: (line: string) => void }) {
    this.#did = canonicalDid(options.signer.did);
  }

  /** Tasks this host is taking part in right now. */
  get active(): string[] {
    return [...this.#running.keys()];
  }

  /** Starts a controller for every open task it can join; returns the outcomes of tasks that ended since the last call. */
  poll(state: GameState): FlTaskOutcome[] {
    for (const [id, t] of state.fl) {
      if (t.finished || this.#seen.has(id)) continue;
      const mine = t.controllers.has(this.#did);
      if (!mine && (t.controllers.size >= t.clientsPerRound || t.completed > 0)) continue;
      this.#seen.add(id);
      const run = runController({ node: this.options.node, signer: this.options.signer, task: id, examples: this.options.examples, timeoutMs: this.options.timeoutMs, log: this.options.log })
        .then((report) => void this.#done.push({ task: id, ok: true, report }))
        .catch((error: unknown) => void this.#done.push({ task: id, ok: false, error: (error as Error)?.message ?? String(error) }))
        .finally(() => this.#running.delete(id));
      this.#running.set(id, run);
    }
    return this.#done.splice(0);
  }

  /** Waits for every controller still running (a stopping bot lets them finish or time out). */
  async settle(): Promise<FlTaskOutcome[]> {
    await Promise.all(this.#running.values());
    return this.#done.splice(0);
  }
}
