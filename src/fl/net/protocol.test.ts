import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomBytes } from '../../crypto/random-bytes.js';
import { hashedNgramSpec } from '../../ml/features/featurizer.js';
import { SecAggClient } from '../secagg/client.js';
import { SessionGraph } from '../secagg/common.js';
import { SecAggServer } from '../secagg/server.js';
import { groupsOf, keyNeighbours, sessionConfig, type TaskRecipe } from './protocol.js';

const recipe = (neighbors: number | undefined): TaskRecipe => ({
  family: 'logreg', featurizer: hashedNgramSpec({ buckets: 4 }), dim: 3, epochs: 1, learningRate: 1, batchSize: 1,
  clipNorm: 1, biasClip: 0.1, noiseStd: 0, coordinateBound: 1, groups: 1, thresholdFraction: 0.5, ...(neighbors === undefined ? {} : { neighbors }),
});

/** Members of a keys closing: distinct slots, at least 3. */
const closing = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 3, maxLength: 40 }).map((m) => m.sort((a, b) => a - b));

describe('keyNeighbours: the keys the relay sends a controller', () => {
  it("are exactly the neighbours of the controller's SecAgg session (property)", () => {
    fc.assert(
      fc.property(closing, fc.option(fc.integer({ min: 2, max: 16 }), { nil: undefined }), fc.nat(), fc.integer({ min: 1, max: 5 }), (members, neighbors, pick, round) => {
        const slot = members[pick % members.length]!;
        const graph = new SessionGraph(sessionConfig('t', round, 0, members, recipe(neighbors)));
        expect(keyNeighbours('t', round, 0, members, neighbors ?? null, slot)).toEqual(graph.neighbours(slot));
      }),
    );
  });

  it('are none for a slot the closing does not list, and every listed one for a closing no session can have', () => {
    expect(keyNeighbours('t', 1, 0, [1, 2, 3], 2, 4)).toEqual([]);
    expect(keyNeighbours('t', 1, 0, [7], 2, 7)).toEqual([7]);
    const huge = Array.from({ length: 65_536 }, (_, k) => k + 1);
    expect(keyNeighbours('t', 1, 0, huge, 14, 5)).toHaveLength(65_536);
  });

  it("let a session sum correctly when every client gets only its neighbours' keys and the closing's members (property)", () => {
    fc.assert(
      fc.property(closing, fc.integer({ min: 2, max: 8 }), (members, neighbors) => {
        const config = sessionConfig('t', 1, 0, members, recipe(neighbors));
        const server = new SecAggServer(config);
        const clients = members.map((id) => new SecAggClient(config, id, seededRandomBytes(`c/${id}`)));
        for (const c of clients) server.receiveKeys(c.advertise());
        const roster = server.closeKeys();
        for (const c of clients) {
          const near = new Set(keyNeighbours('t', 1, 0, members, neighbors, c.id));
          server.receiveShares(c.shareKeys(roster.filter((k) => near.has(k.id)), members));
        }
        const inbox = server.closeShares();
        for (const c of clients) server.receiveMasked(c.maskedInput(inbox.get(c.id)!, Uint32Array.of(c.id, 1, 0)));
        const survivors = server.closeMasked();
        for (const c of clients) server.receiveUnmask(c.unmask(survivors));
        const total = members.reduce((a, b) => a + b, 0);
        expect([...server.finalize().sum]).toEqual([total, members.length, 0]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('groupsOf', () => {
  it('deals every slot into one group, the same draw on every call', () => {
    const first = groupsOf('t', 3, 25, 4);
    expect([...first.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, k) => k + 1));
    expect(new Set(first.values())).toEqual(new Set([0, 1, 2, 3]));
    expect([...groupsOf('t', 3, 25, 4)]).toEqual([...first]);
    expect([...groupsOf('t', 4, 25, 4)]).not.toEqual([...first]);
  });
});
