/**
 * Game rules for federated-learning tasks (payloads in src/events/types/fl.ts). A task moves through
 * rounds 1..rounds; each round collects fl.update messages from joined controllers and ends with the
 * operator's fl.aggregate. Rejected: updates from non-participants, for a round other than the
 * current one (stale or early; only an unmask may carry the next round's keys), replays of the same
 * stage, updates of the wrong shape, stages out of order, and payments beyond the budget or to
 * non-participants.
 *
 * FL tasks live in `state.fl`, so they are part of the stateHash and of snapshots.
 */
import { canonicalDid } from '../events/did.js';
import { decodeUpdate } from '../events/update-codec.js';
import type { GameState } from './state.js';
import { credit, debit, ensureFunds } from './ledger.js';
import { ensure, reject, type Handler } from './rules.js';

export type FlTaskState = {
  task: string;
  operator: string;
  parameters: number;
  rounds: number;
  /** The cohort: the first this many controllers to join take part (their slots are 1..clientsPerRound). */
  clientsPerRound: number;
  budget: bigint;
  paid: bigint;
  secureAggregation: boolean;
  /** SecAgg+ neighbours per client; null: the full graph (or no secure aggregation). */
  neighbors: number | null;
  /** Rounds completed by fl.aggregate. */
  completed: number;
  models: string[];
  /** Blob ids of the models' weights, parallel to `models` (null where the operator published none). */
  modelBlobs: (string | null)[];
  /** By DID: example count, what it was paid, and its slot (1-based join order, its SecAgg id). */
  controllers: Map<string, { examples: number; earned: bigint; slot: number }>;
  /** Stages each controller has sent in the current round. */
  stages: Map<string, Set<string>>;
  /** The SecAgg group each controller advertised keys in, this round. */
  groups: Map<string, number>;
  /**
   * Keys for the next round that arrived early, with an unmask of this round (by DID → group): when
   * this round ends they count as that round's keys messages.
   */
  nextGroups: Map<string, number>;
  /** Stages the operator closed this round (fl.stage), by `${group}/${stage}`: the slots that count. */
  closed: Map<string, number[]>;
  /** Set by the final fl.pay: the escrow is settled and nothing more is paid. */
  finished: boolean;
};

const STAGE_ORDER = ['keys', 'shares', 'masked', 'unmask'];
export function flState(state: GameState): Map<string, FlTaskState> {
  return state.fl;
}

function taskOf(state: GameState, id: string): FlTaskState {
  const task = flState(state).get(id);
  if (!task) reject('fl.task.unknown', `task: expected an existing FL task, got ${JSON.stringify(id)}`, { field: 'task' });
  return task;
}

export const flTaskHandler: Handler<'fl.task'> = (state, ev) => {
  const p = ev.payload;
  ensure(!flState(state).has(p.task), 'fl.task.exists', 'task', 'a new task id', p.task);
  const budget = BigInt(p.budget);
  ensureFunds(state.ledger, ev.event.author, budget, 'budget');
  // The budget is escrowed at once, so controllers are paid from money the operator can no longer spend.
  debit(state.ledger, ev.event.author, budget);
  state.ledger.escrow += budget;
  flState(state).set(p.task, {
    task: p.task,
    operator: canonicalDid(ev.event.author),
    parameters: p.parameters,
    rounds: p.rounds,
    clientsPerRound: p.clientsPerRound,
    budget,
    paid: 0n,
    secureAggregation: p.secureAggregation !== undefined,
    neighbors: p.secureAggregation?.neighbors ?? null,
    completed: 0,
    models: [p.initialModel],
    modelBlobs: [p.model ?? null],
    controllers: new Map(),
    stages: new Map(),
    groups: new Map(),
    nextGroups: new Map(),
    closed: new Map(),
    finished: false,
  });
};

export const flJoinHandler: Handler<'fl.join'> = (state, ev) => {
  const p = ev.payload;
  const task = taskOf(state, p.task);
  const who = canonicalDid(ev.event.author);
  ensure(who !== task.operator, 'fl.join.operator', 'author', 'a controller other than the task operator', who);
  ensure(!task.controllers.has(who), 'fl.join.duplicate', 'author', 'a controller that has not joined yet', who);
  ensure(task.completed < task.rounds, 'fl.task.finished', 'task', 'a task with rounds left', `${task.completed}/${task.rounds} rounds done`);
  task.controllers.set(who, { examples: p.examples, earned: 0n, slot: task.controllers.size + 1 });
};

