import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { printResult, toJson } from '../output.js';
import { canonicalArtifactJson, loadArtifact, modelHashOf } from '../../ml/artifact.js';
import type { ModelArtifact } from '../../ml/artifact-types.js';
import { terminateCurve } from '../../zk/curve.js';
import { buildModelCircuit } from '../../zk/inference.js';
import { importOnnx } from '../../zk/onnx-import.js';
import { integerInput, predict, verifyPrediction, type PredictInput, type PredictResponse } from '../../zk/predict.js';
import { devPtau } from '../../zk/ptau.js';
import { contributePhase2 } from '../../zk/setup.js';
import { solidityVerifierSource } from '../../zk/solidity.js';
import { InputBinding, VerificationKey, zkKeyId } from '../../statement/index.js';
import { ServedInput, verifyServedAnswer, type ServedFacts } from '../../zk/served-answer.js';
import { factsFromState } from '../../engine/served-facts.js';
import { factsFromClient } from '../../sdk/served-facts.js';
import { HttpClient } from '../../sdk/http-client.js';
import { withEngine } from '../context.js';
import { registerProofCommands } from './zk-proofs.js';

/**
 * `hindsight predict / verify / model import / zk …`: proven inference from the command line.
 * A model DIR holds `model.json` (the artifact); a path to an artifact file works too.
 */
function modelPath(dirOrFile: string): string {
  const p = existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? join(dirOrFile, 'model.json') : dirOrFile;
  if (!existsSync(p)) throw new ValidationError('cli.invalid', `--model: expected a model directory with model.json or an artifact file, got ${JSON.stringify(dirOrFile)}`, { field: 'model' });
  return p;
}

function readJson(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new ValidationError('cli.invalid', `${field}: expected a readable JSON file, got ${(e as Error).message}`, { field }, { cause: e });
  }
}

function asInput(v: unknown): PredictInput {
  if (Array.isArray(v)) return { features: v as number[] };
  if (v && typeof v === 'object' && ('text' in v || 'features' in v || 'x' in v)) return v as PredictInput;
  throw new ValidationError('cli.invalid', `--input: expected {"text"}, {"features"}, {"x"} or an array of numbers, got ${JSON.stringify(v)?.slice(0, 60)}`, { field: 'input' });
}

/** The item a served answer must be about: text or float features, as it was sent to the node. */
function servedInput(v: unknown): ServedInput {
  const i = ServedInput.safeParse(Array.isArray(v) ? { features: v } : v);
  if (!i.success) throw new ValidationError('cli.invalid', `--input: expected {"text"}, {"features"} or an array of numbers (what was asked of the node), got ${JSON.stringify(v)?.slice(0, 60)}`, { field: 'input' });
  return i.data;
}

function binding(v: string | undefined): InputBinding {
  const b = InputBinding.safeParse(v ?? 'hash');
  if (!b.success) throw new ValidationError('cli.invalid', `--binding: expected hash, packed or public, got ${JSON.stringify(v)}`, { field: 'binding' });
  return b.data;
}

function verificationKey(v: unknown, file: string): VerificationKey {
  const k = VerificationKey.safeParse(v);
  if (!k.success) throw new ValidationError('cli.invalid', `--vkey ${file}: expected a Groth16 BN254 verification key (snarkjs JSON), got ${k.error.issues[0]?.path.join('.') ?? ''}: ${k.error.issues[0]?.message ?? 'invalid'}`, { field: 'vkey' });
  return k.data;
}

async function servedFromNode(url: string, input: PredictInput, serve: string, prove: boolean): Promise<object> {
  if (!['blend', 'leader', 'model'].includes(serve)) throw new ValidationError('cli.invalid', `--serve: expected blend, leader or model, got ${JSON.stringify(serve)}`, { field: 'serve' });
  if ('x' in input) throw new ValidationError('cli.invalid', '--input: expected {"text"} or {"features"} for a node (each model featurizes it), got {"x"}', { field: 'input' });
  let res: Response;
  try {
    res = await fetch(new URL('/v1/predict', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input, serve, prove: prove || serve !== 'model' }) });
  } catch (e) {
    throw new ValidationError('node.unreachable', `--node ${url}: expected a reachable node, got ${(e as Error).message}`, { field: 'node' }, { cause: e });
  }
  const body = (await res.json()) as { code?: string; message?: string };
  if (!res.ok) throw new ValidationError('node.badResponse', `--node ${url}: expected an answer, got ${res.status} ${body.code ?? ''}: ${body.message ?? ''}`, { field: 'node' });
  return body;
}

