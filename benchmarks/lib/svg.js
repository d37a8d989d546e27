// A small SVG bar chart writer (no charting dependency): panels of horizontal bars, one bar per worker count.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#2f6fdf', '#f0a030', '#5aa05a', '#b04040'];
const PANEL_W = 500;
const LABEL_W = 185;
const BAR_H = 9;

function compact(v) {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${Math.round(v / 1e3)}k`;
  if (a >= 100) return String(Math.round(v));
  return v.toFixed(a >= 10 ? 0 : 1);
}

/**
 * One panel. rows: [{ label, values: [number per series], highlight }]; series: names of the bars in a row
 * (e.g. '2 workers'). `log`: log10 scale (values spanning decades). `note`: a line under the title.
 */
function panel({ title, note, unit, rows, series, log = false, better = 'higher' }) {
  const groupH = series.length * (BAR_H + 2) + 6;
  const top = 44;
  const height = top + rows.length * groupH + 16;
  const all = rows.flatMap((r) => r.values).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(...all, 1e-9);
  const min = log ? Math.min(...all) / 2 : 0;
  const width = PANEL_W - LABEL_W - 60;
  const scale = (v) => {
    if (!Number.isFinite(v) || v <= 0) return 0;
    if (!log) return (v / max) * width;
    return Math.max(2, ((Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * width);
  };
  let out = `<text x="0" y="14" class="t">${esc(title)}</text>`;
  out += `<text x="0" y="30" class="n">${esc(`${unit}, ${better} is better${log ? ', log scale' : ''}${note ? ` · ${note}` : ''}`)}</text>`;
  rows.forEach((row, i) => {
    const y = top + i * groupH;
    out += `<text x="${LABEL_W - 6}" y="${y + groupH / 2}" class="${row.highlight ? 'lb' : 'l'}" text-anchor="end">${esc(row.label)}</text>`;
    row.values.forEach((v, k) => {
      if (!Number.isFinite(v)) return; // not measured for this series
      const by = y + k * (BAR_H + 2);
      const w = scale(v);
      out += `<rect x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[k % COLORS.length]}"${row.highlight ? '' : ' opacity="0.75"'}/>`;
      out += `<text x="${LABEL_W + w + 4}" y="${by + BAR_H - 1}" class="v">${esc(compact(v))}</text>`;
    });
  });
  return { svg: out, height };
}

/** Lays panels out in two columns; returns the SVG document. */
export function chart({ title, subtitle, series, panels }) {
  const cols = 2;
  const rendered = panels.map((p) => panel({ ...p, series }));
  const heights = [];
  for (let i = 0; i < rendered.length; i += cols) heights.push(Math.max(...rendered.slice(i, i + cols).map((r) => r.height)));
  const headerH = 64;
  const W = cols * PANEL_W + 40;
  const H = headerH + heights.reduce((a, b) => a + b + 20, 0) + 10;
  let body = '';
  let y = headerH;
  for (let i = 0; i < rendered.length; i++) {
    const col = i % cols;
    const row = Math.floor(i / cols);
    if (col === 0 && row > 0) y += heights[row - 1] + 20;
    body += `<g transform="translate(${20 + col * PANEL_W},${y})">${rendered[i].svg}</g>`;
  }
  const legend = series.map((s, k) => `<rect x="${20 + k * 110}" y="40" width="10" height="10" fill="${COLORS[k]}"/><text x="${34 + k * 110}" y="49" class="n">${esc(s)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">
<style>.t{font-size:13px;font-weight:bold}.n{font-size:10px;fill:#555}.l{font-size:10px}.lb{font-size:10px;font-weight:bold}.v{font-size:9px;fill:#333}</style>
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="20" class="t" font-size="15">${esc(title)}</text><text x="20" y="34" class="n">${esc(subtitle)}</text>${legend}
${body}
</svg>
`;
}
