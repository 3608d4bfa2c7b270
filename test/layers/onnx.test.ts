// ONNX's own backend node tests (LSTM, GRU, RNN; ../shared/conformance/onnx-backend/) and the
// onnxruntime fixtures, run through the WebAssembly kernels. Tolerance 1e-5 + 1e-4·|ref|.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { type OnnxCase, loadBackendCases, loadOrtCases } from "../helpers/onnx-cases.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

async function check(c: OnnxCase): Promise<void> {
  const layer = new RecurrentLayer(rt, c.spec);
  const out = await layer.run(c.X, { sequenceLens: c.seqLens, initialH: c.initialH, initialC: c.initialC });
  let compared = 0;
  for (const key of ["Y", "Y_h", "Y_c"] as const) {
    const expected = c.expected[key];
    if (!expected) continue;
    const got = out[key]!;
    expect(got.dims).toEqual(expected.dims);
    expectClose(got.data, expected.data, `${c.name} ${key}`);
    compared++;
  }
  expect(compared).toBeGreaterThan(0);
  layer.dispose();
}

describe("ONNX backend node tests (every case must pass)", () => {
  const cases = loadBackendCases();
  it("finds the 12 recurrent cases", () => expect(cases.map((c) => c.name)).toHaveLength(12));
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_, c) => check(c));
});

describe("onnxruntime fixtures", () => {
  it.each(loadOrtCases().map((c) => [c.name, c] as const))("%s", async (_, c) => check(c));
});
