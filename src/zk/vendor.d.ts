/**
 * Minimal declarations for the untyped zk libraries. Only what src/zk uses; src/zk/snarkjs.ts is
 * the typed surface the rest of the code goes through.
 */
declare module 'snarkjs' {
  export type FileLike = string | { type: 'mem'; data?: Uint8Array };
  /** The JSON shapes snarkjs reads and writes, as src/statement/groth16.ts defines them. */
  export type Groth16Proof = import('../statement/groth16.js').Groth16Proof;
  export type VerificationKey = import('../statement/groth16.js').VerificationKey;
  type Logger = { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void; log?(m: string): void };
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: FileLike | Uint8Array,
      zkey: FileLike | Uint8Array,
      logger?: Logger,
      wtnsCalcOptions?: Record<string, unknown>,
      proverOptions?: Record<string, unknown>,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: VerificationKey, publicSignals: string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: string[]): Promise<string>;
  };
  export const zKey: {
    newZKey(r1cs: FileLike, ptau: FileLike, zkey: FileLike, logger?: Logger): Promise<unknown>;
    contribute(zkeyOld: FileLike, zkeyNew: FileLike, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    beacon(zkeyOld: FileLike, zkeyNew: FileLike, name: string, beaconHashHex: string, numIterationsExp: number, logger?: Logger): Promise<Uint8Array>;
    verifyFromR1cs(r1cs: FileLike, ptau: FileLike, zkey: FileLike, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: FileLike, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: FileLike, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: FileLike, wtns: FileLike): Promise<void>;
    exportJson(wtns: FileLike): Promise<bigint[]>;
  };
  export const r1cs: {
    info(r1cs: FileLike, logger?: Logger): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number }>;
  };
}

declare module 'ffjavascript' {
  /** Opaque handles into the wasm engine; points and field elements are byte buffers. */
  export type Fr = {
    e(v: bigint | number | string): Uint8Array;
    toObject(a: Uint8Array): bigint;
    w: Uint8Array[];
  };
  export type WasmGroup = {
    F: { n8: number };
    g: Uint8Array;
    oneAffine: Uint8Array;
    zero: Uint8Array;
    zeroAffine: Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    timesScalar(a: Uint8Array, s: bigint | Uint8Array): Uint8Array;
    toAffine(a: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
    batchToAffine(buff: Uint8Array): Promise<Uint8Array>;
  };
  export type ThreadManager = {
    alloc(length: number): number;
    setBuff(pointer: number, buff: Uint8Array): void;
    getBuff(pointer: number, length: number): Uint8Array;
    instance: { exports: Record<string, (...args: number[]) => number> };
    concurrency: number;
  };
  export type Curve = {
    Fr: Fr;
    G1: WasmGroup;
    G2: WasmGroup;
    tm: ThreadManager;
    r: bigint;
    terminate(): Promise<void>;
  };
  export function buildBn128(singleThread?: boolean): Promise<Curve>;
}

declare module 'circomlibjs' {
  export type Poseidon = ((inputs: (bigint | number | string)[]) => Uint8Array) & {
    F: { toObject(a: Uint8Array): bigint; toString(a: Uint8Array): string };
  };
  export function buildPoseidon(): Promise<Poseidon>;
}