export const flUpdateHandler: Handler<'fl.update'> = (state, ev) => {
  const p = ev.payload;
  const task = taskOf(state, p.task);
  const who = canonicalDid(ev.event.author);
  ensure(task.controllers.has(who), 'fl.update.notParticipant', 'author', `a controller that joined task ${task.task}`, who);
  const current = task.completed + 1;
  ensure(current <= task.rounds, 'fl.task.finished', 'round', 'a task with rounds left', p.round);
  if (p.round !== current) {
    reject('fl.update.stale', `round: expected ${current}, got ${p.round}${p.round < current ? ' (stale)' : ' (not open yet)'}`, { field: 'round', expected: String(current), got: String(p.round) });
  }
  const stage = p.body.stage;
  ensure(task.secureAggregation === (stage !== 'plain'), 'fl.update.stage', 'body.stage', task.secureAggregation ? 'a secure-aggregation stage' : 'plain', stage);
  const seen = task.stages.get(who) ?? new Set<string>();
  ensure(!seen.has(stage), 'fl.update.replay', 'body.stage', `a stage not yet sent this round (${[...seen].join(', ') || 'none'})`, stage);
  if (stage !== 'plain') {
    const need = STAGE_ORDER.slice(0, STAGE_ORDER.indexOf(stage));
    ensure(need.every((s) => seen.has(s)), 'fl.update.order', 'body.stage', `${stage} after ${need.join(', ') || 'nothing'}`, `${stage} after ${[...seen].join(', ') || 'nothing'}`);
  }
  if (stage !== 'plain') admitStage(task, who, p.body);
  if ((stage === 'plain' || stage === 'masked') && p.body.update !== undefined) {
    // Throws fl.update.shape / fl.update.stale / fl.update.format with "expected …, got …".
    decodeUpdate(new Uint8Array(Buffer.from(p.body.update, 'base64')), { round: current, length: task.parameters });
  } else if (stage === 'plain' || stage === 'masked') {
    ensure(p.body.ref !== undefined, 'fl.update.missing', 'body', 'an inline update or a ref', 'neither');
  }
  if (p.body.stage === 'unmask' && p.body.next !== undefined) admitNextKeys(task, who, p.round, p.body.next);
  seen.add(stage);
  task.stages.set(who, seen);
  if (p.body.stage === 'keys') task.groups.set(who, p.body.group);
};

/**
 * Keys for round + 1 carried by an unmask of this round: one event and one hand-off fewer per round.
 * They are fresh keys like any keys message, so the operator and the node learn nothing more.
 */
function admitNextKeys(task: FlTaskState, who: string, round: number, next: { group: number; slot: number }): void {
  const slot = task.controllers.get(who)!.slot;
  ensure(round < task.rounds, 'fl.update.next', 'body.next', `no next-round keys in the task's last round (${task.rounds})`, `keys for round ${round + 1}`);
  ensure(next.slot === slot, 'fl.update.slot', 'body.next.slot', `${slot} (this controller's join order)`, next.slot);
  (task.nextGroups ??= new Map()).set(who, next.group);
}

/**
 * Secure-aggregation admission: keys carry the controller's own slot, a stage the operator has closed
 * for the group is refused, and a later stage only comes from a slot its previous stage's closure lists.
 */
function admitStage(task: FlTaskState, who: string, body: { stage: string; slot?: number; group?: number }): void {
  const slot = task.controllers.get(who)!.slot;
  if (body.stage === 'keys') {
    ensure(body.slot === slot, 'fl.update.slot', 'body.slot', `${slot} (this controller's join order)`, body.slot);
    ensure(!task.closed.has(`${body.group}/keys`), 'fl.update.closed', 'body.stage', `a stage still open in group ${body.group}`, 'keys (closed)');
    return;
  }
  const group = task.groups.get(who);
  if (group === undefined) return; // the order check refuses it with a plainer message
  const previous = STAGE_ORDER[STAGE_ORDER.indexOf(body.stage) - 1]!;
  if (body.stage !== 'unmask') ensure(!task.closed.has(`${group}/${body.stage}`), 'fl.update.closed', 'body.stage', `a stage still open in group ${group}`, `${body.stage} (closed)`);
  const admitted = task.closed.get(`${group}/${previous}`);
  ensure(admitted?.includes(slot) === true, 'fl.update.notAdmitted', 'body.stage', `slot ${slot} listed by the operator's closing of ${previous} in group ${group}`, admitted ? `[${admitted.join(', ')}]` : `${previous} not closed yet`);
}

