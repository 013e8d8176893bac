/**
 * Long-polls on the federated-learning relay: a participant asks for the moment something it needs
 * exists (the cohort joined, a stage's messages arrived, the operator closed a stage, a round ended,
 * the task finished) and the node answers as soon as an append makes it true, or when the wait runs
 * out. This replaces polling: each hand-off between stages costs one append notification, not a
 * polling interval, and an idle participant costs the node nothing but an open request.
 */
import { z } from 'zod';
import type { GameState } from '../game/state.js';
import type { FlRelayIndex } from './fl-relay-index.js';
import { keyNeighbours } from '../fl/net/protocol.js';
import { NO_LANE, type BackgroundLane } from './background-lane.js';
import type { AppendListener } from '../engine/append-feed.js';

/** The longest a single wait is held open (a client that needs longer asks again). */
export const MAX_WAIT_MS = 30_000;

export const FlWaitQuery = z.strictObject({
  for: z.enum(['joined', 'messages', 'closed', 'completed', 'finished']),
  round: z.coerce.number().int().min(1).max(1_000_000_000).optional(),
  group: z.coerce.number().int().min(0).max(999).optional(),
  stage: z.enum(['keys', 'shares', 'masked', 'unmask']).optional(),
  /** Shares: the holder whose inbox to return; keys (closed): the member whose neighbours' keys to return. */
  to: z.coerce.number().int().min(1).max(2 ** 31).optional(),
  /** joined: controllers; messages: messages of the stage. */
  count: z.coerce.number().int().min(0).max(1_000_000).optional(),
  waitMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).default(10_000),
  /** model: the reply also carries the latest model blob's bytes (`modelData`), saving a controller the blob's request. */
  include: z.enum(['model']).optional(),
});
export type FlWaitQuery = z.infer<typeof FlWaitQuery>;

const Message = z.strictObject({ slot: z.number().int(), author: z.string(), body: z.record(z.string(), z.unknown()) });
export const FlWaitReply = z.strictObject({
  ready: z.boolean(),
  completed: z.number().int(),
  finished: z.boolean(),
  joined: z.number().int(),
  /** The blob of the latest global model (the initial one before round 1), so a controller needs no task view per round. */
  model: z.string().nullable(),
  /** closed / messages: the slots the operator's closing of that stage lists, or null while it is open or the round is over. */
  closed: z.array(z.number().int()).nullable(),
  /** messages: the stage's messages; closed (keys, shares): those of the listed slots (shares: only what is addressed to `to`). */
  messages: z.array(Message),
  /** With include=model: the bytes of the blob `model` names, as base64. */
  modelData: z.string().optional(),
});
export type FlWaitReply = z.infer<typeof FlWaitReply>;

/** Which fields each kind of wait needs, for a precise 400 instead of a wait that can never end. */
export function missingField(q: FlWaitQuery): string | undefined {
  const need: Record<FlWaitQuery['for'], (keyof FlWaitQuery)[]> = {
    joined: ['count'],
    messages: ['round', 'group', 'stage', 'count'],
    closed: ['round', 'group', 'stage'],
    completed: ['round'],
    finished: [],
  };
  return need[q.for].find((f) => q[f] === undefined);
}

type FlTask = NonNullable<ReturnType<GameState['fl']['get']>>;

/** The task has finished, or the asked round is over. */
const isOver = (t: FlTask, q: FlWaitQuery): boolean => t.finished || (q.round !== undefined && t.completed >= q.round);

/** The slots the operator's closing of the asked stage lists, or null while it is open or the round is over. */
const closedSlots = (t: FlTask, q: FlWaitQuery) => (t.completed + 1 === q.round ? (t.closed.get(`${q.group}/${q.stage}`) ?? null) : null);

/** Readiness of the waits that need no messages ('joined', 'finished', 'completed'). */
function readyWithoutMessages(t: FlTask, q: FlWaitQuery): boolean {
  if (q.for === 'joined') return t.finished || t.controllers.size >= q.count!;
  if (q.for === 'finished') return t.finished;
  return isOver(t, q);
}

