// rnn-wasm, from the built bundle (dist/index.js, kernels embedded): createLayer().run() for a
// sequence, layer.stream().step() for stream steps, createModel() for stacked layers. Each
// variant has its own runtime: the default options (threads = min(2, cores)), threads 1, or
// the relaxed-SIMD kernels on 1 thread (createRuntime({ simd: "relaxed-only" })). The workers
// are ready before timing starts, except for cold start (`cold`), where they start in the
// background exactly as in an app's first call.
import { existsSync } from "node:fs";
import { CHECK_STEPS, layerInput } from "../workloads.mjs";

export const RELAXED_WASM = new URL("../../build/kernels-relaxed.wasm", import.meta.url);
export const relaxedAvailable = () => existsSync(RELAXED_WASM);

export async function load({ relaxed = false, threads, cold = false } = {}) {
  const lib = await import("../../dist/index.js");
  const runtime = await lib.createRuntime({ ...(threads ? { threads } : {}), ...(relaxed ? { simd: "relaxed-only" } : {}) });
  if (!cold) {
    const ready = await runtime.threadsReady();
    if (ready !== runtime.threads) throw new Error(`rnn-wasm: asked for ${runtime.threads} threads, got ${ready}`);
  }
  const kernels = relaxed ? 'simd: "relaxed-only"' : "default kernels (SIMD)";
  return { lib, options: { runtime }, info: `dist/index.js, createRuntime(${threads ? `{ threads: ${threads} }` : ""}) → ${runtime.threads} thread(s), ${kernels}` };
}

/** data: { weights: [{ W, R, B } per layer], X } (workloads.mjs). */
export async function prepare({ lib, options }, w, data) {
  const specs = data.weights.map((weights, k) => ({
    cell: w.cell, inputSize: layerInput(w, k), hiddenSize: w.H, direction: w.dirs === 2 ? "bidirectional" : "forward",
    ...weights, linearBeforeReset: w.cell === "gru",
  }));
  if (w.step) {
    const layer = await lib.createLayer(specs[0], options);
    const stream = layer.stream({ batchSize: w.B });
    const n = w.B * w.I;
    const frames = Array.from({ length: CHECK_STEPS }, (_, t) => data.X.subarray(t * n, (t + 1) * n));
    let i = 0;
    return {
      steps(count) {
        for (let s = 0; s < count; s++) {
          stream.step(frames[i]);
          i = (i + 1) % CHECK_STEPS;
        }
      },
      trace() {
        stream.reset();
        const hs = frames.map((x) => stream.step(x).slice());
        stream.reset();
        i = 0;
        return hs;
      },
      close() {
        stream.dispose();
        layer.dispose();
      },
    };
  }
  const X = { data: data.X, dims: [w.T, w.B, w.I] };
  if (w.layers === 1) {
    const layer = await lib.createLayer(specs[0], options);
    return {
      run: () => layer.run(X),
      // Y [T, dirs, B, H]
      at: (out) => (t, d, b, u) => out.Y.data[((t * w.dirs + d) * w.B + b) * w.H + u],
      close: () => layer.dispose(),
    };
  }
  const model = await lib.createModel({ layers: specs.map((s) => ({ type: "recurrent", ...s })) }, options);
  return {
    run: () => model.run(X),
    // output [T, B, dirs·H]
    at: (out) => (t, d, b, u) => out.output.data[(t * w.B + b) * w.dirs * w.H + d * w.H + u],
    close: () => model.dispose(),
  };
}
