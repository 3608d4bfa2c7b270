// A second opinion on the ONNX fixtures: onnxruntime-node runs each exported model on the stored
// inputs and must agree with the stored PyTorch reference (1e-5 + 1e-4·|ref|), so the
// references are known to be what ONNX means, not only what torch computed. onnxruntime
// cannot load three of them; rnn-wasm can (checked in onnx-fixtures.test.ts).
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { expectClose } from "../helpers/fixture-io.js";
import { ONNX_FIXTURE_DIR, loadOnnxFixtures } from "./onnx-fixtures.js";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node") as typeof import("onnxruntime-node");

// What onnxruntime's CPU provider rejects at session creation.
const ORT_CANNOT = {
  lstm_o7: /ConstantFill/, // torch's experimental op at opsets 7–8, never in ONNX's standard set
  gru2_bf_o8: /ConstantFill/,
  lstm_bi_layout1_o22: /layout/, // "Batchwise recurrent operations (layout == 1) are not supported"
} as Record<string, RegExp>;

describe("onnxruntime agrees with the stored PyTorch references", () => {
  it.each(loadOnnxFixtures().map((f) => [f.name, f] as const))("%s", async (name, f) => {
    const path = decodeURIComponent(new URL(`${name}.onnx`, ONNX_FIXTURE_DIR).pathname);
    const created = ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    if (ORT_CANNOT[name]) {
      await expect(created).rejects.toThrow(ORT_CANNOT[name]);
      return;
    }
    const session = await created;
    for (const [k, run] of f.runs.entries()) {
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [input, v] of Object.entries(run.inputs)) {
        if (v.data instanceof Float32Array) feeds[input] = new ort.Tensor("float32", v.data, v.dims);
        else if (input === "sequence_lens") feeds[input] = new ort.Tensor("int32", Int32Array.from(v.data), v.dims);
        else feeds[input] = new ort.Tensor("int64", BigInt64Array.from(v.data, (x) => BigInt(x)), v.dims);
      }
      const out = await session.run(feeds);
      for (const [o, expected] of Object.entries(run.outputs)) {
        expect([...out[o].dims]).toEqual(expected.dims);
        expectClose(out[o].data as Float32Array, expected.data, `${name} run ${k} ${o} (onnxruntime)`);
      }
    }
    await session.release();
  });
});