/** The answer to a wait right now; `ready` says whether the condition holds. */
export function answer(state: GameState, relay: FlRelayIndex, task: string, q: FlWaitQuery): FlWaitReply {
  const t = state.fl.get(task)!;
  const base = { completed: t.completed, finished: t.finished, joined: t.controllers.size, model: t.modelBlobs[t.completed] ?? null, closed: null, messages: [] };
  const over = isOver(t, q);
  switch (q.for) {
    case 'joined':
    case 'finished':
    case 'completed':
      return { ...base, ready: readyWithoutMessages(t, q) };
    case 'closed':
    case 'messages': {
      const closed = closedSlots(t, q);
      const all = relay.messages(task, q.round!, q.group!, q.stage!, q.to);
      if (q.for === 'messages') return { ...base, closed, messages: all, ready: over || closed !== null || all.length >= q.count! };
      // A controller reads the keys and its shares inbox of the stage it waited for; masked inputs
      // and unmask replies are the operator's business, so a closing of those carries no messages.
      // Keys for `to`: only its neighbours' (the session graph is public), not the whole group's.
      const wanted = closed && q.stage === 'keys' && q.to !== undefined ? keyNeighbours(task, q.round!, q.group!, closed, t.neighbors ?? null, q.to) : closed;
      const listed = wanted && (q.stage === 'keys' || q.stage === 'shares') ? new Set(wanted) : undefined;
      return { ...base, closed, messages: listed ? all.filter((m) => listed.has(m.slot)) : [], ready: over || closed !== null };
    }
  }
}

/**
 * False when `answer` surely is not ready, without building a reply: a wake-up re-checks every open
 * wait after every append, and building a share inbox for each of 1,000 waiting controllers each time
 * made the relay quadratic. A stage holding fewer messages than asked cannot be ready, whatever `to`.
 */
export function mayBeReady(state: GameState, relay: FlRelayIndex, task: string, q: FlWaitQuery): boolean {
  const t = state.fl.get(task)!;
  if (q.for !== 'closed' && q.for !== 'messages') return readyWithoutMessages(t, q);
  if (isOver(t, q) || closedSlots(t, q) !== null) return true;
  return q.for === 'messages' && relay.size(task, q.round!, q.group!, q.stage!) >= q.count!;
}

type Waiter = { check(): void };

/**
 * The open waits of one node. On every append it brings the relay index up to date once and
 * re-checks every waiter (cheap: a map lookup each), so a batch of appends wakes each waiter once. A
 * wait that arrives while a refresh is under way is checked again when that refresh ends.
 */
export class FlWaiters {
  readonly #waiters = new Set<Waiter>();
  #running = false;
  #again = false;
  #primed = false;
  /** The highest log head announced so far. */
  #head = 0;

  constructor(
    private readonly relay: FlRelayIndex,
    private readonly state: () => GameState,
    onAppended: (listener: AppendListener) => () => void,
    /** Where replies are built: a stage's closing readies every waiting controller at once. */
    private readonly lane: Pick<BackgroundLane, 'run'> = NO_LANE,
  ) {
    onAppended((head, events) => {
      // Offered at once, in seq order, even while a wake-up runs: the index then needs no read.
      this.relay.offer(events);
      this.#head = Math.max(this.#head, head);
      void this.#wake();
    });
  }

  get open(): number {
    return this.#waiters.size;
  }

  async #wake(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        await this.relay.refresh(this.state(), this.#head);
        for (const w of [...this.#waiters]) w.check();
      } while (this.#again);
    } catch (error) {
      // The store closed under us (shutdown): the waits end by their own timers.
      process.emitWarning(`fl relay wake-up failed: ${(error as Error)?.message ?? String(error)}`, 'HindsightRelayWarning');
    } finally {
      this.#running = false;
    }
  }

  /** Resolves with the answer once it is ready, or with the answer at the end of `q.waitMs`. */
  async wait(task: string, q: FlWaitQuery): Promise<FlWaitReply> {
    // Every append refreshes the index (the wake-up above); only the first wait has to read the log itself.
    if (!this.#primed) {
      await this.relay.refresh(this.state());
      this.#primed = true;
    }
    const now = answer(this.state(), this.relay, task, q);
    if (now.ready || q.waitMs === 0) return now;
    return new Promise((resolve) => {
      const done = (reply: FlWaitReply) => {
        finished = true;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(reply);
      };
      let queued = false;
      let finished = false;
      const waiter: Waiter = {
        check: () => {
          if (queued || finished || !mayBeReady(this.state(), this.relay, task, q)) return;
          // Built in its own turn of the lane: a closing readies a whole cohort, and their replies
          // in one turn would hold up every other request for the length of the burst.
          queued = true;
          void this.lane.run(() => {
            queued = false;
            if (finished) return;
            const reply = answer(this.state(), this.relay, task, q);
            if (reply.ready) done(reply);
          });
        },
      };
      const timer = setTimeout(() => done(answer(this.state(), this.relay, task, q)), q.waitMs);
      this.#waiters.add(waiter);
    });
  }
}
