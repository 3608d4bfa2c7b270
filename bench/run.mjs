// The benchmark (issue 7): rnn-wasm (default threads, 1 thread, relaxed SIMD) against
// onnxruntime-web (1 and 2 threads), onnxruntime-node (native, 1 thread) and TensorFlow.js
// (cpu, wasm) on the workloads of workloads.mjs, plus the WebAssembly peak and bandwidth of
// this machine, cold start and shipped size. Writes bench/RESULTS.md, results.svg, results.json.
//   node bench/run.mjs                  full run, 3 rounds (≈ 15 min; run it on a quiet machine)
//   node bench/run.mjs --quick          smoke test (< 1 min): every runner once on short
//                                       sequences; writes to bench/.quick/ (not committed)
//   --workloads=W1,W4  --runtimes=rnn-wasm,ort-web-1t  --out=DIR  --skip-cold
//   --rounds=N                          N passes per workload in alternating runtime order,
//                                       median of the round medians (steadier on a busy machine)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { renderChart } from "./chart.mjs";
import { measureColdStart } from "./cold-start.mjs";
import { ensureModels } from "./onnx-models.mjs";
import { runChild } from "./proc.mjs";
import { renderReport } from "./report.mjs";
import { quantile, summarize } from "./timing.mjs";
import { REFERENCE, RUNTIMES } from "./runtimes.mjs";
import { measureSizes } from "./sizes.mjs";
import { CHECK_TOLERANCE, WORKLOADS, floorBuffer, flops, maxAbsDiff, quickVariant, weightBytes } from "./workloads.mjs";

const ROOT = new URL("../", import.meta.url);
const BENCH = new URL("./", import.meta.url);
const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    workloads: { type: "string" },
    runtimes: { type: "string" },
    out: { type: "string" },
    "skip-cold": { type: "boolean", default: false },
    // 3 rounds by default: on a shared VM one round in two or three catches another tenant's
    // load, and with 3 rounds pooled such a round no longer sets the median.
    rounds: { type: "string" },
  },
});
const rounds = Math.max(1, Number.parseInt(opts.rounds ?? (opts.quick ? "1" : "3"), 10) || 1);
const quick = opts.quick;
const profile = quick ? "quick" : "full";
const pick = (list, csv) => (csv ? csv.split(",").map((id) => list.find((x) => x.id === id) ?? fail(`unknown id ${id}`)) : list);
const workloads = pick(WORKLOADS, opts.workloads);
const runtimes = pick(RUNTIMES, opts.runtimes);
if (!runtimes.some((r) => r.id === REFERENCE)) runtimes.unshift(RUNTIMES.find((r) => r.id === REFERENCE));
const outDir = opts.out ? pathToFileURL(`${resolve(opts.out)}/`) : quick ? new URL(".quick/", BENCH) : BENCH;
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

function fail(msg) {
  console.error(msg);
  process.exit(1);
}

const notes = [];
ensureDist();
const models = ensureModels(WORKLOADS);
for (const [id, m] of Object.entries(models)) if (m.status.startsWith("regenerated")) notes.push(`model ${id} (${m.file}): ${m.status}`);
const machine = machineInfo();
log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${quick ? "quick smoke run" : "full run"}`);

log("peak and bandwidth probes");
const peakRun = await runChild(fileURLToPath(new URL("peak.mjs", BENCH)), quick ? ["--quick"] : [], { nodeFlags: ["--experimental-wasm-relaxed-simd"] });
const peak = peakRun.results[0] ?? fail(`peak probe failed:\n${peakRun.output}`);
log(`SIMD peak ${peak.simd.gflops.toFixed(1)} GFLOP/s, relaxed ${peak.relaxed.gflops?.toFixed(1) ?? "n/a"}, bandwidth ${peak.bandwidth.map((b) => `${(b.bytes / 2 ** 20).toFixed(2)} MiB: ${b.gbs.toFixed(1)} GB/s`).join(", ")}`);

const available = runtimes.filter((r) => !r.unavailable());
const results = Object.fromEntries(workloads.map((w) => [w.id, {}]));
for (const r of runtimes) {
  const reason = r.unavailable();
  if (reason) for (const w of workloads) results[w.id][r.id] = { status: "skipped", reason };
}
const modelFiles = Object.fromEntries(Object.entries(models).map(([id, m]) => [id, m.file]));
// Full: a fresh process per (workload, runtime), runtimes back to back so that one workload's
// ratios come from one stretch of time; with --rounds=N, N such passes in alternating runtime
// order (the median of their medians; percentiles of the pooled samples). Quick: one process per runtime for all workloads.
const batches = quick
  ? available.map((r) => [r, workloads])
  : workloads.flatMap((w) => Array.from({ length: rounds }, (_, i) => (i % 2 ? [...available].reverse() : available).map((r) => [r, [w]])).flat());
for (const [r, ws] of batches) {
  const arg = JSON.stringify({ workloads: ws.map((w) => w.id), models: modelFiles });
  const child = await runChild(fileURLToPath(new URL("child.mjs", BENCH)), [r.id, profile, arg], { nodeFlags: r.nodeFlags ?? [] });
  for (const w of ws) {
    const res = child.results.find((x) => x.workload === w.id);
    const got = res
      ? res.error ? { status: "error", reason: res.error.split("\n")[0], detail: res.error } : { status: "ok", ...res }
      : { status: "error", reason: `no result (exit code ${child.code})`, detail: child.output };
    const prev = results[w.id][r.id];
    if (prev?.status === "ok" && got.status === "ok") {
      // The median is the median of the rounds' medians: pooled samples would lean toward the
      // faster rounds, which collect more samples in their fixed time. p10–p90 stay pooled.
      const samples = [...prev.timing.samples, ...got.timing.samples];
      const roundMedians = [...prev.timing.roundMedians, got.timing.median];
      const median = quantile([...roundMedians].sort((a, b) => a - b), 0.5);
      prev.timing = { ...prev.timing, ...summarize(samples), median, roundMedians, samples, totalMs: prev.timing.totalMs + got.timing.totalMs, rounds: prev.timing.rounds + 1 };
    } else if (prev?.status !== "ok") results[w.id][r.id] = { ...got, ...(got.status === "ok" ? { timing: { ...got.timing, rounds: 1, roundMedians: [got.timing.median] } } : {}) };
    log(`${w.id} ${r.id}: ${got.status === "ok" ? `${fmtMs(got.timing.median)} per ${w.step ? "step" : "run"}` : `${got.status}: ${got.reason}`}`);
  }
}
for (const w of workloads) for (const res of Object.values(results[w.id])) delete res.timing?.samples;

// Correctness: every runtime's output against rnn-wasm's, before any number is compared.
for (const w of workloads) {
  const ref = results[w.id][REFERENCE];
  for (const [id, res] of Object.entries(results[w.id])) {
    if (res.status !== "ok" || id === REFERENCE || ref?.status !== "ok") continue;
    res.maxAbsDiff = maxAbsDiff(res.check, ref.check);
    if (!(res.maxAbsDiff <= CHECK_TOLERANCE)) {
      res.status = "mismatch";
      res.reason = `output differs from rnn-wasm's by ${res.maxAbsDiff} (> ${CHECK_TOLERANCE}): not compared`;
      log(`${w.id} ${id}: ${res.reason}`);
    }
  }
  for (const res of Object.values(results[w.id])) delete res.check;
}

