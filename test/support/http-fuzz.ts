/**
 * A hostile client for a live node, shared by the fuzz suite (test/fuzz.test.ts) and `bench fuzz`:
 * fast-check builds request recipes (a base body — a valid signed event, a Ceramic DAG-JWS event
 * from the real libraries, a logged one, a stranger's, an event of any type with a fuzzed payload,
 * a predict body, random JSON, a GET path — then value mutations, one text mutation and a content
 * type), `runCase` turns a recipe into bytes against the node's current chain heads, posts it, and
 * checks the answer:
 *
 * - the status is below 500 and one the route documents, an error body names a listed code and
 *   leaks no exception text;
 * - after every request the node's seq and stateHash (GET /healthz) are unchanged unless the answer
 *   was a 202 for a new event, and such an event is exactly one this client signed on the author's
 *   current chain head (mutated copies never get in);
 * - an unmutated valid event is accepted, an unmutated logged one is a duplicate.
 *
 * `finishFuzz` then checks that the process is alive and that a fresh replay of its log, every
 * signature re-verified, reaches the node's stateHash.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DID } from 'dids';
import { isErrorCode } from '../../src/core/error-codes.js';
import { ValidationError } from '../../src/core/errors.js';
import { dagJwsEventCid } from '../../src/events/dag-jws.js';
import { eventCid, type SignedEvent } from '../../src/events/envelope.js';
import type { Ed25519Signer } from '../../src/events/keys.js';
import { EVENT_SCHEMAS } from '../../src/events/registry.js';
import { signEvent } from '../../src/events/sign.js';
import { stateHash } from '../../src/game/canonical.js';
import { replayLog } from '../../src/engine/replay.js';
import { modelHashOf } from '../../src/ml/artifact.js';
import { Http1Connection, type Http1Reply } from '../../src/node/http1-connection.js';
import { pseudoModelHash } from '../../src/statement/pseudo-model-hash.js';
import { openStore } from '../../src/store/index.js';
import { CERAMIC_AUTHOR, ceramicEvent, sessionDid, siweDelegation, siweTime, withCapability } from './ceramic.js';
import { spawnNode, type ChildNode } from './child-node.js';
import { testSigner } from './test-community.js';
import { randomLogReg } from './test-models.js';

const COMMUNITY = 'fuzz';
const MEMBERS = 4;
const ITEMS = 4;
const PROB_SCALE = 1_000_000_000_000;
const MODEL = { ...randomLogReg(8, 2, true, { seed: 31 }), name: 'fuzz-model' };

/** An author's chain as the node has it; a Ceramic author signs DAG-JWS events through its session DID. */
type Chain = { signer: Ed25519Signer; head: string | null; nonce: number; model?: string; ceramic?: DID };
/** A body the node accepted, and the event id it got. */
type Logged = { body: unknown; cid: string };

export type FuzzTarget = {
  node: ChildNode;
  dir: string;
  conn: Http1Connection;
  admin: Chain;
  members: Chain[];
  outsider: Chain;
  /** A did:pkh account whose session key signs Ceramic DAG-JWS events. */
  ceramic: Chain;
  logged: Logged[];
  modelHash: string;
  last: { seq: number; stateHash: string };
  proofsLeft: number;
  maxRssBytes: number;
};

export type FuzzOptions = { proofs?: number; verifyThreads?: number };

