// Repeated timing: warm-up, then samples until there are at least minRuns of them and at
// least minMs have passed (a slow runtime stops at maxMs with at least 3 samples). Summaries
// are the median and the 10th/90th percentiles of the samples.

export const PROFILES = {
  full: { warmupMs: 400, minRuns: 15, minMs: 1500, maxMs: 10_000, sampleMs: 10 },
  // --quick: a smoke test that every path runs; its numbers mean nothing.
  quick: { warmupMs: 0, minRuns: 1, minMs: 0, maxMs: 0, sampleMs: 1 },
};

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted, q) {
  const x = (sorted.length - 1) * q;
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (x - i) : sorted[i];
}

export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), runs: s.length };
}

const call = async (fn, arg) => {
  const r = fn(arg);
  if (r && typeof r.then === "function") await r;
};

/**
 * Times fn(units) (sync or async), which does `units` units of work (one sequence, or that
 * many stream steps). For steps, units per sample are chosen so that a sample lasts ≈
 * sampleMs. Returns ms per unit: { median, p10, p90, runs, unitsPerSample, totalMs, samples }.
 */
export async function measure(fn, { stepwise, profile }) {
  let units = 1;
  if (stepwise) {
    // Calibrate (this also warms up): double until one sample lasts sampleMs.
    for (;;) {
      const t = performance.now();
      await call(fn, units);
      if (performance.now() - t >= profile.sampleMs || units >= 1 << 20) break;
      units *= 2;
    }
  }
  const warmEnd = performance.now() + profile.warmupMs;
  do await call(fn, units);
  while (performance.now() < warmEnd);
  const samples = [];
  const start = performance.now();
  for (;;) {
    const t = performance.now();
    await call(fn, units);
    const now = performance.now();
    samples.push((now - t) / units);
    const elapsed = now - start;
    if (samples.length >= profile.minRuns && elapsed >= profile.minMs) break;
    if (elapsed >= profile.maxMs && samples.length >= Math.min(3, profile.minRuns)) break;
  }
  return { ...summarize(samples), unitsPerSample: units, totalMs: performance.now() - start, samples };
}
