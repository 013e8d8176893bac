/**
 * Synthetic events for the store's tests, crash test and bench. The store never parses events, so
 * these only need realistic sizes (~300 bytes) and real CIDs; they are not signed game events.
 */
import { cidOfBytes, encode } from '../../src/core/encoding.js';
import type { AppendInput } from '../../src/store/types.js';
import { seededRandom } from './random.js';

export type TestEventFields = { type?: string; author?: string; round?: number | null; padBytes?: number; extra?: Record<string, unknown> };

/** A ~300-byte DAG-CBOR event unique per `id` (and `extra`), ready to append. */
export function makeTestEvent(id: string | number, fields: TestEventFields = {}): AppendInput {
  const type = fields.type ?? 'test.event';
  const author = fields.author ?? 'did:key:z6MkTestAuthor';
  const round = fields.round === undefined ? null : fields.round;
  const body = {
    type,
    author,
    round,
    id: String(id),
    pad: 'x'.repeat(fields.padBytes ?? 200),
    ...fields.extra,
  };
  // cborg may hand back a Buffer; the store returns plain Uint8Arrays, so compare like with like.
  const encoded = encode(body);
  const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  return { cid: cidOfBytes(bytes).toString(), type, author, round, bytes };
}

export { seededRandom };