export const flStageHandler: Handler<'fl.stage'> = (state, ev) => {
  const p = ev.payload;
  const task = taskOf(state, p.task);
  ensure(canonicalDid(ev.event.author) === task.operator, 'fl.stage.notOperator', 'author', `the task operator ${task.operator}`, ev.event.author);
  ensure(task.secureAggregation, 'fl.stage.notSecure', 'task', 'a secure-aggregation task', 'a plain one');
  const current = task.completed + 1;
  ensure(p.round === current && current <= task.rounds, 'fl.stage.round', 'round', String(current), p.round);
  const key = `${p.group}/${p.stage}`;
  ensure(!task.closed.has(key), 'fl.stage.duplicate', 'stage', `a stage not yet closed in group ${p.group}`, p.stage);
  if (p.stage !== 'keys') {
    const previous = STAGE_ORDER[STAGE_ORDER.indexOf(p.stage) - 1]!;
    ensure(task.closed.has(`${p.group}/${previous}`), 'fl.stage.order', 'stage', `${p.stage} after ${previous} is closed`, `${previous} still open`);
  }
  const bySlot = new Map([...task.controllers].map(([did, c]) => [c.slot, did]));
  for (const slot of p.slots) {
    const did = bySlot.get(slot);
    const sent = did !== undefined && task.groups.get(did) === p.group && task.stages.get(did)?.has(p.stage) === true;
    ensure(sent, 'fl.stage.slots', 'slots', `slots that sent ${p.stage} in group ${p.group} this round`, slot);
  }
  task.closed.set(key, [...p.slots]);
};

export const flAggregateHandler: Handler<'fl.aggregate'> = (state, ev) => {
  const p = ev.payload;
  const task = taskOf(state, p.task);
  ensure(canonicalDid(ev.event.author) === task.operator, 'fl.aggregate.notOperator', 'author', `the task operator ${task.operator}`, ev.event.author);
  const current = task.completed + 1;
  ensure(p.round === current && current <= task.rounds, 'fl.aggregate.round', 'round', String(current), p.round);
  const finalStage = task.secureAggregation ? 'masked' : 'plain';
  for (const did of p.included) {
    ensure(task.stages.get(canonicalDid(did))?.has(finalStage) === true, 'fl.aggregate.included', 'included', `controllers that sent a ${finalStage} update this round`, did);
  }
  for (const did of p.dropped) ensure(task.controllers.has(canonicalDid(did)), 'fl.aggregate.dropped', 'dropped', 'joined controllers', did);
  task.models.push(p.modelHash);
  task.modelBlobs.push(p.model ?? null);
  task.completed = current;
  task.stages = new Map();
  task.groups = new Map();
  task.closed = new Map();
  // Keys sent early for the round that opens now count as its keys messages.
  for (const [who, group] of task.nextGroups ?? []) {
    task.stages.set(who, new Set(['keys']));
    task.groups.set(who, group);
  }
  task.nextGroups = new Map();
};

export const flPayHandler: Handler<'fl.pay'> = (state, ev) => {
  const p = ev.payload;
  const task = taskOf(state, p.task);
  ensure(canonicalDid(ev.event.author) === task.operator, 'fl.pay.notOperator', 'author', `the task operator ${task.operator}`, ev.event.author);
  let total = 0n;
  for (const pay of p.payments) {
    ensure(task.controllers.has(canonicalDid(pay.to)), 'fl.pay.notParticipant', 'payments.to', `a controller of task ${task.task}`, pay.to);
    total += BigInt(pay.amount);
  }
  ensure(!task.finished, 'fl.pay.finished', 'task', 'a task whose escrow is not settled yet', 'a final payment already made');
  ensure(task.paid + total <= task.budget, 'fl.pay.overBudget', 'payments', `at most ${task.budget - task.paid} micro-units (budget left)`, total.toString());
  // Paid out of the task's escrow (fl.task moved the budget there), never from the operator's balance.
  state.ledger.escrow -= total;
  for (const pay of p.payments) {
    credit(state.ledger, pay.to, BigInt(pay.amount));
    task.controllers.get(canonicalDid(pay.to))!.earned += BigInt(pay.amount);
  }
  task.paid += total;
  if (p.final === true) {
    const rest = task.budget - task.paid;
    state.ledger.escrow -= rest;
    credit(state.ledger, task.operator, rest);
    task.finished = true;
  }
};
