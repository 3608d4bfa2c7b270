// The physical limits of one core as WebAssembly sees it, measured on the machine running the
// bench: the f32x4 multiply-add peak (independent chains acc = acc·m + c held in registers,
// plain mul+add and relaxed madd) and the f32x4 read bandwidth (a load-sum streamed over and
// over a buffer: L2-sized, each step workload's weight size, 4 MiB, 64 MiB).
// Run as a child: node --experimental-wasm-relaxed-simd bench/peak.mjs [--quick]
import { pathToFileURL } from "node:url";
import { report } from "./proc.mjs";
import { F32, I32, V128, assemble, op } from "./wasm-asm.mjs";
import { WORKLOADS, floorBuffer } from "./workloads.mjs";

/** Accumulator counts tried: a chain through mul and add needs ≈ 12 chains to fill the pipes,
 * and V8 keeps ≈ 14 vectors in registers (KERNEL-NOTES), so more would spill. */
const CHAINS = [8, 10, 12];
const UNROLL = 4;
const STEP_SIZES = WORKLOADS.filter((w) => w.step).map(floorBuffer);
const BANDWIDTH_SIZES = [...new Set([256 << 10, ...STEP_SIZES, 4 << 20, 64 << 20])].sort((a, b) => a - b);

/** (iters) → f32: n accumulator chains, each link acc = acc·m + c (8 flops per f32x4 link). */
function peakFunc(name, n, relaxed) {
  const m = n + 1;
  const c = n + 2;
  const body = [op.f32Const(0.9999), op.f32x4Splat, op.localSet(m), op.f32Const(1e-4), op.f32x4Splat, op.localSet(c)];
  for (let k = 1; k <= n; k++) body.push(op.f32Const(1 + k / 64), op.f32x4Splat, op.localSet(k));
  body.push(op.loop);
  for (let u = 0; u < UNROLL; u++) {
    for (let k = 1; k <= n; k++) {
      body.push(relaxed
        ? [op.localGet(k), op.localGet(m), op.localGet(c), op.f32x4RelaxedMadd, op.localSet(k)]
        : [op.localGet(k), op.localGet(m), op.f32x4Mul, op.localGet(c), op.f32x4Add, op.localSet(k)]);
    }
  }
  body.push(op.localGet(0), op.i32Const(1), op.i32Sub, op.localTee(0), op.brIf(0), op.end, op.localGet(1));
  for (let k = 2; k <= n; k++) body.push(op.localGet(k), op.f32x4Add);
  body.push(op.f32x4ExtractLane(0));
  return { name, params: [I32], results: [F32], locals: [[n + 2, V128]], body };
}

/** (ptr, bytes, reps) → f32: reps passes of f32x4 loads over [ptr, ptr + bytes), 8 accumulators. */
function bandwidthFunc() {
  const [ptr, bytes, reps, p, end] = [0, 1, 2, 3, 4];
  const acc = (k) => 5 + k;
  const body = [op.localGet(ptr), op.localGet(bytes), op.i32Add, op.localSet(end), op.loop, op.localGet(ptr), op.localSet(p), op.loop];
  for (let k = 0; k < 8; k++) body.push(op.localGet(acc(k)), op.localGet(p), op.v128Load(16 * k), op.f32x4Add, op.localSet(acc(k)));
  body.push(op.localGet(p), op.i32Const(128), op.i32Add, op.localTee(p), op.localGet(end), op.i32LtU, op.brIf(0), op.end);
  body.push(op.localGet(reps), op.i32Const(1), op.i32Sub, op.localTee(reps), op.brIf(0), op.end, op.localGet(acc(0)));
  for (let k = 1; k < 8; k++) body.push(op.localGet(acc(k)), op.f32x4Add);
  body.push(op.f32x4ExtractLane(0));
  return { name: "bandwidth", params: [I32, I32, I32], results: [F32], locals: [[2, I32], [8, V128]], body };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** A limit is the best of several calls (noise from other processes only ever slows a call down). */
const bestAndMedian = (xs) => ({ best: Math.max(...xs), median: median(xs) });

/** GFLOP/s of one peak function (best and median of calls sized to ≈ callMs, after a warm-up). */
function timePeak(fn, n, { calls, callMs }) {
  const flopsPerIter = UNROLL * n * 8;
  let iters = 1 << 12;
  for (;;) {
    const t = performance.now();
    fn(iters);
    const dt = performance.now() - t;
    if (dt >= callMs / 4) {
      iters = Math.max(1, Math.round((iters * callMs) / Math.max(dt, 1e-3)));
      break;
    }
    iters *= 4;
  }
  for (let i = 0; i < 3; i++) fn(iters); // V8 tiers a function up between calls, not inside a loop
  const rates = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    fn(iters);
    rates.push((iters * flopsPerIter) / ((performance.now() - t) * 1e6));
  }
  return bestAndMedian(rates);
}

/** The best chain count gives the peak; every count's best and median GFLOP/s are kept. */
function peak(relaxed, budget) {
  const bytes = assemble({ funcs: CHAINS.map((n) => peakFunc(`chains${n}`, n, relaxed)) });
  if (!WebAssembly.validate(bytes)) return { skipped: relaxed ? "relaxed SIMD is not supported by this engine (flag --experimental-wasm-relaxed-simd)" : "SIMD is not supported" };
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const byChains = {};
  const medians = {};
  for (const n of CHAINS) ({ best: byChains[n], median: medians[n] } = timePeak(exports[`chains${n}`], n, budget));
  const best = CHAINS.reduce((a, b) => (byChains[b] > byChains[a] ? b : a));
  return { gflops: byChains[best], chains: best, byChains, medianByChains: medians };
}

function bandwidth({ calls }) {
  const pages = Math.max(...BANDWIDTH_SIZES) / 65536 + 1;
  const bytes = assemble({ funcs: [bandwidthFunc()], memoryPages: pages });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  // Touch every page (fresh pages may all map to one zero page, which would stay in cache).
  new Float32Array(exports.memory.buffer).fill(1e-3);
  return BANDWIDTH_SIZES.map((size) => {
    const reps = Math.max(1, Math.round((512 << 20) / size));
    for (let i = 0; i < 3; i++) exports.bandwidth(0, size, reps);
    const rates = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      exports.bandwidth(0, size, reps);
      rates.push((size * reps) / ((performance.now() - t) * 1e6));
    }
    const { best, median: med } = bestAndMedian(rates);
    return { bytes: size, gbs: best, medianGBs: med };
  });
}

/** All probes; quick mode only checks that they run. */
export function measure(quick) {
  const budget = quick ? { calls: 1, callMs: 5 } : { calls: 9, callMs: 60 };
  const bw = bandwidth({ calls: quick ? 1 : 7 });
  return {
    simd: peak(false, budget),
    relaxed: peak(true, budget),
    bandwidth: bw,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) report(measure(process.argv.includes("--quick")));
