/**
 * A data controller taking part in a federated task over a node (`hindsight fl controller`): it
 * joins, and every round downloads the global model, trains on its own examples (which never leave
 * it), clips and noises the update as the task's recipe says, and runs its side of secure
 * aggregation — keys, shares, masked input, unmask — as signed `fl.update` events, reading what
 * concerns it from the node's relay. The operator's `fl.stage` closures say who counts at each step.
 */
import { csrFromRows } from '../ml/features/sparse.js';
import { makeFeaturizer } from '../ml/features/featurizer.js';
import { deriveSeed, makeRng } from '../ml/rng.js';
import type { Signer } from '../events/keys.js';
import { PairKeys } from '../fl/secagg/pair-keys.js';
import { SecAggClient } from '../fl/secagg/client.js';
import { secureRandomBytes, seededRandomBytes, type RandomBytes } from '../crypto/random-bytes.js';
import { localUpdate } from '../fl/training/local-train.js';
import { prepareUpdate } from '../fl/training/strategy.js';
import { quantize, quantizerFor } from '../fl/training/quantize.js';
import { decodeModelBlob, groupsOf, inboxFrom, keysBody, keysFrom, maskedBody, sessionConfig, sharesBody, unmaskBody } from '../fl/net/protocol.js';
import { FlNode, blobBytes, waitFor, type FlTaskInfo, type WaitReply } from './fl-node.js';
import { HindsightError, expectedGot } from '../core/errors.js';

/**
 * Refusals that only mean the round went on without this controller; fl.secagg.tooFew: its group
 * kept too few members for the recipe's minSurvivors, so this controller does not unmask it.
 */
const MISSED = new Set(['fl.update.closed', 'fl.update.stale', 'fl.task.finished', 'fl.secagg.tooFew']);

export type ControllerBehaviour = 'honest' | 'noise' | 'dropout';

export type ControllerOptions = {
  node: string;
  signer: Signer;
  task: string;
  /** The controller's private examples (a mailbox shard). */
  examples: readonly { text: string; label: number }[];
  /** 'noise': sends Gaussian noise, unclipped; 'dropout': leaves after sending its shares in `dropRound`. */
  behaviour?: ControllerBehaviour;
  dropRound?: number;
  /** Seeds the local SGD order and noise; with `seededSecrets`, also the SecAgg secrets (reproducible runs only). */
  seed?: number;
  seededSecrets?: boolean;
  /** How long to wait for the task, a stage closure or the next round. */
  timeoutMs?: number;
  pollMs?: number;
  log?: (line: string) => void;
};

export type ControllerReport = { did: string; slot: number; rounds: number[]; droppedOut: boolean; sentBytes: number; receivedBytes: number; earned: string };

/** Keys sent with the previous round's unmask, and the operator's closing of their stage (members null: the round ended without us). */
type EarlyKeys = { round: number; group: number; keys: PairKeys; closing: { members: number[] | null; messages: WaitReply['messages'] } };

/** A wait's answer, or fl.controller.timeout when the node said it is still not ready. */
async function ready(reply: Promise<WaitReply>, what: string): Promise<WaitReply> {
  const r = await reply;
  if (!r.ready) throw expectedGot('fl.controller.timeout', what, 'to happen before the timeout', 'nothing');
  return r;
}

export async function runController(o: ControllerOptions): Promise<ControllerReport> {
  const node = new FlNode(o.node, o.signer);
  const timeout = o.timeoutMs ?? 60_000;
  const poll = o.pollMs ?? 40;
  let view = await waitFor('task', async () => (await node.task(o.task)) ?? undefined, timeout, poll);
  try {
    return await play(o, node, view, timeout);
  } finally {
    node.close();
  }
}

