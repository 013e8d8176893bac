/**
 * Child process for src/zk/cache.test.ts: compiles and sets up one small circuit in the cache that
 * HINDSIGHT_CACHE names, then prints the setup's verification key digest. Several of these run at
 * once against an empty cache, as parallel test files do in CI.
 */
import { createHash } from 'node:crypto';
import { compileCircom } from '../../src/zk/circom.js';
import { setupCircuit } from '../../src/zk/setup.js';
import { terminateCurve } from '../../src/zk/curve.js';

const source = `pragma circom 2.1.0;
template Square() {
  signal input a;
  signal output b;
  b <== a * a;
}
component main = Square();
`;
const circuit = await compileCircom(source, 'square');
const setup = await setupCircuit(circuit);
process.stdout.write(`${JSON.stringify({ vkey: createHash('sha256').update(JSON.stringify(setup.vkey)).digest('hex'), zkeyPath: setup.zkeyPath })}\n`);
await terminateCurve();
