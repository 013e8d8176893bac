/** Plain SVG charts: fast enough for thousands of points without a chart library in the first load. */
type Point = { x: number; y: number; label?: string; proof?: boolean };

/** Up to this many trades each dot is its own element with a tooltip; beyond, all dots are two paths (one per colour), as thousands of elements cost more to lay out than the rest of the page. */
const LABELLED = 150;

function dots(points: Point[], proof: boolean, sx: (i: number) => number, sy: (y: number) => number): string {
  let d = '';
  for (let i = 1; i < points.length; i++) {
    if (Boolean(points[i]!.proof) !== proof) continue;
    d += `M${(sx(i) - 2).toFixed(1)},${sy(points[i]!.y).toFixed(1)}a2,2 0 1 0 4,0a2,2 0 1 0 -4,0`;
  }
  return d;
}

export function PriceChart({ points, title }: { points: Point[]; title: string }) {
  const w = 640, h = 220, pad = 30;
  const maxX = Math.max(1, points.length - 1);
  const sx = (i: number) => pad + (i / maxX) * (w - 2 * pad);
  const sy = (y: number) => h - pad - y * (h - 2 * pad);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${sx(i).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
  return (
    <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={title}>
      <title>{title}</title>
      <line x1={pad} y1={sy(0)} x2={w - pad} y2={sy(0)} stroke="#999" />
      <line x1={pad} y1={sy(1)} x2={w - pad} y2={sy(1)} stroke="#ddd" />
      <line x1={pad} y1={sy(0.5)} x2={w - pad} y2={sy(0.5)} stroke="#eee" />
      <text x={2} y={sy(1) + 4}>1</text><text x={2} y={sy(0.5) + 4}>0.5</text><text x={2} y={sy(0) + 4}>0</text>
      <path d={path} fill="none" stroke="#17324d" strokeWidth={1.5} />
      {points.length <= LABELLED
        ? points.slice(1).map((p, i) => (
            <circle key={i} cx={sx(i + 1)} cy={sy(p.y)} r={3} fill={p.proof ? '#0b6e3a' : '#c05621'}>
              <title>{p.label}</title>
            </circle>
          ))
        : [false, true].map((proof) => <path key={String(proof)} d={dots(points, proof, sx, sy)} fill={proof ? '#0b6e3a' : '#c05621'} />)}
    </svg>
  );
}

export function CalibrationChart({ cells, title }: { cells: { bucket: number; predictions: number; hits: number }[]; title: string }) {
  const s = 200, pad = 25;
  const sc = (v: number) => pad + v * (s - 2 * pad);
  return (
    <svg viewBox={`0 0 ${s} ${s}`} width={200} role="img" aria-label={title}>
      <title>{title}</title>
      <line x1={sc(0)} y1={s - sc(0)} x2={sc(1)} y2={s - sc(1)} stroke="#bbb" strokeDasharray="3 3" />
      <rect x={sc(0)} y={s - sc(1)} width={sc(1) - sc(0)} height={sc(1) - sc(0)} fill="none" stroke="#999" />
      {cells.filter((c) => c.predictions > 0).map((c) => (
        <circle key={c.bucket} cx={sc((c.bucket + 0.5) / 10)} cy={s - sc(c.hits / c.predictions)} r={2 + Math.min(6, Math.log10(c.predictions + 1) * 2)} fill="#17324d">
          <title>{`bucket ${c.bucket / 10}–${(c.bucket + 1) / 10}: ${c.hits}/${c.predictions}`}</title>
        </circle>
      ))}
      <text x={pad} y={s - 5}>predicted</text>
      <text x={2} y={pad - 8}>observed</text>
    </svg>
  );
}
