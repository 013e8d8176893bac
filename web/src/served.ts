/**
 * A served answer asked of the node (`POST /v1/predict`, serve blend) and checked in the page with
 * the node's own checks (src/zk/served-answer.ts): every component's Groth16 proof on the input,
 * the claimed scores, the weights recomputed from public P&L, the blend and the class, and, through
 * the public API, that each model is committed with the key and featurizer used and that P&L and
 * liquidity are the log's. Loaded on click (snarkjs and Poseidon come with it).
 */
import { HttpClient } from '../../src/sdk/http-client';
import { factsFromClient } from '../../src/sdk/served-facts';
import { verifyServedAnswer, type ServedAnswer, type ServedCheck } from '../../src/zk/served-answer';
import { post } from './api';

export type PostInput = { text: string } | { features: number[] };

export async function askServedAnswer(input: PostInput): Promise<ServedAnswer> {
  return post<ServedAnswer>('/v1/predict', { input, serve: 'blend' });
}

export async function checkServed(answer: unknown, input: PostInput): Promise<ServedCheck> {
  return verifyServedAnswer(answer, factsFromClient(new HttpClient(location.origin)), { input });
}
