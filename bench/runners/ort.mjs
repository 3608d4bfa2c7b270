// onnxruntime-web (WebAssembly backend, SIMD; 1 or 2 threads) and onnxruntime-node (native
// CPU, 1 intra-op thread: the native ceiling), on the workload's ONNX model. Streams run a
// T = 1 model and feed Y_h (, Y_c) back as initial_h (, initial_c), as an ORT user would.
import { CHECK_STEPS } from "../workloads.mjs";

export async function load({ kind, threads }) {
  if (kind === "node") {
    const ort = await import("onnxruntime-node");
    const options = { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" };
    return { ort, options, info: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}, CPU provider, intraOpNumThreads ${threads}` };
  }
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  const info = `onnxruntime-web ${ort.env.versions.web}, wasm provider, SIMD, numThreads ${threads}`;
  return { ort, options: { executionProviders: ["wasm"], graphOptimizationLevel: "all" }, info };
}

/** data: { model (ONNX bytes), X } */
export async function prepare({ ort, options }, w, data) {
  const session = await ort.InferenceSession.create(data.model, options);
  const close = () => session.release();
  if (w.step) {
    const lstm = w.cell === "lstm";
    const stateDims = [1, w.B, w.H];
    const n = w.B * w.I;
    const frames = Array.from({ length: CHECK_STEPS }, (_, t) => data.X.subarray(t * n, (t + 1) * n));
    const zeros = () => new ort.Tensor("float32", new Float32Array(w.B * w.H), stateDims);
    let feeds;
    const reset = () => {
      feeds = lstm ? { initial_h: zeros(), initial_c: zeros() } : { initial_h: zeros() };
    };
    const step = async (x) => {
      feeds.X = new ort.Tensor("float32", x, [1, w.B, w.I]);
      const out = await session.run(feeds);
      feeds = lstm ? { initial_h: out.Y_h, initial_c: out.Y_c } : { initial_h: out.Y_h };
      return out.Y_h.data;
    };
    reset();
    let i = 0;
    return {
      async steps(count) {
        for (let s = 0; s < count; s++) {
          await step(frames[i]);
          i = (i + 1) % CHECK_STEPS;
        }
      },
      async trace() {
        reset();
        const hs = [];
        for (const x of frames) hs.push((await step(x)).slice());
        reset();
        i = 0;
        return hs;
      },
      close,
    };
  }
  return {
    run: () => session.run({ X: new ort.Tensor("float32", data.X, [w.T, w.B, w.I]) }),
    // Y [T, dirs, B, H]
    at: (out) => (t, d, b, u) => out.Y.data[((t * w.dirs + d) * w.B + b) * w.H + u],
    close,
  };
}
