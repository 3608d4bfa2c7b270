// rnn-wasm, from the built bundle (dist/index.js, kernels embedded): createLayer().run() for a
// sequence, layer.stream().step() for stream steps, createModel() for stacked layers. The
// relaxed-SIMD variant runs on its own runtime: createRuntime({ simd: "relaxed-only" }) where
// the bundle has that option, else build/kernels-relaxed.wasm passed as `wasm`.
import { readFileSync } from "node:fs";
import { CHECK_STEPS, layerInput } from "../workloads.mjs";

export const RELAXED_WASM = new URL("../../build/kernels-relaxed.wasm", import.meta.url);

export async function load({ relaxed = false } = {}) {
  const lib = await import("../../dist/index.js");
  if (!relaxed) return { lib, options: {}, info: "dist/index.js, default kernels (SIMD)" };
  let runtime = await lib.createRuntime({ simd: "relaxed-only" });
  if (runtime.build === "relaxed-simd") return { lib, options: { runtime }, info: 'dist/index.js, createRuntime({ simd: "relaxed-only" })' };
  runtime.dispose(); // a bundle without the simd option ignored it
  runtime = await lib.createRuntime({ wasm: readFileSync(RELAXED_WASM) });
  return { lib, options: { runtime }, info: "dist/index.js with build/kernels-relaxed.wasm as `wasm`" };
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
