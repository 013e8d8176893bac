import type { ErrorCode } from '../core/error-codes.js';
import { HindsightError, ValidationError } from '../core/errors.js';
import type { VerifiedEvent } from '../events/verify.js';
import type { LoggedEvent } from '../sdk/client.js';
import type { Engine } from '../engine/engine.js';
import type { LogSource } from './log-source.js';

const PAGE = 1000;
const POLL_MS = 5_000;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;

/** Log lines that report a failure carry a listed code. */
type LogFields = { code?: ErrorCode; [key: string]: unknown };
type Logger = { info(obj: LogFields, msg?: string): void; warn(obj: LogFields, msg?: string): void; error(obj: LogFields, msg?: string): void };
const silent: Logger = { info() {}, warn() {}, error() {} };

/**
 * Replicates a leader's log into a local engine (its own store, shared mode so rejected entries keep
 * their seq) and re-verifies every event itself: a follower trusts signatures, not its leader. It
 * pulls pages until it is level, then applies entries from the live stream, pulling again on any
 * gap, disconnect, or every few seconds. An entry that does not verify, or whose CID or seq differs
 * from what the leader claims, halts the follower (healthz turns 503): it never diverges silently.
 */
export class Follower {
  #buffer: LoggedEvent[] = [];
  #wake: (() => void) | null = null;
  #stopped = false;
  #unsubscribe: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #retryMs = RETRY_MIN_MS;
  leaderHead = 0;
  error: string | undefined;

  constructor(
    readonly engine: Engine,
    readonly source: LogSource,
    public log: Logger = silent,
    private readonly onProgress?: (lag: number) => void,
  ) {
    if (engine.mode !== 'shared') {
      throw new ValidationError('follower.notShared', `engine: expected one opened in shared mode (the leader log may hold rejected entries), got ${engine.mode} mode`, { field: 'engine' });
    }
  }

  get lag(): number {
    return Math.max(0, this.leaderHead - this.engine.state.seq);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#wake?.();
    await this.#loop;
  }

  /** Resolves once the local log reaches `seq` (tests, and `node start --follow` before listening). */
  async waitFor(seq: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.engine.state.seq < seq) {
      if (this.error) throw new HindsightError('follower.halted', `follower: expected seq ${seq}, got halted: ${this.error}`, { seq });
      if (Date.now() > deadline) {
        throw new HindsightError('follower.timeout', `follower: expected seq ${seq} within ${timeoutMs} ms, got ${this.engine.state.seq}`, { seq, timeoutMs });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #run(): Promise<void> {
    let needPull = true;
    while (!this.#stopped && !this.error) {
      try {
        const seq = this.engine.state.seq;
        this.#buffer = this.#buffer.filter((e) => e.seq > seq);
        if (this.#buffer.length > 0 && this.#buffer[0]!.seq === seq + 1) {
          const run = this.#contiguousPrefix();
          await this.#apply(run);
          continue;
        }
        if (needPull || this.#buffer.length > 0) {
          const page = await this.source.pull(seq, PAGE);
          this.leaderHead = Math.max(this.leaderHead, page.head);
          if (page.events.length > 0) {
            await this.#apply(page.events);
            continue;
          }
          needPull = false;
          this.#retryMs = RETRY_MIN_MS;
          this.#ensureSubscribed();
          // Entries streamed while we pulled are applied next round; a buffer that still starts past
          // a gap the leader does not fill is stale and dropped (the stream resends from our seq).
          if (this.#buffer[0]?.seq === this.engine.state.seq + 1) continue;
          this.#buffer = [];
        }
        this.onProgress?.(this.lag);
        needPull = !(await this.#sleep(POLL_MS));
      } catch (error) {
        if (error instanceof DivergenceError) {
          this.error = error.message;
          this.log.error({ code: 'follower.halted' }, error.message);
          break;
        }
        this.log.warn({ code: 'follower.retry', err: (error as Error).message }, 'follower: leader unreachable, retrying');
        await this.#sleep(this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
        needPull = true;
      }
    }
    this.#unsubscribe?.();
  }

  #contiguousPrefix(): LoggedEvent[] {
    let n = 1;
    while (n < this.#buffer.length && n < PAGE && this.#buffer[n]!.seq === this.#buffer[n - 1]!.seq + 1) n++;
    return this.#buffer.splice(0, n);
  }

  #ensureSubscribed(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.source.subscribe(
      this.engine.state.seq,
      (event) => {
        this.#buffer.push(event);
        this.leaderHead = Math.max(this.leaderHead, event.seq);
        this.#wake?.();
      },
      (error) => {
        this.log.warn({ code: 'follower.streamDropped', err: error.message }, 'follower: stream dropped, resubscribing');
        this.#unsubscribe = null;
        this.#wake?.();
      },
    );
  }

  /** Waits for a stream event or the timeout; true when woken by an event. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#stopped) return resolve(false);
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(true);
      };
    });
  }

  /**
   * Verifies and commits entries in order. Intake checks may depend on state (a proof needs the
   * vkey its model.commit registered), so when an entry fails after some good ones, the good prefix
   * is committed first and the failing entry is checked again against the updated state; only an
   * entry that fails on the state right before it halts the follower.
   */
  async #apply(entries: LoggedEvent[]): Promise<void> {
    let rest = entries;
    while (rest.length > 0) {
      const first = this.engine.state.seq + 1;
      rest.forEach((e, i) => {
        if (e.seq !== first + i) throw new DivergenceError(`leader entry: expected seq ${first + i}, got ${e.seq}`);
      });
      const verified = await this.engine.verifyMany(rest.map((e) => e.event));
      let problem: string | undefined;
      const good: VerifiedEvent[] = [];
      for (const [i, v] of verified.entries()) {
        if (v instanceof HindsightError) problem = `leader entry ${rest[i]!.seq}: expected an event that verifies, got ${v.code}: ${v.message}`;
        else if (v.cid !== rest[i]!.cid) problem = `leader entry ${rest[i]!.seq}: expected cid ${rest[i]!.cid}, got ${v.cid} from its bytes`;
        if (problem) break;
        good.push(v as VerifiedEvent);
      }
      if (problem && good.length === 0) throw new DivergenceError(problem);
      const outcomes = await this.engine.commitVerified(good);
      outcomes.forEach((o, i) => {
        const seq = o.ok ? o.result.seq : o.error.details.seq;
        if (seq !== rest[i]!.seq || (o.ok && o.result.duplicate)) {
          throw new DivergenceError(`leader entry ${rest[i]!.seq}: expected to store it at the same seq, got ${String(seq)}${o.ok && o.result.duplicate ? ' (already stored)' : ''}`);
        }
      });
      rest = rest.slice(good.length);
    }
  }
}

/** The leader's log disagrees with what this follower verified: the follower halts. */
class DivergenceError extends HindsightError {
  constructor(message: string) {
    super('follower.diverged', message);
  }
}
