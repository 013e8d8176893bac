/**
 * The report's chart specs (src/sim/charts.ts) sit beside its headless PNG renderer, which needs
 * node and resvg. The dashboard imports only the spec builders; these stand-ins satisfy the
 * renderer's imports in the browser bundle and fail loudly if it were ever called there.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in the browser`);
};
export const createRequire = unavailable('createRequire');
export const dirname = unavailable('dirname');
export const join = unavailable('join');
export class Resvg {
  constructor() {
    unavailable('Resvg')();
  }
}
export default { createRequire, dirname, join, Resvg };
