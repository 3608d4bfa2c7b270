// Cold start: a fresh `node` per measurement that imports one runtime, creates the W2 model and
// produces the first W2 output. Reported: wall time from spawn to that output (as the parent
// sees it), the same for a baseline child that prepares the same inputs but loads no runtime,
// and the in-process time from the runtime's import to the first output (import, model
// creation, first run).
// The child part: node bench/cold-start.mjs <runtime id | none> <model file>
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { report, runChild } from "./proc.mjs";
import { runnerModule, runtime } from "./runtimes.mjs";
import { summarize } from "./timing.mjs";
import { inputs, layerWeights, workload } from "./workloads.mjs";

const ROOT = new URL("../", import.meta.url);

export const BASELINE = "none";
const SCRIPT = fileURLToPath(import.meta.url);

async function child(id, modelFile) {
  // Inputs are ready before the clock starts, as if read from the app's own files.
  const w = workload("W2");
  const data = { weights: [layerWeights(w, 0)], X: inputs(w), model: readFileSync(new URL(modelFile, ROOT)) };
  if (id === BASELINE) {
    report({ inProcessMs: 0 });
    process.exit(0);
  }
  const rt = runtime(id);
  const runner = await runnerModule(rt);
  const t0 = performance.now();
  const lib = await runner.load({ ...rt.options, cold: true });
  const t1 = performance.now();
  const inst = await runner.prepare(lib, w, data);
  const t2 = performance.now();
  const out = await inst.run();
  const t3 = performance.now();
  if (!out) throw new Error("no output");
  report({ inProcessMs: t3 - t0, importMs: t1 - t0, createMs: t2 - t1, firstRunMs: t3 - t2 });
  process.exit(0);
}

/**
 * Spawns `spawns` children per runtime, round-robin (so slow drift hits every runtime alike).
 * Returns { id: { wall, inProcess, overBaseline } } summaries in ms, plus the baseline.
 */
export async function measureColdStart(runtimes, modelFile, spawns, log = () => {}) {
  const ids = [BASELINE, ...runtimes.map((r) => r.id)];
  const PARTS = ["inProcess", "import", "create", "firstRun"];
  const samples = Object.fromEntries(ids.map((id) => [id, { wall: [], ...Object.fromEntries(PARTS.map((p) => [p, []])), errors: [] }]));
  for (let i = 0; i < spawns; i++) {
    for (const id of ids) {
      const flags = id === BASELINE ? [] : (runtime(id).nodeFlags ?? []);
      const r = await runChild(SCRIPT, [id, modelFile], { nodeFlags: flags, timeoutMs: 120_000 });
      if (r.results.length !== 1 || r.firstMs === undefined) {
        samples[id].errors.push(r.output.trim().split("\n").slice(-3).join(" "));
        continue;
      }
      samples[id].wall.push(r.firstMs);
      for (const p of PARTS) if (r.results[0][`${p}Ms`] !== undefined) samples[id][p].push(r.results[0][`${p}Ms`]);
    }
    log(`cold start: round ${i + 1}/${spawns}`);
  }
  const base = samples[BASELINE].wall.length ? summarize(samples[BASELINE].wall).median : undefined;
  return Object.fromEntries(ids.map((id) => {
    const s = samples[id];
    if (!s.wall.length) return [id, { error: s.errors[0] ?? "no result" }];
    const wall = summarize(s.wall);
    const parts = Object.fromEntries(PARTS.filter((p) => s[p].length).map((p) => [p, summarize(s[p])]));
    return [id, { wall, ...parts, overBaseline: base === undefined ? undefined : wall.median - base, errors: s.errors }];
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await child(process.argv[2], process.argv[3]);
