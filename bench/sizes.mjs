// Shipped size: the bytes a user ships for each runtime (JavaScript + wasm, raw and gzip -9),
// measured on the files in dist/ and node_modules/. tfjs counts the ESM bundles of the parts
// this use needs (core, layers, one backend) rather than the all-in-one tf.min.js.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const ORT = "node_modules/onnxruntime-web/dist/";
const TF = "node_modules/@tensorflow/";
const TF_CORE_LAYERS = [`${TF}tfjs-core/dist/tf-core.fesm.min.js`, `${TF}tfjs-layers/dist/tf-layers.fesm.min.js`];

export const SHIPPED = [
  { runtime: "rnn-wasm", files: ["dist/index.js"], closure: true, note: "ESM bundle and the chunks it imports statically, kernels embedded as base64 (the core the size target is about)" },
  { runtime: "rnn-wasm relaxed-SIMD chunk", files: ["dist/chunks/kernels-relaxed-embedded-*.js"], note: "loaded on demand, only by createRuntime({ simd: \"relaxed\" })" },
  { runtime: "onnxruntime-web", files: [`${ORT}ort.wasm.bundle.min.mjs`, `${ORT}ort-wasm-simd-threaded.wasm`], note: "onnxruntime-web/wasm (bundle) + its SIMD wasm" },
  { runtime: "tfjs cpu", files: [...TF_CORE_LAYERS, `${TF}tfjs-backend-cpu/dist/tf-backend-cpu.fesm.min.js`, "node_modules/seedrandom/seedrandom.min.js"], note: "core + layers + cpu backend (+ seedrandom, its dependency)" },
  { runtime: "tfjs wasm", files: [...TF_CORE_LAYERS, `${TF}tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js`, `${TF}tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm`], note: "core + layers + wasm backend + its SIMD wasm" },
  { runtime: "onnxruntime-node", files: ["node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node", "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"], note: "native, linux x64 (not shippable to a browser; for reference)" },
];

/** A file name with one `*` in its last segment (a content hash) names the matching files. */
function expand(root, file) {
  if (!file.includes("*")) return [file];
  const dir = file.slice(0, file.lastIndexOf("/") + 1);
  const [pre, post] = file.slice(dir.length).split("*");
  try {
    const found = readdirSync(new URL(dir, root)).filter((f) => f.startsWith(pre) && f.endsWith(post)).map((f) => dir + f);
    return found.length ? found : [file];
  } catch {
    return [file];
  }
}

/** `file` and every file it imports statically (`from "./…"`), transitively: what loading it fetches. */
function closure(root, file) {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    let text = "";
    try {
      text = readFileSync(new URL(f, root), "utf8");
    } catch {
      return;
    }
    const dir = f.slice(0, f.lastIndexOf("/") + 1);
    for (const m of text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?"(\.\.?\/[^"]+)"/g)) visit(new URL(m[1], new URL(dir, "file:///")).pathname.slice(1));
  };
  visit(file);
  return [...seen];
}

/** Sizes relative to the repository root `root` (a file: URL ending in /). */
export function measureSizes(root) {
  return SHIPPED.map(({ runtime, files, note, closure: follow }) => {
    const parts = files.flatMap((f) => (follow ? closure(root, f) : expand(root, f))).map((file) => {
      try {
        const bytes = readFileSync(new URL(file, root));
        return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      } catch {
        return { file, missing: true };
      }
    });
    const ok = parts.filter((p) => !p.missing);
    return {
      runtime, note, parts,
      raw: ok.reduce((n, p) => n + p.raw, 0),
      gzip: ok.reduce((n, p) => n + p.gzip, 0),
      complete: ok.length === parts.length,
    };
  });
}
