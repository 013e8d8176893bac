/**
 * Canonical DAG-CBOR for the values signed events carry, written straight into one buffer.
 *
 * @ipld/dag-cbor (through cborg) builds a token per value and encodes every map key to sort the
 * entries; on an event's few kilobytes of maps and base64 text that is most of the encoding time,
 * and every event is encoded twice (once to sign it, once to verify it). This encoder covers the
 * JSON-like subset (null, booleans, safe integers, well-formed text, arrays, plain objects with ASCII
 * keys, Uint8Array) and gives up on anything else (returns undefined), so the caller falls back to
 * @ipld/dag-cbor, which stays the reference: a property test checks both give the same bytes.
 */

/** Thrown inside the encoder when the value leaves the subset; never escapes it. */
const OUTSIDE_SUBSET = Symbol('outside the subset');
/** Deeper values go to the reference encoder (which refuses cycles with its own message). */
const MAX_DEPTH = 256;
/** The largest buffer kept between calls. */
const MAX_KEPT_BYTES = 1 << 20;
const LEGACY_CID = Symbol.for('@ipld/js-cid/CID');
/** A surrogate without its other half: what String.prototype.isWellFormed looks for, where a browser lacks it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** String.prototype.isWellFormed (Node 20, current browsers; not in the ES2022 library types this package compiles against). */
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function' ? (s) => (s as string & { isWellFormed(): boolean }).isWellFormed() : (s) => !LONE_SURROGATE.test(s);

const utf8 = new TextEncoder();

/** Bytes a head takes for an argument of `n` (RFC 8949 §3). */
const headSize = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1_0000_0000 ? 5 : 9);

/** Writes into one growing Uint8Array (no Buffer: browsers sign events with this too). */
class Writer {
  bytes: Uint8Array;
  at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }

  /** A major type and its argument, in the shortest form (RFC 8949 §4.2.1). */
  head(major: number, n: number): void {
    this.room(9);
    this.at = writeHead(this.bytes, this.at, major, n);
  }

  text(s: string): void {
    const n = s.length;
    if (n < 24) {
      // Short text (keys, ids, numbers as text): written here when ASCII, which spares the encoder call.
      this.room(1 + n);
      const b = this.bytes;
      let at = this.at + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          at = -1;
          break;
        }
        b[at++] = c;
      }
      if (at >= 0) {
        b[this.at] = 0x60 | n;
        this.at = at;
        return;
      }
    }
    // A leading U+FEFF and lone surrogates are the reference encoder's to refuse or replace.
    if (s.charCodeAt(0) === 0xfeff || !isWellFormed(s)) throw OUTSIDE_SUBSET;
    // The UTF-8 goes after room for the largest head it can need, then moves up to its head's end.
    // Room for ASCII first (base64, hex: nearly all long text here), for 3 bytes a unit if it did not fit.
    const reserved = headSize(3 * n);
    this.room(reserved + n);
    const start = this.at + reserved;
    const first = utf8.encodeInto(s, this.bytes.subarray(start));
    let written = first.written;
    if (first.read < n) {
      this.room(reserved + 3 * n);
      written = utf8.encodeInto(s, this.bytes.subarray(start)).written;
    }
    const at = writeHead(this.bytes, this.at, 3, written);
    if (at !== start) this.bytes.copyWithin(at, start, start + written);
    this.at = at + written;
  }

  value(v: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw OUTSIDE_SUBSET;
    switch (typeof v) {
      case 'string':
        return this.text(v);
      case 'number':
        if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw OUTSIDE_SUBSET;
        return v >= 0 ? this.head(0, v) : this.head(1, -1 - v);
      case 'boolean':
        this.room(1);
        this.bytes[this.at++] = v ? 0xf5 : 0xf4;
        return;
      case 'object':
        if (v === null) {
          this.room(1);
          this.bytes[this.at++] = 0xf6;
          return;
        }
        if (Array.isArray(v)) return this.array(v, depth);
        if (v instanceof Uint8Array) {
          if (v.constructor !== Uint8Array) throw OUTSIDE_SUBSET;
          this.head(2, v.length);
          this.room(v.length);
          this.bytes.set(v, this.at);
          this.at += v.length;
          return;
        }
        return this.map(v, depth);
      default:
        throw OUTSIDE_SUBSET;
    }
  }

  array(items: readonly unknown[], depth: number): void {
    this.head(4, items.length);
    for (let i = 0; i < items.length; i++) this.value(items[i], depth + 1);
  }

  map(object: object, depth: number): void {
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) throw OUTSIDE_SUBSET;
    const record = object as Record<string | symbol, unknown>;
    // What the reference encoder would take for a CID (a tag, not a map).
    if ('/' in record || 'asCID' in record || record[LEGACY_CID] !== undefined) throw OUTSIDE_SUBSET;
    const keys = Object.keys(record);
    for (const key of keys) {
      for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) throw OUTSIDE_SUBSET;
    }
    // DAG-CBOR's order: shorter encoded keys first, then bytewise; for ASCII keys that is length, then code units.
    keys.sort(byLengthThenCodeUnits);
    this.head(5, keys.length);
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) throw OUTSIDE_SUBSET;
      this.text(key);
      this.value(item, depth + 1);
    }
  }
}

function writeHead(b: Uint8Array, at: number, major: number, n: number): number {
  const m = major << 5;
  if (n < 24) {
    b[at] = m | n;
    return at + 1;
  }
  const size = headSize(n);
  b[at] = m | (size === 2 ? 24 : size === 3 ? 25 : size === 5 ? 26 : 27);
  // Big-endian argument; above 2^32 the high word comes from a division (bit operators are 32-bit).
  let rest = n;
  for (let i = size - 1; i >= 1; i--) {
    b[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return at + size;
}

function byLengthThenCodeUnits(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

let shared: Writer | undefined;

/** The value's DAG-CBOR bytes (their own buffer), or undefined when it is outside the subset this encoder covers. */
export function encodeCanonicalSubset(value: unknown): Uint8Array | undefined {
  // One buffer reused across calls; a call made while another runs (a getter) gets its own.
  const writer = shared ?? new Writer(16 * 1024);
  shared = undefined;
  writer.at = 0;
  try {
    writer.value(value, 0);
    return writer.bytes.slice(0, writer.at);
  } catch (error) {
    if (error === OUTSIDE_SUBSET) return undefined;
    throw error;
  } finally {
    // A large event's buffer is not kept for the next, small one.
    shared = writer.bytes.length > MAX_KEPT_BYTES ? new Writer(16 * 1024) : writer;
  }
}
