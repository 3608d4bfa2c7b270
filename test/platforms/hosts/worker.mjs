// Cloudflare Worker host (run by miniflare in workerd): the package's "workerd" build, imported
// by name as a user's Worker would ("rnn-wasm", a module of this Worker; see runtimes.test.ts).
//   GET  /            a small LSTM's output, as JSON
//   POST /conformance the conformance bundle in, the result out (?simd=relaxed-only for FMA)
import { createLayer } from "rnn-wasm";
import * as api from "rnn-wasm";
import { parseBundle, runConformance } from "./conformance-run.mjs";

/** Whether this isolate may compile WebAssembly from bytes (workerd: no, so the kernels must be modules). */
async function compileFromBytes() {
  try {
    await WebAssembly.compile(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    return "allowed";
  } catch (e) {
    return `refused: ${e}`;
  }
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/conformance") {
      const result = await runConformance(api, parseBundle(await request.text()), { simd: url.searchParams.get("simd") ?? undefined });
      return Response.json({ ...result, compileFromBytes: await compileFromBytes() });
    }
    const w = (n, k) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) / 2);
    const lstm = await createLayer({ cell: "lstm", inputSize: 3, hiddenSize: 4, W: w(48, 1.3), R: w(64, 0.7), B: w(32, 0.3) });
    const { Y } = await lstm.run({ data: w(15, 2.1), dims: [5, 1, 3] });
    lstm.dispose();
    return Response.json({ dims: Y.dims, data: Array.from(Y.data) });
  },
};
