// Real ONNX exports (test/fixtures/onnx/, scripts/fixtures/torch_onnx_export.py) loaded with
// rnn-wasm/onnx and run on every stored input set: every output must match PyTorch (float64
// reference) within 1e-5 + 1e-4·|ref|. Also what info() reports for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Feeds } from "../../src/model/rnn-model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { loadFixture, loadOnnxFixtures, onnxFixture } from "./onnx-fixtures.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const fixtures = loadOnnxFixtures();

describe("the fixture set", () => {
  it("has at least 15 models, torch exports at opsets 7–17 and onnx.helper nodes at 18–22", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    const opsets = new Set(fixtures.map((f) => f.opset));
    for (let o = 7; o <= 22; o++) expect(opsets.has(o), `opset ${o}`).toBe(true);
    expect(fixtures.filter((f) => f.exporter === "torch.onnx.export").length).toBeGreaterThanOrEqual(15);
    expect(fixtures.some((f) => f.external)).toBe(true);
  });

  it("dynamic-axes models carry runs at several sizes", () => {
    const dynamic = fixtures.filter((f) => f.dynamic && f.runs.length > 1);
    expect(dynamic.length).toBeGreaterThanOrEqual(12);
    for (const f of dynamic) {
      const shapes = new Set(f.runs.map((r) => JSON.stringify(Object.values(r.inputs)[0].dims)));
      expect(shapes.size, f.name).toBe(f.runs.length);
    }
  });
});

describe("every fixture matches PyTorch", () => {
  it.each(fixtures.map((f) => [f.name, f] as const))("%s", async (_, f) => {
    const model = await loadFixture(f, rt);
    try {
      // the first run again at the end: its shape-only values come from the cache then
      for (const [k, run] of [...f.runs.entries(), [0, f.runs[0]] as const]) {
        const out = await model.runNamed(run.inputs as Feeds);
        expect(Object.keys(out).sort()).toEqual(Object.keys(run.outputs).sort());
        for (const [name, expected] of Object.entries(run.outputs)) {
          expect(out[name].dims, `${f.name} run ${k} ${name} dims`).toEqual(expected.dims);
          expectClose(out[name].data, expected.data, `${f.name} run ${k} ${name}`);
        }
      }
    } finally {
      model.dispose();
    }
  });
});

describe("shape-only values", () => {
  it("are the initial-state and shape arithmetic of torch's exports, nothing computed from data", async () => {
    const model = await loadFixture(onnxFixture("frontend_o13"), rt);
    const { steps, shapeOnly } = model.plan;
    const outputsOf = (pick: (op: string, name: string) => boolean) => steps.filter((s) => pick(s.node.opType, s.node.name)).flatMap((s) => s.node.outputs);
    // the learned initial states expanded to the batch, and the chunk sizes of x.chunk(2)
    const byDims = outputsOf((op, name) => ["Shape", "ConstantOfShape", "Expand", "Equal"].includes(op) || name === "/Div_1");
    expect(byDims.length).toBeGreaterThan(10);
    for (const o of byDims) expect(shapeOnly.has(o), o).toBe(true);
    const byData = outputsOf((_, name) => ["/Sub", "/Div", "/Tanh", "/Sigmoid", "/lstm/LSTM", "/Greater", "/Where_2", "/fc/MatMul"].includes(name));
    expect(byData.length).toBeGreaterThanOrEqual(10);
    for (const o of byData) expect(shapeOnly.has(o), o).toBe(false);
    model.dispose();
  });
});

describe("info()", () => {
  it("describes the tagger: tokens in, Embedding → 2 BiLSTM → Linear → LogSoftmax, PyTorch's parameter count", async () => {
    const model = await loadFixture(onnxFixture("tagger_o17"), rt);
    const info = model.info();
    expect(info.format).toBe("onnx");
    expect(info.inputs).toEqual([{ name: "x", kind: "tokens", dims: ["B", "T"] }]);
    expect(info.outputs).toEqual([{ name: "y", kind: "features", dims: ["B", "T", 10] }]);
    const types = info.layers.map((l) => l.type);
    expect(types.filter((t) => t === "LSTM")).toHaveLength(2);
    expect(types).toContain("MatMul+Add");
    expect(types[types.length - 1]).toBe("LogSoftmax");
    const lstm = info.layers.find((l) => l.type === "LSTM")!;
    expect(lstm.detail).toMatch(/^bidirectional, I=16, H=12/);
    expect(lstm.kernels).toEqual(["f32_gemm_2x16", "f32_lstm_seq"]);
    expect(lstm.bytes).toBeGreaterThan(0);
    const embedding = info.layers.find((l) => l.type === "Gather" && l.parameters > 0)!;
    expect(embedding.parameters).toBe(50 * 16);
    // Embedding 50·16, LSTM layers 2·(4·12·16 + 4·12·12 + 2·4·12) and 2·(4·12·24 + 4·12·12 + 2·4·12), Linear 24·10 + 10
    expect(info.parameters).toBe(800 + 2880 + 3648 + 250);
    expect(info.bytes).toBeGreaterThan((2880 + 3648 + 250) * 4 * 0.9);
    expect(info.streamable).toBe(false);
    model.dispose();
  });

  it("describes the regressor: Gemm through the Dense kernel, streamable", async () => {
    const model = await loadFixture(onnxFixture("regressor_o12"), rt);
    const info = model.info();
    expect(info.inputs).toEqual([{ name: "x", kind: "features", dims: ["B", "T", 3] }]);
    const gemm = info.layers.find((l) => l.type === "Gemm")!;
    expect(gemm).toMatchObject({ detail: "16 → 1, with bias", parameters: 17, kernels: ["f32_gemm_2x16"] });
    expect(info.layers.find((l) => l.type === "LSTM")!.detail).toBe("forward, I=3, H=16, Sigmoid/Tanh/Tanh");
    expect(info.streamable).toBe(true);
    model.dispose();
  });

  it("lists only the nodes that run: weight reordering at opset 7 is folded at load", async () => {
    const f = onnxFixture("lstm_o7");
    const model = await loadFixture(f, rt);
    const types = model.info().layers.map((l) => l.type);
    expect(types).toContain("LSTM");
    expect(types.filter((t) => t === "Slice").length).toBeLessThan(3); // 12 weight Slices in the file
    expect(types).not.toContain("Constant");
    model.dispose();
  });
});