async function play(o: ControllerOptions, node: FlNode, view: FlTaskInfo, timeout: number): Promise<ControllerReport> {
  const log = o.log ?? (() => {});
  const me = o.signer.did;
  const seed = o.seed ?? 1;
  if (!view.controllers.some((c) => c.did === me)) {
    await node.submit('fl.join', { task: o.task, examples: o.examples.length });
    view = (await node.task(o.task))!;
  }
  const slot = view.controllers.find((c) => c.did === me)!.slot;
  // Groups are drawn over the whole cohort, so wait until it has joined (a later joiner is not in it).
  const cohort = view.clientsPerRound;
  if (slot > cohort) throw expectedGot('fl.controller.invalid', 'slot', `one of the task's first ${cohort} controllers`, slot);
  // The recipe and the examples' features are ready before the cohort is: that wait is idle time.
  const initial = decodeModelBlob(await node.getBlob(view.modelBlobs[0]!));
  const recipe = initial.recipe;
  const featurizer = makeFeaturizer(recipe.featurizer);
  const X = csrFromRows(o.examples.map((e) => featurizer.transform({ text: e.text })), featurizer.dim);
  const y = Int32Array.from(o.examples, (e) => e.label);
  const random: RandomBytes = o.seededSecrets ? seededRandomBytes(`fl-controller/${seed}/${me}`) : secureRandomBytes;
  const done: number[] = [];
  const joined = await ready(node.waitUntil(o.task, { for: 'joined', count: cohort }, timeout), 'the cohort joining');
  log(`joined ${o.task} as slot ${slot}`);

  /**
   * Sends this stage's event and, in the same request, waits for the operator to close it (null
   * members: the round ended without us); the reply carries the closed stage's messages for this slot.
   */
  const stage = async (round: number, group: number, body: Record<string, unknown>, closes: string, to?: number) => {
    const reply = await ready(node.step('fl.update', { task: o.task, round, body }, o.task, { for: 'closed', round, group, stage: closes, ...(to === undefined ? {} : { to }) }, timeout), `round ${round} group ${group} ${closes} closure`);
    return { members: reply.closed, messages: reply.messages };
  };

  /**
   * One round's part; 'dropped' when this controller leaves (the dropout behaviour); `end` when the
   * round's end is known. `early`: this round's keys, already sent with the previous round's unmask,
   * and the operator's closing of their stage. A round that is not the task's last sends the next
   * round's keys with its unmask and waits for their closing instead of the round's end.
   */
  const playRound = async (round: number, global: Float64Array, group: number, early?: EarlyKeys): Promise<{ outcome: 'dropped' | 'done' | 'skipped'; end?: WaitReply; early?: EarlyKeys }> => {
    // Train first: the keys stage cannot close before every member's keys, and a member's masked
    // input needs its update anyway, so training before the keys costs the round nothing.
    const rng = makeRng(deriveSeed(seed, `fl/${o.task}/${round}/${me}`));
    const delta = o.behaviour === 'noise'
      ? Float64Array.from({ length: recipe.dim }, () => 3 * rng.normal())
      : localUpdate(global, X, y, { epochs: recipe.epochs, learningRate: recipe.learningRate, batchSize: recipe.batchSize }, rng);
    // A noise sender also ignores clipping and the DP noise: nobody can check it under secure aggregation.
    const instruction = o.behaviour === 'noise'
      ? { clientId: me, round, epochs: 1, learningRate: 1, batchSize: 1, weighting: 'uniform' as const }
      : { clientId: me, round, epochs: recipe.epochs, learningRate: recipe.learningRate, batchSize: recipe.batchSize, weighting: 'uniform' as const, clipNorm: recipe.clipNorm, biasClip: recipe.biasClip, noiseStd: recipe.noiseStd };
    const { vector } = prepareUpdate(instruction, delta, o.examples.length, rng.normal);
    const keys = early?.keys ?? new PairKeys();
    const keysStage = early?.closing ?? (await stage(round, group, keysBody(group, { id: slot, publicKey: keys.publicKey }), 'keys', slot));
    const members = keysStage.members;
    if (!members?.includes(slot)) return { outcome: 'skipped' };
    const config = sessionConfig(o.task, round, group, members, recipe);
    const client = new SecAggClient(config, slot, random, keys);
    client.advertise();
    const roster = keysStage.messages.map((m) => keysFrom(m.body));
    // The relay sent only our neighbours' keys; the closing lists every member that advertised.
    const shareKeys = client.shareKeys(roster, members);
    if (o.behaviour === 'dropout' && round === (o.dropRound ?? 1)) {
      await node.submit('fl.update', { task: o.task, round, body: sharesBody(shareKeys) });
      log(`dropping out of round ${round} after sharing keys`);
      return { outcome: 'dropped' };
    }
    const sharesStage = await stage(round, group, sharesBody(shareKeys), 'shares', slot);
    const q = quantizerFor(recipe.coordinateBound, members.length);
    const input = quantize(vector, q, rng);
    const sharers = sharesStage.members;
    if (!sharers?.includes(slot)) return { outcome: 'skipped' };
    const inbox = inboxFrom(sharesStage.messages);
    const masked = client.maskedInput(inbox, input);
    const survivors = (await stage(round, group, maskedBody(round, masked.masked, q.scaleBits), 'masked')).members;
    if (!survivors?.includes(slot)) return { outcome: 'skipped' };
    const unmask = client.unmask(survivors);
    if (round === view.rounds) {
      const end = await ready(node.step('fl.update', { task: o.task, round, body: unmaskBody(unmask) }, o.task, { for: 'completed', round }, timeout), `round ${round} end`);
      return { outcome: 'done', end };
    }
    const next = { round: round + 1, group: groupsOf(o.task, round + 1, cohort, recipe.groups).get(slot)!, keys: new PairKeys() };
    const body = unmaskBody(unmask, keysBody(next.group, { id: slot, publicKey: next.keys.publicKey }));
    // Ready once the next round's keys are closed, which is after this round's end (or once that round is over).
    const closing = await ready(node.step('fl.update', { task: o.task, round, body }, o.task, { for: 'closed', round: next.round, group: next.group, stage: 'keys', to: slot, include: 'model' }, timeout), `round ${next.round} group ${next.group} keys closure`);
    return { outcome: 'done', end: closing, early: { ...next, closing: { members: closing.closed, messages: closing.messages } } };
  };

  // Where the task stands: rounds completed and the latest model's blob (from the cohort's wait, then each round's end).
  let at: { completed: number; model: string | null; modelData?: string } = { completed: joined.completed, model: joined.model };
  let early: EarlyKeys | undefined;
  while (at.completed < view.rounds) {
    const round = at.completed + 1;
    const global = !at.model || at.model === view.modelBlobs[0] ? initial.weights : decodeModelBlob(at.modelData === undefined ? await node.getBlob(at.model) : blobBytes(at.model, at.modelData)).weights;
    const group = groupsOf(o.task, round, cohort, recipe.groups).get(slot)!;
    let end: WaitReply | undefined;
    try {
      const played = await playRound(round, global, group, early?.round === round ? early : undefined);
      early = undefined;
      if (played.outcome === 'dropped') return { did: me, slot, rounds: done, droppedOut: true, sentBytes: node.sentBytes, receivedBytes: node.receivedBytes, earned: '0' };
      if (played.outcome === 'done') done.push(round);
      end = played.end;
      early = played.early;
    } catch (error) {
      // Too late for this round (the operator closed the stage, or the round or task ended): wait for the next one.
      if (!(error instanceof HindsightError && MISSED.has(error.code))) throw error;
      log(`missed round ${round} (${error.code})`);
    }
    end ??= await ready(node.waitUntil(o.task, { for: 'completed', round, include: 'model' }, timeout), `round ${round} end`);
    at = { completed: end.completed, model: end.model, modelData: end.modelData };
    if (end.finished) break;
  }
  // Stay until the operator settles the escrow, so the report shows what was earned.
  await ready(node.waitUntil(o.task, { for: 'finished' }, timeout), 'final payment');
  const final = (await node.task(o.task))!;
  const earned = final.controllers.find((c) => c.did === me)!.earned;
  log(`task done: ${done.length} rounds, earned ${earned} micro-units`);
  return { did: me, slot, rounds: done, droppedOut: false, sentBytes: node.sentBytes, receivedBytes: node.receivedBytes, earned };
}
