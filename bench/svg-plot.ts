// Line charts as a standalone SVG document, written by hand so the bench needs no plotting
// dependency. Panels are stacked vertically and share nothing but the width.

export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic y axis (latency spans orders of magnitude). Non-positive values are dropped. */
  logY?: boolean;
  /** Vertical markers, e.g. phase boundaries. */
  marks?: Array<{ x: number; label: string }>;
}

const WIDTH = 900;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 70, right: 150, top: 34, bottom: 44 };
const MAX_POINTS_PER_SERIES = 10_000;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1000) return `${Math.round(n / 100) / 10}k`;
  if (abs >= 10) return String(Math.round(n));
  if (abs >= 1) return String(Math.round(n * 10) / 10);
  return String(Math.round(n * 1000) / 1000);
}

/** About five round tick values covering [lo, hi]. */
function linearTicks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 && ticks.length < 50; v += step) ticks.push(v);
  return ticks;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)) && ticks.length < 50; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function renderPanel(panel: Panel, top: number, xRange: [number, number]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const series = panel.series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!panel.logY || y > 0)).slice(0, MAX_POINTS_PER_SERIES),
  }));
  const all = series.flatMap((s) => s.points);
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${top + 20}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`);
  if (all.length === 0) {
    out.push(`<text x="${x0 + plotW / 2}" y="${y0 + plotH / 2}" text-anchor="middle" fill="#888">no data</text>`);
    return out.join('\n');
  }
  const ys = all.map((p) => p[1]);
  const [xMin, xMax] = xRange;
  let yMin = panel.logY ? ys.reduce((a, b) => Math.min(a, b), Infinity) : 0;
  let yMax = ys.reduce((a, b) => Math.max(a, b), -Infinity);
  if (panel.logY) {
    yMin = 10 ** Math.floor(Math.log10(yMin));
    yMax = 10 ** Math.ceil(Math.log10(yMax) + 1e-9);
  } else {
    yMax = yMax <= 0 ? 1 : yMax * 1.1;
  }
  const sx = (x: number): number => x0 + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = panel.logY
    ? (y: number): number => y0 + plotH - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH
    : (y: number): number => y0 + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  out.push(`<rect x="${x0}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  for (const t of panel.logY ? logTicks(yMin, yMax) : linearTicks(yMin, yMax)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${x0}" x2="${x0 + plotW}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x0 - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  for (const t of linearTicks(xMin, xMax)) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0 + plotH}" y2="${y0 + plotH + 5}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${y0 + plotH + 18}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const m of panel.marks ?? []) {
    if (m.x < xMin || m.x > xMax) continue;
    const x = sx(m.x).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + plotH}" stroke="#999" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${Number(x) + 3}" y="${y0 + 12}" font-size="10" fill="#666">${escapeXml(m.label)}</text>`);
  }
  out.push(`<text x="${x0 + plotW / 2}" y="${y0 + plotH + 36}" font-size="12" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
  out.push(`<text transform="translate(${x0 - 52} ${y0 + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`);
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="1.6"/>`);
    }
    const ly = y0 + 10 + i * 18;
    out.push(`<line x1="${x0 + plotW + 12}" x2="${x0 + plotW + 32}" y1="${ly}" y2="${ly}" stroke="${escapeXml(s.color)}" stroke-width="2.5"/>`);
    out.push(`<text x="${x0 + plotW + 38}" y="${ly}" font-size="12" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Renders panels one above the other, all on the same x range (so markers line up). */
export function renderSvg(title: string, panels: Panel[]): string {
  const height = 30 + panels.length * PANEL_HEIGHT;
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt[0]))).filter(Number.isFinite);
  let xMin = 0;
  let xMax = 1;
  for (const x of xs) {
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  }
  const body = panels.map((p, i) => renderPanel(p, 30 + i * PANEL_HEIGHT, [xMin, xMax])).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" font-size="16" text-anchor="middle">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