/** Starts a node process (SQLite, one verify thread, a tiny model on /v1/predict) and a community on it. */
export async function startFuzzTarget(options: FuzzOptions = {}): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-fuzz-'));
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'model.json'), JSON.stringify(MODEL));
  // Rate limits on, but far above what one client sends: the limiter's code runs on every body.
  const node = await spawnNode({
    dir: join(dir, 'log'),
    admin: testSigner(0).did,
    models: join(dir, 'models'),
    verifyThreads: options.verifyThreads ?? 1,
    rateLimit: { perIpPerMinute: 1_000_000_000, perDidPerMinute: 1_000_000_000 },
  });
  const conn = new Http1Connection(node.url);
  const now = Date.now();
  const admin: Chain = { signer: testSigner(0), head: null, nonce: 0 };
  const members: Chain[] = Array.from({ length: MEMBERS }, (_, i) => ({ signer: testSigner(i + 1), head: null, nonce: 0, model: pseudoModelHash(`fuzz-model-${i}`) }));
  const outsider: Chain = { signer: testSigner(99), head: null, nonce: 0 };
  const session = await sessionDid('fuzz');
  const delegation = await siweDelegation({ audience: session.id, community: COMMUNITY, issuedAt: siweTime(now - 3_600_000), expirationTime: siweTime(now + 7 * 86_400_000) });
  const ceramic: Chain = { signer: testSigner(98), head: null, nonce: 0, ceramic: await withCapability(session, delegation.cacao) };
  const target: FuzzTarget = {
    node, dir, conn, admin, members, outsider, ceramic, logged: [], modelHash: await modelHashOf(MODEL),
    last: { seq: 0, stateHash: '' }, proofsLeft: options.proofs ?? 0, maxRssBytes: 0,
  };
  const setup: [Chain, string, Record<string, unknown>][] = [
    [admin, 'community.create', {
      name: COMMUNITY, treasury: '0',
      config: { trading: 'continuous', admins: [admin.signer.did], resolver: admin.signer.did },
      mint: [...members.map((m) => m.signer.did), CERAMIC_AUTHOR.toLowerCase()].map((to) => ({ to, amount: '1000000000000' })),
    }],
    ...members.map((m, i): [Chain, string, Record<string, unknown>] => [m, 'model.commit', { modelHash: m.model, architecture: 'fuzz', name: `m${i}` }]),
    [members[0]!, 'treasury.fund', { amount: String(100_000_000 * ITEMS) }],
    [admin, 'round.schedule', { round: 1, subsidyPerItem: '10000000', tradingDeadline: now + 86_400_000, revealDeadline: now + 2 * 86_400_000, seedCommitment: 'cd'.repeat(32) }],
    [admin, 'round.items', { round: 1, items: Array.from({ length: ITEMS }, (_, i) => ({ id: `item-${i}`, outcomes: 2, input: { features: [i, 1, 2, 3, 4, 5, 6, 7] } })) }],
    [admin, 'round.open', { round: 1 }],
  ];
  for (const [chain, type, payload] of setup) {
    const event = sign(chain, type, payload);
    const reply = await target.conn.request('POST', '/v1/events', JSON.stringify(event));
    if (reply.status !== 202) throw new Error(`fuzz setup: expected 202 for ${type}, got ${reply.status} ${reply.body}`);
    advance(target, chain, { body: event, cid: eventCid(event) });
  }
  target.last = await health(target);
  sampleRss(target);
  return target;
}

function sign(chain: Chain, type: string, payload: unknown, community = COMMUNITY): SignedEvent {
  const draft = { type, community, payload: payload as Record<string, unknown>, prev: chain.head, nonce: chain.nonce + 1, time: Date.now() };
  try {
    return signEvent(chain.signer, draft);
  } catch (error) {
    // Content the canonical encoding refuses (text starting with U+FEFF) cannot be signed by an
    // honest client; a hostile one sends it anyway, here with a placeholder signature the node must refuse.
    if (!(error instanceof ValidationError)) throw error;
    return { v: 1, ...draft, author: chain.signer.did, sig: 'A'.repeat(86) } as SignedEvent;
  }
}

/** The event id, or a marker for an event whose content has no canonical encoding (never accepted). */
function cidOrMarker(event: SignedEvent): string {
  try {
    return eventCid(event);
  } catch (error) {
    if (error instanceof ValidationError) return 'unencodable';
    throw error;
  }
}

/**
 * A Ceramic DAG-JWS event on the chain's head. A payload the DAG-JWS library cannot encode, or whose
 * event id this client cannot compute (the node then refuses the event too), becomes a plain transfer.
 */
async function signCeramic(target: FuzzTarget, chain: Chain, type: string, payload: unknown): Promise<Logged> {
  const fields = { community: COMMUNITY, prev: chain.head, nonce: chain.nonce + 1, time: Date.now() };
  try {
    const body = await ceramicEvent(chain.ceramic!, { ...fields, type, payload: payload as Record<string, unknown> });
    return { body, cid: dagJwsEventCid(body) };
  } catch {
    const body = await ceramicEvent(chain.ceramic!, { ...fields, type: 'ledger.transfer', payload: { to: target.members[0]!.signer.did, amount: '1' } });
    return { body, cid: dagJwsEventCid(body) };
  }
}

function advance(target: FuzzTarget, chain: Chain, logged: Logged): void {
  chain.head = logged.cid;
  chain.nonce += 1;
  target.logged.push(logged);
}

async function health(target: FuzzTarget): Promise<{ seq: number; stateHash: string }> {
  const reply = await target.conn.request('GET', '/healthz');
  const body = JSON.parse(reply.body) as { seq: number; stateHash: string };
  return { seq: body.seq, stateHash: body.stateHash };
}

