// ONNX LSTM / GRU / RNN node → layer spec (src/import/onnx/recurrent-node.ts): attributes,
// defaults, errors, and end to end against the ONNX backend data and onnxruntime's outputs
// through the f64 reference (test/reference/recurrent.ts).
import { describe, expect, it } from "vitest";
import { ModelFormatError, ShapeError, UnsupportedError } from "../../src/errors.js";
import type { OnnxAttribute, OnnxNode } from "../../src/import/onnx/proto.js";
import { recurrentInputNames, recurrentOutputNames, recurrentSpecFromNode } from "../../src/import/onnx/recurrent-node.js";
import { normalizeSpec } from "../../src/layers/spec.js";
import { expectClose } from "../helpers/fixture-io.js";
import { loadBackendCases, loadOrtCases } from "../helpers/onnx-cases.js";
import { referenceRecurrent } from "../reference/recurrent.js";

type AttrValue = number | string | number[] | string[];
const FLOAT_ATTRS = new Set(["clip"]);

function node(opType: string, attrs: Record<string, AttrValue | OnnxAttribute>, inputs = ["X", "W", "R"], outputs = ["Y", "Y_h"]): OnnxNode {
  const attributes = new Map<string, OnnxAttribute>();
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "object" && !Array.isArray(v)) attributes.set(k, v);
    else if (typeof v === "string") attributes.set(k, { type: "string", value: v });
    else if (Array.isArray(v) && typeof v[0] === "string") attributes.set(k, { type: "strings", value: v as string[] });
    else if (Array.isArray(v)) attributes.set(k, { type: "floats", value: v as number[] });
    else attributes.set(k, FLOAT_ATTRS.has(k) ? { type: "float", value: v } : { type: "int", value: v });
  }
  return { name: "rnn0", opType, domain: "", inputs, outputs, attributes };
}

const G = { LSTM: 4, GRU: 3, RNN: 1 } as Record<string, number>;
/** Zero weights of the right size for op, dirs, I, H, and their dims. */
function weights(op: string, dirs: number, I: number, H: number) {
  const g = G[op];
  return [
    { W: new Float32Array(dirs * g * H * I), R: new Float32Array(dirs * g * H * H) },
    { W: [dirs, g * H, I], R: [dirs, g * H, H] },
  ] as const;
}
function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("recurrentSpecFromNode", () => {
  it("maps every LSTM attribute", () => {
    const [w, dims] = weights("LSTM", 2, 5, 3);
    const B = new Float32Array(2 * 8 * 3);
    const P = new Float32Array(2 * 3 * 3);
    const spec = recurrentSpecFromNode(
      node("LSTM", {
        hidden_size: 3, direction: "bidirectional", clip: 1.5, input_forget: 1, layout: 1,
        activations: ["HardSigmoid", "Tanh", "ScaledTanh", "Sigmoid", "Elu", "Affine"],
        activation_alpha: [0.25, 1.5, 0.5, 2], activation_beta: [0.75, 0.5],
      }),
      { ...w, B, P }, dims,
    );
    expect(spec).toEqual({
      cell: "lstm", inputSize: 5, hiddenSize: 3, direction: "bidirectional", W: w.W, R: w.R, B, P,
      clip: 1.5, inputForget: true, layout: 1,
      activations: [
        // alpha and beta are handed out in order, across both directions
        { name: "HardSigmoid", alpha: 0.25, beta: 0.75 },
        { name: "Tanh", alpha: 0, beta: 0 },
        { name: "ScaledTanh", alpha: 1.5, beta: 0.5 },
        { name: "Sigmoid", alpha: 0, beta: 0 },
        { name: "Elu", alpha: 0.5, beta: 0 },
        // beta ran out: Affine keeps its default 0
        { name: "Affine", alpha: 2, beta: 0 },
      ],
    });
    expect(() => normalizeSpec(spec)).not.toThrow();
  });

  it("uses the defaults when attributes are absent", () => {
    const [w, dims] = weights("GRU", 1, 2, 4);
    const spec = recurrentSpecFromNode(node("GRU", { hidden_size: 4 }), w, dims);
    expect(spec).toEqual({
      cell: "gru", inputSize: 2, hiddenSize: 4, direction: "forward", W: w.W, R: w.R, layout: 0, linearBeforeReset: false,
      activations: [{ name: "Sigmoid", alpha: 0, beta: 0 }, { name: "Tanh", alpha: 0, beta: 0 }],
    });
    const [w2, dims2] = weights("RNN", 2, 3, 2);
    expect(recurrentSpecFromNode(node("RNN", { hidden_size: 2, direction: "bidirectional" }), w2, dims2).activations).toEqual([
      { name: "Tanh", alpha: 0, beta: 0 },
      { name: "Tanh", alpha: 0, beta: 0 },
    ]);
  });

  it("fills short or missing alpha/beta lists with the defaults", () => {
    const [w, dims] = weights("LSTM", 1, 1, 1);
    const spec = recurrentSpecFromNode(node("LSTM", { hidden_size: 1, activations: ["leakyrelu", "HARDSIGMOID", "ThresholdedRelu"] }), w, dims);
    expect(spec.activations).toEqual([
      { name: "LeakyRelu", alpha: 0.01, beta: 0 },
      { name: "HardSigmoid", alpha: 0.2, beta: 0.5 },
      { name: "ThresholdedRelu", alpha: 0, beta: 0 },
    ]);
    const [w2, dims2] = weights("RNN", 2, 1, 1);
    const bidi = recurrentSpecFromNode(node("RNN", { hidden_size: 1, direction: "bidirectional", activations: ["LeakyRelu", "LeakyRelu"], activation_alpha: [0.5] }), w2, dims2);
    expect(bidi.activations).toEqual([{ name: "LeakyRelu", alpha: 0.5, beta: 0 }, { name: "LeakyRelu", alpha: 0.01, beta: 0 }]);
  });

  it("maps GRU linear_before_reset and infers a missing hidden_size from R", () => {
    const [w, dims] = weights("GRU", 1, 3, 5);
    const spec = recurrentSpecFromNode(node("GRU", { linear_before_reset: 1, direction: "reverse" }), w, dims);
    expect(spec).toMatchObject({ hiddenSize: 5, inputSize: 3, direction: "reverse", linearBeforeReset: true });
  });

  it("rejects unknown attributes, listing them", () => {
    const [w, dims] = weights("GRU", 1, 3, 5);
    const e = errorOf(() => recurrentSpecFromNode(node("GRU", { hidden_size: 5, input_forget: 1, foo: 2 }), w, dims));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/attributes input_forget, foo/);
  });

  it("rejects malformed attributes and weights", () => {
    const [w, dims] = weights("LSTM", 1, 3, 2);
    const lstm = (attrs: Record<string, AttrValue | OnnxAttribute>) => () => recurrentSpecFromNode(node("LSTM", { hidden_size: 2, ...attrs }), w, dims);
    const cases: [() => unknown, new (message: string) => Error, RegExp][] = [
      [lstm({ direction: "sideways" }), ModelFormatError, /direction.*"sideways"/],
      [lstm({ direction: "bidirectional" }), ShapeError, /expected W \[2, 4·2, input_size\].*found W \[1, 8, 3\]/],
      [lstm({ activations: ["Sigmoid", "Tanh"] }), ModelFormatError, /expected 3 names.*found 2/],
      [lstm({ activations: ["Sigmoid", "Gelu", "Tanh"] }), UnsupportedError, /Gelu/],
      [lstm({ clip: 0 }), ModelFormatError, /clip: expected a positive number, found 0/],
      [lstm({ layout: 2 }), ModelFormatError, /layout: expected 0 or 1, found 2/],
      [lstm({ clip: { type: "ints", value: [1] } }), ModelFormatError, /clip: expected type float, found ints/],
      [lstm({ hidden_size: 3 }), ShapeError, /hidden_size/],
      [lstm({ hidden_size: 0 }), ModelFormatError, /hidden_size: expected a positive integer/],
    ];
    for (const [f, type, message] of cases) {
      const e = errorOf(f);
      expect(e, message.source).toBeInstanceOf(type);
      expect(e.message).toMatch(message);
    }
    // Three names for a bidirectional LSTM: onnxruntime rejects this too.
    const [w2, dims2] = weights("LSTM", 2, 3, 2);
    const e = errorOf(() => recurrentSpecFromNode(node("LSTM", { hidden_size: 2, direction: "bidirectional", activations: ["Sigmoid", "Tanh", "Tanh"] }), w2, dims2));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/expected 6 names \(3 per direction/);
    const other = errorOf(() => recurrentSpecFromNode(node("Conv", {}), w, dims));
    expect(other).toBeInstanceOf(UnsupportedError);
  });
});

