/**
 * Sums in Z_2^32 four lanes at a time (WebAssembly SIMD, i32x4): the inner loop of masking. V8's
 * scalar loop over a Uint32Array costs ≈ 1 ns per element; a SIMD pass plus copying the operand into
 * the module's memory ≈ 0.2 (bench/fl.bench.ts measures what it does to a round; docs/fl.md, Measured).
 *
 * The module is assembled below from the opcodes of the WebAssembly core and SIMD specifications —
 * `add(dst, src, bytes)` and `sub(dst, src, bytes)`; `addXor` and `subXor(dst, a, b, bytes)`, which
 * add or subtract a ⊕ b (the feed-forward of a fixed-key stream, prg.ts); and `counterBlocks(dst,
 * key, bytes)`, the inputs of that stream — over 16-byte lanes of one imported memory.
 * ring-add.test.ts checks them against plain JS.
 */
import { InternalError, ValidationError, expectedGot } from '../core/errors.js';

/** Unsigned LEB128, as the binary format encodes sizes and SIMD opcodes. */
const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const [LOCAL_GET, LOCAL_SET, I32_CONST, I32_ADD, I32_GE_U, BR, BR_IF, BLOCK, LOOP, END, VOID] = [0x20, 0x21, 0x41, 0x6a, 0x4f, 0x0c, 0x0d, 0x02, 0x03, 0x0b, 0x40];
const SIMD = 0xfd;
const [V128_LOAD, V128_STORE, V128_CONST, V128_XOR, I32X4_ADD, I32X4_SUB] = [0x00, 0x0b, 0x0c, 0x51, 0xae, 0xb1];
/** memarg: 16-byte alignment hint (log2 = 4), offset 0. */
const MEMARG = [4, 0];
const simd = (op: number) => [SIMD, ...leb(op)];
const load = (...address: number[]) => [...address, ...simd(V128_LOAD), ...MEMARG];

/**
 * A function body: the given locals, `init`, then for (i = 0; i < bytes; i += 16) `step(i)` — with
 * `i` the local right after the parameters and `bytes` the last parameter.
 */
function laneLoop(params: number, locals: number[], init: number[], step: (at: (p: number) => number[]) => number[]): number[] {
  const i = params;
  const at = (p: number) => [LOCAL_GET, p, LOCAL_GET, i, I32_ADD];
  const code = [
    ...locals,
    ...init,
    I32_CONST, 0, LOCAL_SET, i,
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, i, LOCAL_GET, params - 1, I32_GE_U, BR_IF, 1,
    ...step(at),
    LOCAL_GET, i, I32_CONST, 16, I32_ADD, LOCAL_SET, i,
    BR, 0,
    END, END, END,
  ];
  return [...leb(code.length), ...code];
}

/** v128[dst + i] = op(v128[dst + i], v128[src + i]) — params dst 0, src 1, bytes 2. */
const lanes = (op: number) => laneLoop(3, [1, 1, I32], [], (at) => [...at(0), ...load(...at(0)), ...load(...at(1)), ...simd(op), ...simd(V128_STORE), ...MEMARG]);

/** v128[dst + i] = op(v128[dst + i], v128[a + i] ⊕ v128[b + i]) — params dst 0, a 1, b 2, bytes 3. */
const feedForwardLanes = (op: number) =>
  laneLoop(4, [1, 1, I32], [], (at) => [...at(0), ...load(...at(0)), ...load(...at(1)), ...load(...at(2)), ...simd(V128_XOR), ...simd(op), ...simd(V128_STORE), ...MEMARG]);

/**
 * v128[dst + i] = key ⊕ ⟨i / 16⟩, ⟨c⟩ the block with c in its first 32-bit lane and zeros elsewhere —
 * params dst 0, key 1 (its address), bytes 2; locals i 3, key 4, counter 5.
 */
