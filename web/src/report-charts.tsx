import { useEffect, useRef, useState } from 'react';
import embed from 'vega-embed';
import { pnlChart } from '../../src/sim/charts';
import type { LineBoardView } from '../../src/engine/dashboard-schemas';

/**
 * Figures the PNG report also draws, from the report's own vega-lite specs (src/sim/charts.ts)
 * rendered here by vega-embed: the same chart from the same spec builder, fed from the API. This
 * module (vega, vega-lite, vega-embed) is a chunk of its own, fetched when a page shows a figure.
 */
const TOP = 10;

export function PnlFigure({ board }: { board: LineBoardView }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const top = [...board.lines].sort((a, b) => Number(BigInt(b.pnl) - BigInt(a.pnl))).slice(0, TOP);
    const rows = top.flatMap((l) => l.cumulative.map((c) => ({ round: c.round, pnl: Number(c.pnl) / 1e6, model: l.name })));
    let done = false;
    let finalize: (() => void) | undefined;
    embed(ref.current!, pnlChart(rows) as Parameters<typeof embed>[1], { actions: false, renderer: 'svg' }).then(
      (r) => (done ? r.finalize() : (finalize = () => r.finalize())),
      (e: Error) => setError(e.message),
    );
    return () => {
      done = true;
      finalize?.();
    };
  }, [board]);
  return (
    <figure>
      <div className="wrap"><div ref={ref} role="img" aria-label={`cumulative P&L of the ${TOP} leading model lines per round`} data-testid="pnl-figure" /></div>
      <figcaption>Cumulative P&amp;L of the {TOP} leading lines (the report's figure, same vega-lite spec){error ? ` — not drawn: ${error}` : ''}</figcaption>
    </figure>
  );
}

export default PnlFigure;