describe("recurrentInputNames / recurrentOutputNames", () => {
  it("names inputs and outputs by position, skipping empty names", () => {
    const n = node("LSTM", {}, ["x", "w", "r", "", "lens", "", "c0", "p"], ["", "hn", "cn"]);
    expect(recurrentInputNames(n)).toEqual({ X: "x", W: "w", R: "r", sequence_lens: "lens", initial_c: "c0", P: "p" });
    expect(recurrentOutputNames(n)).toEqual({ Y_h: "hn", Y_c: "cn" });
    expect(recurrentInputNames(node("GRU", {}, ["x", "w", "r", "b"]))).toEqual({ X: "x", W: "w", R: "r", B: "b" });
    expect(recurrentOutputNames(node("RNN", {}, undefined, ["y"]))).toEqual({ Y: "y" });
  });

  it("rejects missing required inputs and surplus inputs", () => {
    expect(errorOf(() => recurrentInputNames(node("GRU", {}, ["x", "", "r"])))).toBeInstanceOf(ModelFormatError);
    const e = errorOf(() => recurrentInputNames(node("GRU", {}, ["x", "w", "r", "", "", "", "c0"])));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/at most 6 inputs/);
    expect(errorOf(() => recurrentOutputNames(node("RNN", {}, undefined, ["y", "h", "c"])))).toBeInstanceOf(ModelFormatError);
  });
});

describe("end to end through the f64 reference", () => {
  // The same cases run through the WebAssembly kernels in test/layers/onnx.test.ts.
  const cases = [...loadBackendCases(), ...loadOrtCases()];
  it("loads the ONNX backend cases and the onnxruntime fixtures", () => {
    expect(loadBackendCases().length).toBe(12);
    expect(loadOrtCases().length).toBeGreaterThanOrEqual(70);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const ref = referenceRecurrent(c.spec, { X: c.X.data, T: c.T, B: c.B, seqLens: c.seqLens, initialH: c.initialH?.data, initialC: c.initialC?.data });
    let compared = 0;
    for (const key of ["Y", "Y_h", "Y_c"] as const) {
      const expected = c.expected[key];
      if (!expected) continue;
      expectClose(ref[key]!, expected.data, `${c.name} ${key}`, 1e-5, 1e-5);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