/** Resident set of the node process (Linux /proc; 0 elsewhere). */
export function sampleRss(target: FuzzTarget): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${target.node.process.pid}/status`, 'utf8'))?.[1];
    const bytes = Number(kb ?? 0) * 1024;
    target.maxRssBytes = Math.max(target.maxRssBytes, bytes);
    return bytes;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Recipes

type ValueOp =
  | { op: 'set'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'retype'; at: number; to: number }
  /** A near miss that keeps the schema happy: a number ± 1, a string's character swapped for one of its kind. */
  | { op: 'tweak'; at: number; pick: number }
  | { op: 'wrap'; at: number; depth: number; array: boolean }
  /** Nesting too deep for JSON.stringify: a marker string, replaced in the text (see deepText). */
  | { op: 'deep'; at: number; depth: number; array: boolean };

type TextOp =
  | { op: 'truncate'; at: number }
  | { op: 'dupKeyFirst'; key: number; value: unknown }
  | { op: 'dupKeyLast'; key: number; value: unknown }
  | { op: 'raw'; at: number; literal: string }
  | { op: 'flip'; at: number; char: string }
  | { op: 'bytes'; at: number; bytes: number[] }
  | { op: 'bom' }
  | { op: 'pretty'; indent: number }
  | { op: 'deep'; depth: number; array: boolean }
  | { op: 'pad'; bytes: number }
  | { op: 'text'; text: string };

type Mutations = { ops: ValueOp[]; text: TextOp | null; contentType: string };

export type Recipe =
  | ({ route: 'events'; base: 'next' | 'ceramicNext' | 'logged' | 'genesis' | 'random'; member: number; value: unknown } & Mutations)
  | ({ route: 'events'; base: 'signed' | 'foreign' | 'otherCommunity' | 'ceramic'; member: number; type: string; payload: unknown } & Mutations)
  | ({ route: 'predict'; base: 'valid' | 'random'; value: unknown; prove: boolean } & Mutations)
  | { route: 'get'; path: string };

const SPECIAL_NUMBERS = [0, -0, 1, -1, 0.5, -0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_SAFE_INTEGER, 2 ** 64, 1e21, 8_640_000_000_000_001];
const SPECIAL_STRINGS = [
  '', ' ', '0', '00', '0005', '-0', '-1', '1.5', '1e3', '0x10', 'NaN', 'Infinity', 'null', 'true', '9'.repeat(24), '9'.repeat(25), '1'.repeat(400),
  'did:key:z' + '1'.repeat(48), 'did:pkh:eip155:1:0x' + 'A'.repeat(40), 'did:web:example.com', 'did:key:', '__proto__', 'constructor', 'prototype',
  '\u0000', '\ud800', '\udfff\ud800', '\u202e', '\ufeff', '🦄'.repeat(30), 'ℌ𝔢𝔩𝔩𝔬', 'a\nb', '"', '\\', '</script>', '%00', '../../etc/passwd',
  'bafyreia74kgsprpw4likguna3qv3gsxp6v7o5vtjezyipo6or6jfj224qa', '0x' + '0'.repeat(64), '0x' + 'f'.repeat(64), 'cd'.repeat(32), 'item-0', 'item-99',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then'];
const RAW_LITERALS = ['['.repeat(5_000) + ']'.repeat(5_000), '{"a":'.repeat(3_000) + '1' + '}'.repeat(3_000), '['.repeat(65) + ']'.repeat(65), '1e400', '-1e400', '1E+999', '-0', '0.0000', '1.0', '00', '01', '1.', '.5', '+1', 'NaN', 'Infinity', 'undefined', "'x'", '0x10', '1_000', '9'.repeat(400), '"\\ud800"', '"\\u0000"', '"\\x41"', '[,]', '{,}', 'tru'];
const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'text/plain', 'text/json', 'application/x-www-form-urlencoded',
  'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonx', 'application/ld+json', 'json', '*/*',
];

/** JSON-ish values with a bias to what breaks parsers and validators. */
const fuzzValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 120_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], [null], { '': null }) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { maxLength: 70 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => withOwn({}, k, v)) },
);

const valueOp: fc.Arbitrary<ValueOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fuzzValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTO_KEYS, 'extra', 'sig', 'type', 'cacao', 'signer', 'cap'), fc.string({ maxLength: 12 })), value: fuzzValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('retype' as const), at: fc.nat(), to: fc.nat(5) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tweak' as const), at: fc.nat(), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat(), depth: fc.constantFrom(1, 2, 10, 40, 62, 63, 64, 65, 200, 900), array: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(65, 2_000, 5_000, 20_000), array: fc.boolean() }) },
);

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dupKeyFirst' as const), key: fc.nat(), value: fuzzValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dupKeyLast' as const), key: fc.nat(), value: fuzzValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('raw' as const), at: fc.nat(), literal: fc.constantFrom(...RAW_LITERALS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('bytes' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.array(fc.constantFrom(0x00, 0xff, 0xfe, 0xc0, 0xc1, 0x80, 0xed, 0xa0, 0xf4, 0x90, 0x22, 0x5c, 0x7b, 0x5b, 0x5d, 0x7d, 0x2c), { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pretty' as const), indent: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deep' as const), depth: fc.constantFrom(63, 64, 65, 1_000, 5_000, 50_000), array: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pad' as const), bytes: fc.constantFrom(1_000, 100_000, 300_000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('text' as const), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('', ' ', 'null', '[]', '{}', '"x"', '0', '{"a":', '[[[[', '}}}}', '\u0000')) }) },
);

const mutations = (pristine: number): fc.Arbitrary<Mutations> =>
  fc.record({
    ops: fc.oneof({ weight: pristine, arbitrary: fc.constant([] as ValueOp[]) }, { weight: 10, arbitrary: fc.array(valueOp, { minLength: 1, maxLength: 3 }) }),
    text: fc.oneof({ weight: 6 + pristine, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: textOp }),
    contentType: fc.oneof({ weight: 12 + pristine, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  });

const EVENT_TYPES = Object.keys(EVENT_SCHEMAS);

/** Payloads close to valid for the core types (so the game's handlers see them), random for the rest. */
function payloadFor(target: FuzzTarget): fc.Arbitrary<{ type: string; payload: unknown }> {
  const dids = [...target.members.map((m) => m.signer.did), target.admin.signer.did, target.outsider.signer.did];
  const did = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...dids) }, { weight: 1, arbitrary: fuzzValue });
  const micro = fc.oneof(
    { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 2_000_000_000_000n }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('0', '1', '0005', '-1', '1.5', '1e3', '', '9'.repeat(24), '9'.repeat(25)) },
  );
  const model = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...target.members.map((m) => m.model!)) }, { weight: 1, arbitrary: fc.constantFrom(pseudoModelHash('unknown'), '0xdead') });
  const round = fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2, -1, 1.5, 1e12) });
  const item = fc.oneof({ weight: 4, arbitrary: fc.nat(ITEMS - 1).map((i) => `item-${i}`) }, { weight: 1, arbitrary: fc.constantFrom('item-9', '', 'x'.repeat(65)) });
  const belief = fc.integer({ min: 1, max: PROB_SCALE - 1 }).map((p) => [p, PROB_SCALE - p]);
  const trade = fc.oneof(
    fc.record({ kind: fc.constant('belief'), belief: fc.oneof({ weight: 4, arbitrary: belief }, { weight: 1, arbitrary: fc.array(fc.integer({ min: -1, max: PROB_SCALE + 1 }), { maxLength: 4 }) }), maxCost: micro }),
    fc.record({ kind: fc.constant('shares'), delta: fc.array(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map(String), { minLength: 0, maxLength: 3 }), maxCost: micro }),
  );
  const time = fc.constantFrom(0, Date.now(), Date.now() + 86_400_000 * 3, 8_640_000_000_000_000);
  const core: fc.Arbitrary<{ type: string; payload: unknown }>[] = [
    fc.record({ type: fc.constant('ledger.transfer'), payload: fc.record({ to: did, amount: micro }) }),
    fc.record({ type: fc.constant('ledger.mint'), payload: fc.record({ to: did, amount: micro }) }),
    fc.record({ type: fc.constant('treasury.fund'), payload: fc.record({ amount: micro }) }),
    fc.record({ type: fc.constant('model.commit'), payload: fc.record({ modelHash: fc.oneof(model, fc.string().map((s) => pseudoModelHash(`fuzz-${s}`))), architecture: fc.string({ maxLength: 10 }), name: fc.string({ maxLength: 10 }) }) }),
    fc.record({ type: fc.constant('trade.execute'), payload: fc.record({ round, item, model, trade }) }),
    fc.record({ type: fc.constant('trade.commit'), payload: fc.record({ round, item, model, commitment: fc.constant('ab'.repeat(32)), maxCost: micro }) }),
    fc.record({ type: fc.constantFrom('round.open', 'round.close', 'round.settle'), payload: fc.record({ round }) }),
    fc.record({ type: fc.constant('round.void'), payload: fc.record({ round, reason: fc.string({ maxLength: 20 }) }) }),
    fc.record({ type: fc.constant('round.schedule'), payload: fc.record({ round, subsidyPerItem: micro, tradingDeadline: time, revealDeadline: time, seedCommitment: fc.constant('cd'.repeat(32)) }) }),
    fc.record({ type: fc.constant('round.resolve'), payload: fc.record({ round, seed: fc.constant('00'.repeat(32)), labels: fc.array(fc.record({ item, outcome: fc.oneof(fc.constant(null), fc.nat(3)) }), { maxLength: 4 }) }) }),
    fc.record({ type: fc.constant('community.create'), payload: fc.record({ name: fc.constant(COMMUNITY), treasury: micro, config: fc.record({ trading: fc.constant('continuous'), admins: fc.array(did, { minLength: 1, maxLength: 2 }), resolver: did }), mint: fc.constant([]) }) }),
  ];
  return fc.oneof(
    { weight: 5, arbitrary: fc.oneof(...core) },
    { weight: 2, arbitrary: fc.record({ type: fc.constantFrom(...EVENT_TYPES), payload: fc.dictionary(fc.string({ maxLength: 10 }), fuzzValue, { maxKeys: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.oneof(fc.constantFrom('no.suchType', 'ledger', 'Ledger.Transfer', ''), fc.string({ maxLength: 20 })), payload: fc.dictionary(fc.string({ maxLength: 10 }), fuzzValue, { maxKeys: 3 }) }) },
  );
}

const getPath: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('/v1/events?after=', '/v1/events?limit=', '/v1/authors/', '/v1/rounds/', '/v1/markets/1/', '/v1/markets/', '/v1/models/', '/v1/community?', '/v1/state?x=', '/v1/leaderboard/', '/healthz?', '/v1/nothing/', '/v1/events/', '/v1/predict?'),
    fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent), fc.constantFrom('%zz', '%', '%00', '..%2f..', '-1', '1e3', '99999999999999999999', 'x'.repeat(5_000), '%E0%A4%A', '1&after=2&after=3', 'constructor', '__proto__')),
  )
  .map(([prefix, tail]) => prefix + tail);

/** The recipes of one campaign (they name members, types and models of this target). */
export function recipeArbitrary(target: FuzzTarget): fc.Arbitrary<Recipe> {
  const member = fc.nat(MEMBERS - 1);
  const signed = payloadFor(target);
  const predictValue = fc.oneof(
    fc.record({ input: fc.record({ features: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 8, maxLength: 8 }) }) }),
    fc.record({ input: fc.record({ features: fc.array(fuzzValue, { maxLength: 10 }) }) }),
    fc.record({ input: fc.record({ text: fc.oneof(fc.string({ maxLength: 50 }), fuzzValue) }) }),
    fc.record({ input: fc.record({ x: fc.array(fuzzValue, { maxLength: 10 }) }) }),
    fc.record({ input: fc.record({ features: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 8, maxLength: 8 }) }), model: fc.oneof(fc.constant(target.modelHash), fuzzValue) }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constant('next' as const), member, value: fc.constant(null) }).chain((r) => mutations(6).map((m) => ({ ...r, ...m }))) },
    { weight: 6, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constantFrom('signed' as const, 'signed' as const, 'foreign' as const, 'otherCommunity' as const), member, spec: signed }).chain(({ spec, ...r }) => mutations(10).map((m) => ({ ...r, ...spec, ...m }))) },
    { weight: 1, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constant('ceramicNext' as const), member, value: fc.constant(null) }).chain((r) => mutations(6).map((m) => ({ ...r, ...m }))) },
    { weight: 1, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constant('ceramic' as const), member, spec: signed }).chain(({ spec, ...r }) => mutations(6).map((m) => ({ ...r, ...spec, ...m }))) },
    { weight: 2, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constantFrom('logged' as const, 'genesis' as const), member: fc.nat(), value: fc.constant(null) }).chain((r) => mutations(3).map((m) => ({ ...r, ...m }))) },
    { weight: 2, arbitrary: fc.record({ route: fc.constant('events' as const), base: fc.constant('random' as const), member, value: fc.oneof(fuzzValue, fc.anything({ maxDepth: 3, withNullPrototype: true }).map(jsonSafe)) }).chain((r) => mutations(3).map((m) => ({ ...r, ...m }))) },
    { weight: 3, arbitrary: fc.record({ route: fc.constant('predict' as const), base: fc.constant('valid' as const), value: predictValue, prove: fc.boolean() }).chain((r) => mutations(4).map((m) => ({ ...r, ...m }))) },
    { weight: 1, arbitrary: fc.record({ route: fc.constant('predict' as const), base: fc.constant('random' as const), value: fuzzValue, prove: fc.constant(false) }).chain((r) => mutations(2).map((m) => ({ ...r, ...m }))) },
    { weight: 1, arbitrary: fc.record({ route: fc.constant('get' as const), path: getPath }) },
  );
}

/** fc.anything may hold undefined, -0 or objects without a prototype: keep what JSON can say. */
function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Building bodies

function withOwn<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function own(container: unknown, key: string | number): unknown {
  if (container === null || typeof container !== 'object') return undefined;
  return Object.getOwnPropertyDescriptor(container, key)?.value;
}

/** Every path into a value (root first), at most 300. */
function paths(value: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { v: unknown; p: (string | number)[] }[] = [{ v: value, p: [] }];
  while (stack.length > 0 && out.length < 300) {
    const { v, p } = stack.pop()!;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, p: [...p, i] }));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) stack.push({ v: own(v, k), p: [...p, k] });
  }
  return out;
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => own(v, k), root);
}

/** Sets (or with `undefined`, deletes) the value at a path; the root is replaced by returning it. */
function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else if (parent !== null && typeof parent === 'object') {
    if (value === undefined) delete (parent as Record<string, unknown>)[key];
    else withOwn(parent, String(key), value);
  }
  return root;
}

function retype(value: unknown, to: number): unknown {
  switch (to) {
    case 0: return typeof value === 'string' ? Number(value) || 0 : JSON.stringify(value) ?? '';
    case 1: return typeof value === 'number' ? String(value) : typeof value === 'string' ? value.length : 1;
    case 2: return [value];
    case 3: return { value };
    case 4: return null;
    default: return !value;
  }
}

const ALPHABETS = ['0123456789', '0123456789abcdef', 'abcdefghijklmnopqrstuvwxyz234567', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'];

function tweak(value: unknown, pick: number): unknown {
  if (typeof value === 'number') return pick % 2 === 0 ? value + 1 : value - 1;
  if (typeof value === 'boolean') return !value;
  if (typeof value !== 'string' || value.length === 0) return value;
  // A character of the string (the last one half of the time: padding bits, check digits), replaced
  // by another of the smallest alphabet that holds it.
  const at = pick % 2 === 0 ? value.length - 1 : (pick >> 1) % value.length;
  const alphabet = ALPHABETS.find((a) => a.includes(value[at]!)) ?? ALPHABETS[3]!;
  const next = alphabet[(alphabet.indexOf(value[at]!) + 1 + (pick % (alphabet.length - 1))) % alphabet.length]!;
  return value.slice(0, at) + next + value.slice(at + 1);
}

function nest(value: unknown, depth: number, array: boolean): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

function applyValueOps(value: unknown, ops: ValueOp[]): unknown {
  let root = structuredClone(value);
  for (const op of ops) {
    const all = paths(root);
    const path = all[op.at % all.length]!;
    if (op.op === 'set') root = setAt(root, path, structuredClone(op.value));
    else if (op.op === 'delete') root = path.length === 0 ? undefined : setAt(root, path, undefined);
    else if (op.op === 'retype') root = setAt(root, path, retype(getAt(root, path), op.to));
    else if (op.op === 'tweak') {
      const leaves = all.filter((p) => { const v = getAt(root, p); return v === null || typeof v !== 'object'; });
      if (leaves.length > 0) { const leaf = leaves[op.at % leaves.length]!; root = setAt(root, leaf, tweak(getAt(root, leaf), op.pick)); }
    }
    else if (op.op === 'wrap') root = setAt(root, path, nest(getAt(root, path), op.depth, op.array));
    else if (op.op === 'deep') root = setAt(root, path, `@@deep:${op.depth}:${op.array ? 'a' : 'o'}@@`);
    else {
      const objects = all.filter((p) => { const v = getAt(root, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
      if (objects.length === 0) continue;
      const at = objects[op.at % objects.length]!;
      const parent = getAt(root, at) as object;
      withOwn(parent, op.key, structuredClone(op.value));
    }
  }
  return root;
}

/** JSON text of a value's top-level keys' positions: the first object's opening brace and its keys. */
function topKeys(value: unknown): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/** JSON text of a value, with each deep-nesting marker replaced by the nested text it stands for. */
function deepText(value: unknown): string {
  return (JSON.stringify(value) ?? '').replace(/"@@deep:(\d+):([ao])@@"/g, (_m, depth: string, kind: string) => {
    const n = Number(depth);
    return kind === 'a' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '0' + '}'.repeat(n);
  });
}

function applyTextOp(value: unknown, text: string, op: TextOp | null): Buffer {
  if (!op) return Buffer.from(text);
  switch (op.op) {
    case 'truncate': return Buffer.from(text.slice(0, Math.floor(text.length * op.at)));
    case 'dupKeyFirst':
    case 'dupKeyLast': {
      const keys = topKeys(value);
      if (keys.length === 0 || !text.startsWith('{') || !text.endsWith('}')) return Buffer.from(text);
      const entry = `${JSON.stringify(keys[op.key % keys.length])}:${JSON.stringify(op.value) ?? 'null'}`;
      return Buffer.from(op.op === 'dupKeyFirst' ? `{${entry},${text.slice(1)}` : `${text.slice(0, -1)},${entry}}`);
    }
    case 'raw': {
      // Any value, at any depth, replaced by a literal JSON.stringify cannot write (or would overflow on).
      const all = paths(value);
      const marker = '"@@raw@@"';
      const copy = setAt(structuredClone(value), all[op.at % all.length]!, '@@raw@@');
      return Buffer.from((JSON.stringify(copy) ?? marker).replace(marker, op.literal));
    }
    case 'flip': {
      const at = Math.floor(text.length * op.at);
      return Buffer.from(text.slice(0, at) + op.char + text.slice(at + 1));
    }
    case 'bytes': {
      const bytes = Buffer.from(text);
      const at = Math.floor(bytes.length * op.at);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(op.bytes), bytes.subarray(at)]);
    }
    case 'bom': return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 'pretty': return Buffer.from(JSON.stringify(value, null, op.indent) ?? '');
    case 'deep': return Buffer.from((op.array ? '['.repeat(op.depth) : '{"a":'.repeat(op.depth)) + text + (op.array ? ']' : '}').repeat(op.depth));
    case 'pad': return Buffer.from(text + ' '.repeat(op.bytes));
    case 'text': return Buffer.from(op.text);
  }
}

// ---------------------------------------------------------------------------------------------
// Running a case

export type CaseResult = { status: number | 'noAnswer'; violation?: string; accepted?: boolean; proved?: boolean };

const EVENT_STATUSES = new Set([202, 400, 401, 413, 415, 422]);
const PREDICT_STATUSES = new Set([200, 400, 404, 413, 415]);
const LEAK = /Maximum call stack|RangeError|TypeError|ReferenceError|SyntaxError: Unexpected|\bat [\w.<>]+ \(|node:internal|\.ts:\d+/;

/** Builds a recipe's request against the target's current chains, sends it and checks the answer. */
export async function runCase(target: FuzzTarget, recipe: Recipe): Promise<CaseResult> {
  if (recipe.route === 'get') {
    const reply = await send(target, 'GET', recipe.path);
    if (reply === 'noAnswer') return { status: 'noAnswer', violation: `GET ${recipe.path.slice(0, 200)}: no answer` };
    return { status: reply.status, violation: checkReply(reply, reply.status < 500 ? null : new Set()) };
  }

  let value: unknown;
  let signed: { chain: Chain; logged: Logged } | undefined;
  let expect: 'accepted' | 'duplicate' | undefined;
  let proving = false;
  if (recipe.route === 'events') {
    const chain = recipe.base === 'foreign' ? target.outsider : recipe.base === 'ceramic' || recipe.base === 'ceramicNext' ? target.ceramic : target.members[recipe.member % MEMBERS]!;
    const pristine = recipe.ops.length === 0 && (recipe.text === null || recipe.text.op === 'pretty') && recipe.contentType === 'application/json';
    switch (recipe.base) {
      case 'next': {
        const to = target.members[(recipe.member + 1) % MEMBERS]!;
        const event = sign(chain, 'ledger.transfer', { to: to.signer.did, amount: '1' });
        signed = { chain, logged: { body: event, cid: cidOrMarker(event) } };
        value = event;
        if (pristine) expect = 'accepted';
        break;
      }
      case 'ceramicNext':
        signed = { chain, logged: await signCeramic(target, chain, 'ledger.transfer', { to: target.members[recipe.member % MEMBERS]!.signer.did, amount: '1' }) };
        value = signed.logged.body;
        if (pristine) expect = 'accepted';
        break;
      case 'ceramic':
        signed = { chain, logged: await signCeramic(target, chain, recipe.type, recipe.payload) };
        value = signed.logged.body;
        break;
      case 'signed':
      case 'foreign': {
        const event = sign(chain, recipe.type, recipe.payload);
        signed = { chain, logged: { body: event, cid: cidOrMarker(event) } };
        value = event;
        break;
      }
      case 'otherCommunity':
        value = sign(chain, recipe.type, recipe.payload, 'other-community');
        break;
      case 'logged':
        value = target.logged[recipe.member % target.logged.length]!.body;
        if (pristine) expect = 'duplicate';
        break;
      case 'genesis':
        value = target.logged[0]!.body;
        if (pristine) expect = 'duplicate';
        break;
      case 'random':
        value = recipe.value;
        break;
    }
  } else {
    const body = recipe.base === 'valid' && recipe.value !== null && typeof recipe.value === 'object' ? { ...(recipe.value as object) } : recipe.value;
    // Proofs cost about a second each: only the first few recipes that ask for one get it.
    if (recipe.prove && target.proofsLeft > 0 && recipe.ops.length === 0 && recipe.text === null && recipe.contentType === 'application/json' && provable(target, body)) {
      target.proofsLeft -= 1;
      proving = true;
      (body as Record<string, unknown>).prove = true;
    }
    value = body;
  }

  const mutated = recipe.route === 'events' || !proving ? applyValueOps(value, recipe.ops) : value;
  let bytes = applyTextOp(mutated, deepText(mutated), recipe.text);
  if (recipe.route === 'predict' && !proving && asksForProof(bytes)) bytes = Buffer.from(JSON.stringify({ ...(mutated as object), prove: false }));

  const path = recipe.route === 'events' ? '/v1/events' : '/v1/predict';
  const reply = await send(target, 'POST', path, bytes, recipe.contentType);
  sampleRss(target);
  if (reply === 'noAnswer') {
    // The node answers a body over its limit and closes before reading it all: a client may see the reset first.
    const oversized = bytes.length > 256 * 1024;
    return { status: 'noAnswer', violation: oversized ? undefined : `${path}: no answer to ${describe(recipe, bytes)}` };
  }
  const allowed = recipe.route === 'events' ? EVENT_STATUSES : PREDICT_STATUSES;
  let violation = checkReply(reply, allowed);
  const after = await health(target);
  const unchanged = after.seq === target.last.seq && after.stateHash === target.last.stateHash;
  let accepted = false;
  if (recipe.route === 'events' && reply.status === 202) {
    const answer = JSON.parse(reply.body) as { cid: string; seq: number; duplicate: boolean };
    if (answer.duplicate) {
      if (!unchanged) violation ??= `a duplicate changed the state: ${describe(recipe, bytes)}`;
      if (!target.logged.some((e) => e.cid === answer.cid)) violation ??= `a duplicate of an event never logged: ${answer.cid}`;
      if (expect === 'accepted') violation ??= `a new valid event was called a duplicate: ${describe(recipe, bytes)}`;
    } else if (signed && answer.cid === signed.logged.cid && after.seq === target.last.seq + 1) {
      advance(target, signed.chain, signed.logged);
      accepted = true;
    } else {
      violation ??= `accepted an event this client did not sign as sent (cid ${answer.cid}): ${describe(recipe, bytes)}`;
    }
  } else if (!unchanged) {
    violation ??= `a ${reply.status} changed the state (seq ${target.last.seq} → ${after.seq}): ${describe(recipe, bytes)}`;
  }
  if (expect === 'accepted' && !accepted) violation ??= `a valid event was refused: ${reply.status} ${reply.body.slice(0, 300)}`;
  if (expect === 'duplicate' && !(reply.status === 202 && (JSON.parse(reply.body) as { duplicate?: boolean }).duplicate)) violation ??= `a logged event was not answered as a duplicate: ${reply.status} ${reply.body.slice(0, 300)}`;
  if (proving && reply.status !== 200) violation ??= `a valid proof request failed: ${reply.status} ${reply.body.slice(0, 300)}`;
  target.last = after;
  return { status: reply.status, violation, accepted, proved: proving };
}

/** A predict body the served model answers: 8 integer features, and no model or this one. */
function provable(target: FuzzTarget, body: unknown): boolean {
  const b = body as { input?: { features?: unknown }; model?: unknown } | null;
  const features = b?.input?.features;
  return Array.isArray(features) && features.length === 8 && features.every(Number.isInteger) && Object.keys(b!.input!).length === 1
    && (b!.model === undefined || b!.model === target.modelHash) && Object.keys(b!).every((k) => k === 'input' || k === 'model');
}

function asksForProof(bytes: Buffer): boolean {
  try {
    const parsed = JSON.parse(bytes.toString()) as { prove?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' && parsed.prove === true;
  } catch {
    return false;
  }
}

async function send(target: FuzzTarget, method: 'GET' | 'POST', path: string, body?: Buffer, contentType?: string): Promise<Http1Reply | 'noAnswer'> {
  try {
    return await target.conn.request(method, path, body, contentType);
  } catch {
    target.conn.close();
    return 'noAnswer';
  }
}

/** A violation when the status is not allowed (null: any below 500) or an error body is malformed or leaks internals. */
function checkReply(reply: Http1Reply, allowed: Set<number> | null): string | undefined {
  if (reply.status >= 500) return `status ${reply.status}: ${reply.body.slice(0, 300)}`;
  if (allowed && !allowed.has(reply.status)) return `status ${reply.status} is not one the route documents: ${reply.body.slice(0, 300)}`;
  if (reply.status < 300) return undefined;
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(reply.body) as typeof body;
  } catch {
    return `status ${reply.status} with a body that is not JSON: ${reply.body.slice(0, 200)}`;
  }
  if (!isErrorCode(body.code)) return `status ${reply.status} with an unlisted code ${String(body.code)}: ${reply.body.slice(0, 300)}`;
  if (typeof body.message !== 'string' || LEAK.test(body.message)) return `an error message that leaks internals: ${reply.body.slice(0, 300)}`;
  return undefined;
}

function describe(recipe: Recipe, bytes: Buffer): string {
  const shown = bytes.length > 300 ? `${bytes.subarray(0, 300).toString()}… (${bytes.length} bytes)` : bytes.toString();
  const { route } = recipe;
  const base = 'base' in recipe ? recipe.base : '';
  const ops = 'ops' in recipe ? JSON.stringify(recipe.ops.map((o) => o.op)) : '';
  const text = 'text' in recipe ? recipe.text?.op ?? '-' : '';
  const ct = 'contentType' in recipe ? recipe.contentType : '';
  return `${route}/${base} ops=${ops} text=${text} ct=${ct} body=${shown}`;
}

// ---------------------------------------------------------------------------------------------
// The end of a campaign

export type FuzzEnd = { alive: boolean; seq: number; stateHash: string; replayStateHash: string; replayMatches: boolean };

/** Checks the node is alive and that a replay of its log (signatures re-verified) reaches its stateHash; stops it. */
export async function finishFuzz(target: FuzzTarget): Promise<FuzzEnd> {
  const alive = target.node.process.exitCode === null && target.node.process.signalCode === null;
  const last = alive ? await health(target) : target.last;
  target.conn.close();
  await target.node.kill('SIGTERM');
  const store = await openStore({ dir: join(target.dir, 'log') });
  try {
    const replay = await replayLog(store, { verifySignatures: true });
    const replayStateHash = stateHash(replay.state);
    return { alive, seq: last.seq, stateHash: last.stateHash, replayStateHash, replayMatches: replayStateHash === last.stateHash && replay.events === last.seq };
  } finally {
    await store.close();
    rmSync(target.dir, { recursive: true, force: true });
  }
}
