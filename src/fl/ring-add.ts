/**
 * Sums in Z_2^32 four lanes at a time (WebAssembly SIMD, i32x4): the inner loop of masking. V8's
 * scalar loop over a Uint32Array costs ≈ 1 ns per element; a SIMD pass plus copying the operand into
 * the module's memory ≈ 0.2 (fl.bench measures what it does to a round; docs/fl.md, Measured).
 *
 * The module is assembled below from the opcodes of the WebAssembly core and SIMD specifications —
 * two functions, `add(dst, src, bytes)` and `sub(dst, src, bytes)`, over 16-byte lanes of one
 * imported memory — and ring-add.test.ts checks it against plain JS sums.
 */

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
const [LOCAL_GET, LOCAL_SET, I32_CONST, I32_ADD, I32_GE_U, BR, BR_IF, BLOCK, LOOP, END, VOID] = [0x20, 0x21, 0x41, 0x6a, 0x4f, 0x0c, 0x0d, 0x02, 0x03, 0x0b, 0x40];
const SIMD = 0xfd;
const [V128_LOAD, V128_STORE, I32X4_ADD, I32X4_SUB] = [0x00, 0x0b, 0xae, 0xb1];
/** memarg: 16-byte alignment hint (log2 = 4), offset 0. */
const MEMARG = [4, 0];

/** for (i = 0; i < bytes; i += 16) v128[dst + i] = op(v128[dst + i], v128[src + i]) — params dst 0, src 1, bytes 2; local i 3. */
function laneLoop(op: number): number[] {
  const code = [
    1, 1, I32, // one i32 local
    I32_CONST, 0, LOCAL_SET, 3,
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, 3, LOCAL_GET, 2, I32_GE_U, BR_IF, 1,
    LOCAL_GET, 0, LOCAL_GET, 3, I32_ADD,
    LOCAL_GET, 0, LOCAL_GET, 3, I32_ADD, SIMD, ...leb(V128_LOAD), ...MEMARG,
    LOCAL_GET, 1, LOCAL_GET, 3, I32_ADD, SIMD, ...leb(V128_LOAD), ...MEMARG,
    SIMD, ...leb(op),
    SIMD, ...leb(V128_STORE), ...MEMARG,
    LOCAL_GET, 3, I32_CONST, 16, I32_ADD, LOCAL_SET, 3,
    BR, 0,
    END, END, END,
  ];
  return [...leb(code.length), ...code];
}

const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  ...section(1, [1, 0x60, 3, I32, I32, I32, 0]), // type 0: (i32, i32, i32) → ()
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // import memory, min 1 page
  ...section(3, [2, 0, 0]), // two functions of type 0
  ...section(7, [2, ...name('add'), 0x00, 0, ...name('sub'), 0x00, 1]),
  ...section(10, [2, ...laneLoop(I32X4_ADD), ...laneLoop(I32X4_SUB)]),
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
let wasm: { memory: WasmMemory; add: Lanes; sub: Lanes } | undefined;

function module(bytesNeeded: number): NonNullable<typeof wasm> {
  if (!wasm) {
    const memory = new WA.Memory({ initial: 1 });
    // Synchronous compilation is fine for a module this small.
    const { exports } = new WA.Instance(new WA.Module(MODULE), { env: { memory } });
    wasm = { memory, add: exports.add as Lanes, sub: exports.sub as Lanes };
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
    if (t.bytes.length !== bytes) throw new RangeError(`accumulate: expected a term of ${bytes} bytes, got ${t.bytes.length}`);
    heap.set(t.bytes, padded);
    (t.sign === 1 ? add : sub)(0, padded, padded);
  }
  target.set(new Uint32Array(memory.buffer, 0, target.length));
}
