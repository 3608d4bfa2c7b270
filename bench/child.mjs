// One runtime in a fresh process: for each workload given, prepare it, check its output (the
// parent compares it with rnn-wasm's), then time it. Reports one line per workload (proc.mjs).
// Usage (by run.mjs): node [flags] bench/child.mjs <runtime id> <full|quick> <json: { workloads, models }>
import { readFileSync } from "node:fs";
import { report } from "./proc.mjs";
import { runnerModule, runtime } from "./runtimes.mjs";
import { PROFILES, measure } from "./timing.mjs";
import { checkVector, inputs, layerWeights, quickVariant, workload } from "./workloads.mjs";

const ROOT = new URL("../", import.meta.url);

const [id, profileName, json] = process.argv.slice(2);
const { workloads, models } = JSON.parse(json);
const profile = PROFILES[profileName];
const rt = runtime(id);
const runner = await runnerModule(rt);

let lib;
try {
  lib = await runner.load(rt.options);
} catch (e) {
  for (const wid of workloads) report({ runtime: id, workload: wid, error: `loading failed: ${e?.stack ?? e}` });
  process.exit(0);
}

for (const wid of workloads) {
  const base = workload(wid);
  const w = profileName === "quick" ? quickVariant(base) : base;
  let inst;
  try {
    const data = {
      weights: Array.from({ length: w.layers }, (_, k) => layerWeights(w, k)),
      X: inputs(w),
      model: readFileSync(new URL(models[wid], ROOT)),
    };
    const t0 = performance.now();
    inst = await runner.prepare(lib, w, data);
    const setupMs = performance.now() - t0;
    let check;
    if (w.step) {
      const hs = await inst.trace();
      check = checkVector(w, (t, _d, b, u) => hs[t][b * w.H + u]);
    } else {
      check = checkVector(w, inst.at(await inst.run()));
    }
    const timing = await measure(w.step ? (n) => inst.steps(n) : () => inst.run(), { stepwise: !!w.step, profile });
    report({ runtime: id, workload: wid, info: lib.info, setupMs, check, timing });
  } catch (e) {
    report({ runtime: id, workload: wid, error: String(e?.stack ?? e) });
  } finally {
    try {
      await inst?.close();
    } catch {
      // closing after a failure may fail again; the error is already reported
    }
  }
}
// onnxruntime-web's worker threads would keep the process alive.
process.exit(0);
