/**
 * The report's chart specs (src/sim/charts.ts) sit beside its headless PNG renderer, which needs
 * node and resvg, and the featurizer's quantization (src/ml/artifact.ts) beside the artifact file
 * reader. The dashboard imports only the pure parts; these stand-ins satisfy the other imports in
 * the browser bundle and fail loudly if one were ever called there.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in the browser`);
};
export const createRequire = unavailable('createRequire');
export const dirname = unavailable('dirname');
export const join = unavailable('join');
export const readFileSync = unavailable('readFileSync');
export const writeFileSync = unavailable('writeFileSync');
export class Resvg {
  constructor() {
    unavailable('Resvg')();
  }
}
export default { createRequire, dirname, join, readFileSync, writeFileSync, Resvg };