async function withCurve<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    await terminateCurve();
  }
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a fixed-point model (--model), or ask a node for its verifiable served answer (--node); --prove adds a Groth16 proof')
    .option('--model <dir>', 'model directory (model.json) or artifact file')
    .option('--node <url>', "a node's URL: POST /v1/predict, answered with every component's proof and the blend weights")
    .option('--serve <rule>', 'with --node: blend | leader (the served answer) or model (one model)', 'blend')
    .requiredOption('--input <file>', 'JSON: {"text": …} | {"features": [...]} | {"x": [integers]} | [numbers]')
    .option('--prove', 'prove the inference (compiles and sets up the circuit on first use; cached)')
    .option('--binding <b>', 'how the proof binds the input: hash | packed | public', 'hash')
    .option('--ptau <file>', 'powers-of-tau ceremony file (default: insecure development ptau)')
    .option('--out <file>', 'also write the response (with proof) to this file')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { model?: string; node?: string; serve: string; input: string; prove?: boolean; binding?: string; ptau?: string; out?: string; json?: boolean }) => {
      const input = asInput(readJson(opts.input, 'input'));
      if (opts.node) {
        const res = await servedFromNode(opts.node, input, opts.serve, opts.prove === true);
        if (opts.out) writeFileSync(opts.out, `${toJson(res)}\n`);
        printResult(res, opts, (r) => JSON.stringify(r, null, 2));
        return;
      }
      if (!opts.model) throw new ValidationError('cli.invalid', '--model or --node: expected one of them, got neither', { field: 'model' });
      const artifact = loadArtifact(modelPath(opts.model));
      const res = await withCurve(() => predict(artifact, input, { prove: opts.prove, binding: binding(opts.binding), ptau: opts.ptau }));
      if (opts.out) writeFileSync(opts.out, `${toJson(res)}\n`);
      printResult(res, opts, (r) => {
        const p = r as PredictResponse;
        return `${p.prediction} (class ${p.predictedClass}, p=${p.probabilities.map((v) => v.toFixed(4)).join('/')})\nmodel ${p.modelHash}${p.proof ? `\nproof: ${p.publicSignals?.length} public signals${p.insecureSetup ? ' (INSECURE dev setup)' : ''}` : ''}`;
      });
    });

  program
    .command('verify')
    .description('check a predict response, or a served answer (blend or leader, every proof and weight), offline')
    .requiredOption('--proof <file>', 'response JSON written by `predict --prove --out` or `predict --node … --out`')
    .option('--vkey <file>', 'verification key to trust (default: the one embedded in the response)')
    .option('--model-hash <hex>', 'model hash the proof must carry (default: the response claim)')
    .option('--model <dir>', 'derive the expected model hash from this artifact')
    .option('--input <file>', 'the item the proof must be about (default: the response x); for a served answer, the item you asked about (default: the answer\'s input)')
    .option('--dir <dir>', 'served answer: check model hashes, keys, P&L and liquidity against this community log (replayed)')
    .option('--node <url>', "served answer: check them against this node's public API")
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { proof: string; vkey?: string; modelHash?: string; model?: string; input?: string; dir?: string; node?: string; json?: boolean }) => {
      const response = readJson(opts.proof, 'proof') as PredictResponse;
      const format = (response as unknown as { format?: unknown }).format;
      if (typeof format === 'string' && format.startsWith('hindsight-served/')) {
        const asked = opts.input ? servedInput(readJson(opts.input, 'input')) : undefined;
        const check = async (facts?: ServedFacts) => withCurve(() => verifyServedAnswer(response, facts, { input: asked }));
        const res = opts.dir
          ? await withEngine({ dir: opts.dir }, async (engine) => check(factsFromState(engine.state)))
          : await check(opts.node ? factsFromClient(new HttpClient(opts.node)) : undefined);
        printResult(res, opts, (r) => JSON.stringify(r, null, 2));
        if (!res.valid) process.exitCode = 1;
        return;
      }
      let artifact: ModelArtifact | undefined;
      if (opts.model) artifact = loadArtifact(modelPath(opts.model));
      const modelHash = opts.modelHash ?? (artifact ? await modelHashOf(artifact) : undefined);
      const vkey = opts.vkey ? verificationKey(readJson(opts.vkey, 'vkey'), opts.vkey) : undefined;
      let x: bigint[] | undefined;
      if (opts.input) {
        if (!artifact) throw new ValidationError('cli.invalid', '--input: expected --model too (to featurize the item), got none', { field: 'model' });
        x = integerInput(artifact, asInput(readJson(opts.input, 'input')));
      }
      const res = await withCurve(() => verifyPrediction(response, { vkey, modelHash, x }));
      printResult({ ...res, prediction: res.valid ? response.prediction : undefined }, opts, (r) => JSON.stringify(r, null, 2));
      if (!res.valid) process.exitCode = 1;
    });

  const model = program.commands.find((c) => c.name() === 'model') ?? program.command('model').description('model registry');
  model
    .command('import')
    .description('import an ONNX graph (Gemm / MatMul+Add / Relu / Sigmoid / Softmax / Flatten) as a fixed-point artifact')
    .argument('<onnx>', 'model.onnx')
    .requiredOption('--out <dir>', 'output model directory (writes model.json and import-report.json)')
    .option('--samples <file>', 'JSON array of float input vectors to compare float vs fixed point on')
    .option('--weight-bits <n>', 'signed bits per weight', '16')
    .option('--scale-bits <n>', 'fixed-point fraction bits (default: largest that fits)')
    .option('--labels <list>', 'comma-separated class labels')
    .option('--name <name>', 'model name')
    .option('--json', 'print one JSON object as the last line')
    .action(async (file: string, opts: { out: string; samples?: string; weightBits: string; scaleBits?: string; labels?: string; name?: string; json?: boolean }) => {
      const bytes = new Uint8Array(readFileSync(file));
      const samples = opts.samples ? (readJson(opts.samples, 'samples') as number[][]) : [];
      const { artifact, report } = importOnnx(bytes, samples, {
        name: opts.name ?? file.replace(/^.*\//, '').replace(/\.onnx$/, ''),
        weightBits: Number(opts.weightBits),
        scaleBits: opts.scaleBits !== undefined ? Number(opts.scaleBits) : undefined,
        labels: opts.labels?.split(','),
      });
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'model.json'), canonicalArtifactJson(artifact));
      writeFileSync(join(opts.out, 'import-report.json'), `${toJson(report)}\n`);
      const modelHash = await modelHashOf(artifact);
      printResult({ out: opts.out, modelHash, arch: artifact.arch, ...report }, opts);
    });

  const zk = program.command('zk').description('zero-knowledge toolchain: ptau, circuit setup, verifier export, phase-2 contributions');
  registerProofCommands(zk);
  zk.command('hash')
    .description('the model hash of an artifact (its Poseidon weight commitment)')
    .requiredOption('--model <dir>', 'model directory or artifact file')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { model: string; json?: boolean }) => {
      printResult({ modelHash: await modelHashOf(loadArtifact(modelPath(opts.model))) }, opts);
    });
  zk.command('ptau')
    .description('build (or reuse) an INSECURE development powers-of-tau of 2^power')
    .requiredOption('--power <n>', 'log2 of the maximum constraints')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { power: string; json?: boolean }) => {
      printResult(await devPtau(Number(opts.power)), opts);
    });
  zk.command('setup')
    .description('compile and set up the circuit of a model architecture; writes vkey.json and Verifier.sol into the model dir')
    .requiredOption('--model <dir>', 'model directory')
    .option('--items <n>', 'items per proof (batch)', '1')
    .option('--binding <b>', 'hash | packed | public', 'hash')
    .option('--ptau <file>', 'powers-of-tau ceremony file (default: insecure development ptau)')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { model: string; items: string; binding?: string; ptau?: string; json?: boolean }) => {
      const artifact = loadArtifact(modelPath(opts.model));
      const mc = await withCurve(() => buildModelCircuit(artifact, { items: Number(opts.items), binding: binding(opts.binding), ptau: opts.ptau }));
      const dir = existsSync(opts.model) && statSync(opts.model).isDirectory() ? opts.model : '.';
      writeFileSync(join(dir, 'vkey.json'), `${toJson(mc.setup.vkey)}\n`);
      writeFileSync(join(dir, 'Verifier.sol'), await solidityVerifierSource(mc.setup.zkeyPath));
      await terminateCurve();
      printResult({
        circuitHash: mc.circuit.circuitHash,
        constraints: mc.circuit.constraints,
        power: mc.setup.power,
        insecure: mc.setup.insecure,
        contributions: mc.setup.contributions,
        zkey: mc.setup.zkeyPath,
        vkey: join(dir, 'vkey.json'),
        verifier: join(dir, 'Verifier.sol'),
        layout: mc.layout,
        keyId: zkKeyId({ vkey: mc.setup.vkey, layout: mc.layout }),
      }, opts);
    });
  zk.command('contribute')
    .description('add a phase-2 contribution to a zkey (each community member adds one; publish the hash)')
    .requiredOption('--zkey <file>', 'input zkey')
    .requiredOption('--out <file>', 'output zkey')
    .requiredOption('--name <name>', 'contributor name')
    .option('--entropy <text>', 'entropy (default: 32 random bytes)')
    .option('--json', 'print one JSON object as the last line')
    .action(async (opts: { zkey: string; out: string; name: string; entropy?: string; json?: boolean }) => {
      const c = await withCurve(() => contributePhase2(opts.zkey, opts.out, opts.name, opts.entropy));
      printResult({ ...c, out: opts.out }, opts);
    });
}
