// results.svg: GFLOP/s per workload (groups) and runtime (bars), with the measured WASM SIMD
// peak as a line. Plain SVG text: a grouped bar chart needs no charting library.
import { derive } from "./report.mjs";

const COLORS = ["#1f6feb", "#7c3aed", "#0f766e", "#d97706", "#f59e0b", "#64748b", "#dc2626", "#f472b6", "#16a34a"];
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(report) {
  const runtimes = report.runtimes.filter((r) => report.workloads.some((w) => derive(report, w, r.id)));
  const color = new Map(report.runtimes.map((r, i) => [r.id, COLORS[i % COLORS.length]]));
  const bar = 16;
  const gap = 28;
  const groupWidth = runtimes.length * bar + gap;
  const left = 56;
  const top = 40;
  const plotH = 300;
  const legendRows = Math.ceil(runtimes.length / 3);
  const width = Math.max(640, left + report.workloads.length * groupWidth + 20);
  const height = top + plotH + 60 + legendRows * 18 + 10;
  const values = report.workloads.flatMap((w) => runtimes.map((r) => derive(report, w, r.id)?.gflops ?? 0));
  const lines = [report.peak.simd.gflops, report.peak.relaxed.gflops].filter((x) => x > 0);
  const max = niceCeil(Math.max(...values, ...lines) * 1.08);
  const y = (v) => top + plotH - (v / max) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600">GFLOP/s per workload (higher is better)${report.mode === "quick" ? " — smoke run, not a measurement" : ""}</text>`,
  ];
  const step = niceStep(max);
  for (let v = 0; v <= max + 1e-9; v += step) {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#374151">${+v.toFixed(2)}</text>`);
  }
  report.workloads.forEach((w, g) => {
    const x0 = left + gap / 2 + g * groupWidth;
    runtimes.forEach((r, i) => {
      const d = derive(report, w, r.id);
      const x = x0 + i * bar;
      if (!d) return;
      out.push(`<rect x="${x}" y="${y(d.gflops)}" width="${bar - 2}" height="${top + plotH - y(d.gflops)}" fill="${color.get(r.id)}"><title>${esc(`${w.id} ${r.label}: ${d.gflops.toFixed(2)} GFLOP/s`)}</title></rect>`);
      out.push(`<text x="${x + (bar - 2) / 2}" y="${y(d.gflops) - 3}" text-anchor="middle" font-size="8" fill="#111">${d.gflops < 10 ? d.gflops.toFixed(1) : d.gflops.toFixed(0)}</text>`);
    });
    out.push(`<text x="${x0 + (runtimes.length * bar) / 2}" y="${top + plotH + 16}" text-anchor="middle" font-weight="600">${esc(w.id)}</text>`);
    out.push(`<text x="${x0 + (runtimes.length * bar) / 2}" y="${top + plotH + 29}" text-anchor="middle" fill="#4b5563" font-size="9">${esc(w.cell.toUpperCase())} H${w.H}${w.step ? " step" : ` T${w.T}`} B${w.B}${w.dirs === 2 ? " bi" : ""}${w.layers > 1 ? " ×2" : ""}</text>`);
  });
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#111"/>`);
  const peakLine = (v, text, dash) => {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#b91c1c" stroke-dasharray="${dash}"/>`);
    out.push(`<text x="${width - 12}" y="${y(v) - 4}" text-anchor="end" fill="#b91c1c">${esc(text)} ${v.toFixed(1)}</text>`);
  };
  peakLine(report.peak.simd.gflops, "WASM SIMD mul+add peak", "6 4");
  if (report.peak.relaxed.gflops) peakLine(report.peak.relaxed.gflops, "relaxed madd peak", "2 3");
  runtimes.forEach((r, i) => {
    const lx = left + (i % 3) * 230;
    const ly = top + plotH + 48 + Math.floor(i / 3) * 18;
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color.get(r.id)}"/>`);
    out.push(`<text x="${lx + 14}" y="${ly}">${esc(r.label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function niceStep(max) {
  const raw = max / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

function niceCeil(v) {
  const s = niceStep(v);
  return Math.ceil(v / s) * s;
}