const counterBlocks = laneLoop(
  3,
  [2, 1, I32, 2, V128],
  [...load(LOCAL_GET, 1), LOCAL_SET, 4, ...simd(V128_CONST), ...new Array(16).fill(0), LOCAL_SET, 5],
  (at) => [
    ...at(0), LOCAL_GET, 4, LOCAL_GET, 5, ...simd(V128_XOR), ...simd(V128_STORE), ...MEMARG,
    LOCAL_GET, 5, ...simd(V128_CONST), 1, ...new Array(15).fill(0), ...simd(I32X4_ADD), LOCAL_SET, 5,
  ],
);

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  ...section(1, [2, 0x60, 3, I32, I32, I32, 0, 0x60, 4, I32, I32, I32, I32, 0]), // types: (i32 ×3) → (), (i32 ×4) → ()
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // import memory, min 1 page
  ...section(3, [5, 0, 0, 1, 1, 0]), // five functions and their types
  ...section(7, [5, ...name('add'), 0x00, 0, ...name('sub'), 0x00, 1, ...name('addXor'), 0x00, 2, ...name('subXor'), 0x00, 3, ...name('counterBlocks'), 0x00, 4]),
  ...section(10, [5, ...lanes(I32X4_ADD), ...lanes(I32X4_SUB), ...feedForwardLanes(I32X4_ADD), ...feedForwardLanes(I32X4_SUB), ...counterBlocks]),
]);

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
type WasmApi = {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type Lanes = (dst: number, src: number, bytes: number) => void;
type FeedForwardLanes = (dst: number, a: number, b: number, bytes: number) => void;
type Wasm = { memory: WasmMemory; add: Lanes; sub: Lanes; addXor: FeedForwardLanes; subXor: FeedForwardLanes; counterBlocks: Lanes };
let wasm: Wasm | undefined;

function module(bytesNeeded: number): Wasm {
  if (!wasm) {
    const memory = new WA.Memory({ initial: 1 });
    // Synchronous compilation is fine for a module this small.
    const { exports } = new WA.Instance(new WA.Module(MODULE), { env: { memory } });
    wasm = {
      memory,
      add: exports.add as Lanes,
      sub: exports.sub as Lanes,
      addXor: exports.addXor as FeedForwardLanes,
      subXor: exports.subXor as FeedForwardLanes,
      counterBlocks: exports.counterBlocks as Lanes,
    };
  }
  const pages = Math.ceil(bytesNeeded / 65536) - wasm.memory.buffer.byteLength / 65536;
  if (pages > 0) wasm.memory.grow(pages);
  return wasm;
}

/** One term of a sum: 4·n bytes read as n little-endian elements of Z_2^32, added or subtracted. */
export type RingTerm = { bytes: Uint8Array; sign: 1 | -1 };

/**
 * target += Σ_j sign_j · term(j) (mod 2^32), in place. `term(j)` is called once per j, in order, and
 * its bytes are copied before the next call, so it may return a fresh keystream each time.
 */
export function accumulate(target: Uint32Array, terms: number, term: (j: number) => RingTerm): void {
  const bytes = 4 * target.length;
  const padded = (bytes + 15) & ~15;
  const { memory, add, sub } = module(2 * padded);
  const heap = new Uint8Array(memory.buffer);
  heap.set(new Uint8Array(target.buffer, target.byteOffset, bytes), 0);
  for (let j = 0; j < terms; j++) {
    const t = term(j);
    if (t.bytes.length !== bytes) throw new ValidationError('crypto.lengthMismatch', `accumulate: expected a term of ${bytes} bytes, got ${t.bytes.length}`, { term: j });
    heap.set(t.bytes, padded);
    (t.sign === 1 ? add : sub)(0, padded, padded);
  }
  target.set(new Uint32Array(memory.buffer, 0, target.length));
}

/**
 * Bytes of counter blocks per call of the permutation in accumulateMmoStreams (7 of SecAgg's 16 kB
 * masks). The call's output must stay below glibc's 128 KiB mmap threshold: larger buffers are
 * mapped and page-faulted afresh on every call, which made 16 masks per call twice as slow as 7.
 */
const CALL_BYTES = 120 * 1024;

/**
 * target += Σ_j sign_j · S(key_j) (mod 2^32), in place, where S(k) is the stream of blocks
 * π(k ⊕ ⟨c⟩) ⊕ k ⊕ ⟨c⟩ for c = 0, 1, … (⟨c⟩: c in the block's first little-endian 32-bit word,
 * zeros elsewhere) read as little-endian elements of Z_2^32 — the fixed-key stream of prg.ts.
 * `permute` applies π to every 16-byte block of its input (which may be a view of this module's
 * memory, so must not be kept) and returns a new array; it is called once per CALL_BYTES of blocks.
 */
export function accumulateMmoStreams(target: Uint32Array, keys: readonly Uint8Array[], signs: readonly (1 | -1)[], permute: (blocks: Uint8Array) => Uint8Array): void {
  if (signs.length !== keys.length) throw expectedGot('crypto.lengthMismatch', 'accumulateMmoStreams', `one sign per key (${keys.length})`, signs.length);
  for (const key of keys) {
    if (key.length !== 16) throw new ValidationError('crypto.badLength', `accumulateMmoStreams: expected 16-byte keys, got ${key.length} bytes`, { field: 'keys' });
  }
  const bytes = 4 * target.length;
  const padded = (bytes + 15) & ~15;
  const chunk = Math.max(1, Math.min(Math.floor(CALL_BYTES / padded), keys.length));
  // Layout: target | keys (16 bytes each) | the chunk's counter blocks | their images under π.
  const keysAt = padded;
  const blocksAt = keysAt + 16 * chunk;
  const imagesAt = blocksAt + chunk * padded;
  const { memory, addXor, subXor, counterBlocks } = module(imagesAt + chunk * padded);
  const heap = new Uint8Array(memory.buffer);
  heap.set(new Uint8Array(target.buffer, target.byteOffset, bytes), 0);
  for (let first = 0; first < keys.length; first += chunk) {
    const count = Math.min(chunk, keys.length - first);
    for (let j = 0; j < count; j++) {
      heap.set(keys[first + j]!, keysAt + 16 * j);
      counterBlocks(blocksAt + j * padded, keysAt + 16 * j, padded);
    }
    const images = permute(heap.subarray(blocksAt, blocksAt + count * padded));
    if (images.length !== count * padded) {
      throw new InternalError('internal.invariant', `accumulateMmoStreams: expected ${count * padded} bytes from the permutation, got ${images.length}`);
    }
    heap.set(images, imagesAt);
    for (let j = 0; j < count; j++) (signs[first + j] === 1 ? addXor : subXor)(0, imagesAt + j * padded, blocksAt + j * padded, padded);
  }
  target.set(new Uint32Array(memory.buffer, 0, target.length));
}