let coldStart;
if (!opts["skip-cold"]) {
  log("cold start");
  coldStart = await measureColdStart(available, models.W2.file, quick ? 1 : 7, log);
}
const sizes = measureSizes(ROOT);

const report = {
  generated: new Date().toISOString(),
  mode: profile,
  rounds: quick ? 1 : rounds,
  machine: { ...machine, loadAverageEnd: os.loadavg().map((x) => +x.toFixed(2)) },
  notes,
  peak,
  // rnn-wasm's default is min(2, cores) threads (src/runtime/runtime.ts).
  runtimes: runtimes.map((r) => ({
    id: r.id, label: r.label, status: r.unavailable() || "ok",
    ...(r.runner === "rnn-wasm" ? { threads: r.options.threads ?? Math.min(2, os.availableParallelism()) } : {}),
  })),
  workloads: workloads.map((base) => {
    const w = quick ? quickVariant(base) : base;
    return { ...w, flops: flops(w), weightBytes: weightBytes(w), floorBuffer: w.step ? floorBuffer(w) : undefined, results: results[w.id] };
  }),
  coldStart,
  sizes,
  wallSeconds: (performance.now() - started) / 1000,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL("results.json", outDir), relative(`${JSON.stringify(report, null, 1)}\n`));
writeFileSync(new URL("RESULTS.md", outDir), relative(renderReport(report)));
writeFileSync(new URL("results.svg", outDir), renderChart(report));
log(`wrote ${fileURLToPath(outDir).replace(fileURLToPath(ROOT), "") || "./"}RESULTS.md, results.svg, results.json`);

/** Error texts (stack traces) go into committed files: no machine paths in them. */
function relative(text) {
  return text.replaceAll(ROOT.href, "").replaceAll(fileURLToPath(ROOT), "");
}

function fmtMs(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

/** Builds dist/ if it is missing; notes when it is older than the sources it is built from. */
function ensureDist() {
  const dist = new URL("dist/index.js", ROOT);
  if (!existsSync(dist)) {
    log("dist/index.js is missing: npm run build");
    execFileSync(process.execPath, [fileURLToPath(new URL("scripts/build.mjs", ROOT))], { cwd: ROOT, stdio: "inherit" });
    return;
  }
  const newest = (dir) => readdirSync(new URL(dir, ROOT), { recursive: true })
    .map((f) => statSync(new URL(`${dir}${f}`, ROOT)).mtimeMs).reduce((a, b) => Math.max(a, b), 0);
  if (Math.max(newest("src/"), newest("assembly/")) > statSync(dist).mtimeMs) {
    notes.push("dist/index.js was older than src/ or assembly/ when this ran: rerun `npm run build` before quoting rnn-wasm numbers");
    log(`warning: ${notes.at(-1)}`);
  }
}

function machineInfo() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1];
  let commit;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain", "--", "src", "assembly"], { cwd: ROOT, encoding: "utf8" }).trim()) commit += " + uncommitted changes in src/ or assembly/";
  } catch {
    commit = "unknown";
  }
  return {
    cpu: field("model name") ?? os.cpus()[0]?.model ?? "unknown",
    cacheSize: field("cache size"),
    cores: os.cpus().length,
    memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    v8: process.versions.v8,
    commit,
    loadAverageStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
}
