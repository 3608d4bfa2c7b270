// The runtimes compared, in report order. Each runs in its own child process (child.mjs)
// through a runner in runners/ (load the library once, prepare a workload, run or step it).
import { relaxedAvailable } from "./runners/rnn-wasm.mjs";

export const REFERENCE = "rnn-wasm";

/**
 * id: stable key in results.json; label: what RESULTS.md shows; runner + options: how to run it;
 * nodeFlags: for the child process; unavailable(): a reason to skip it, or "" to run it.
 */
export const RUNTIMES = [
  // The library as users get it: createRuntime() with default options (threads = min(2, cores)).
  { id: "rnn-wasm", label: "rnn-wasm (default threads)", runner: "rnn-wasm", options: {}, unavailable: () => "" },
  { id: "rnn-wasm-1t", label: "rnn-wasm 1 thread", runner: "rnn-wasm", options: { threads: 1 }, unavailable: () => "" },
  {
    id: "rnn-wasm-relaxed", label: "rnn-wasm relaxed SIMD, 1 thread", runner: "rnn-wasm", options: { relaxed: true, threads: 1 },
    nodeFlags: ["--experimental-wasm-relaxed-simd"],
    unavailable: () => (relaxedAvailable() ? "" : "build/kernels-relaxed.wasm is missing (npm run build)"),
  },
  { id: "ort-web-1t", label: "onnxruntime-web 1 thread", runner: "ort", options: { kind: "web", threads: 1 }, unavailable: () => "" },
  { id: "ort-web-2t", label: "onnxruntime-web 2 threads", runner: "ort", options: { kind: "web", threads: 2 }, unavailable: () => "" },
  { id: "ort-node", label: "onnxruntime-node (native, 1 thread)", runner: "ort", options: { kind: "node", threads: 1 }, unavailable: () => "" },
  { id: "tfjs-wasm", label: "tfjs wasm backend", runner: "tfjs", options: { backend: "wasm" }, unavailable: () => "" },
  { id: "tfjs-cpu", label: "tfjs cpu backend", runner: "tfjs", options: { backend: "cpu" }, unavailable: () => "" },
];

export function runtime(id) {
  const r = RUNTIMES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown runtime ${id}; known: ${RUNTIMES.map((x) => x.id).join(", ")}`);
  return r;
}

/** The runner module of a runtime (loaded in the child only: it imports the library lazily). */
export const runnerModule = (r) => import(`./runners/${r.runner}.mjs`);
