// The graph executor's host ops, one small ONNX model each (encoded here with protobufjs),
// against values worked out by hand or by a plain loop: the opset-dependent forms (Slice,
// Split, Squeeze/Unsqueeze, Softmax), broadcasting, Gemm/MatMul off the Dense path, and what
// the exporters seldom write (negative steps, uneven splits, allowzero).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnsupportedError, loadModel } from "../../src/import/onnx/index.js";
import { ModelProto } from "../../src/import/onnx/schema.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;
type In = { dims: number[]; data: number[]; type?: number; constant?: boolean };
type Attr = Record<string, unknown>;
const int = (name: string, i: number): Attr => ({ name, type: 2, i });
const ints = (name: string, v: number[] | string[]): Attr => ({ name, type: 7, ints: v });
const flt = (name: string, f: number): Attr => ({ name, type: 1, f });

function tensorMsg(name: string, x: In) {
  const t = x.type ?? FLOAT;
  const base = { name, dims: x.dims, data_type: t };
  return t === FLOAT ? { ...base, float_data: x.data } : t === INT64 ? { ...base, int64_data: x.data } : { ...base, int32_data: x.data };
}

/** Runs one node: inputs by name (constant ones become initializers); returns the outputs. */
async function run(op: string, inputs: Record<string, In | null>, attribute: Attr[] = [], opset = 14, outputs = ["y"]) {
  const names = Object.keys(inputs);
  const graph = {
    name: "g",
    node: [{ op_type: op, name: "n", input: names.map((n) => (inputs[n] ? n : "")), output: outputs, attribute }],
    initializer: names.filter((n) => inputs[n]?.constant).map((n) => tensorMsg(n, inputs[n]!)),
    input: names.filter((n) => inputs[n] && !inputs[n]!.constant).map((n) => ({ name: n, type: { tensor_type: { elem_type: inputs[n]!.type ?? FLOAT } } })),
    output: outputs.map((o) => ({ name: o })),
  };
  const bytes = ModelProto.encode(ModelProto.fromObject({ ir_version: 8, opset_import: [{ domain: "", version: opset }], graph })).finish();
  const model = await loadModel(bytes, { runtime: rt });
  const feeds = Object.fromEntries(names.filter((n) => inputs[n] && !inputs[n]!.constant).map((n) => [n, { data: inputs[n]!.data, dims: inputs[n]!.dims }]));
  const out = await model.runNamed(feeds as never);
  model.dispose();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dims: [...v.dims], data: Array.from(v.data) }]));
}

const iota = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const x = (dims: number[], data = iota(dims.reduce((a, b) => a * b, 1))): In => ({ dims, data });
const c = (dims: number[], data: number[], type = FLOAT): In => ({ dims, data, type, constant: true });

describe("slicing and splitting", () => {
  it("Slice with inputs (opset 10+): negative steps and INT64 sentinels", async () => {
    const { y } = await run("Slice", { x: x([2, 5]), s: c([1], [-1], INT64), e: c([1], ["-9223372036854775807" as never], INT64), a: c([1], [1], INT64), st: c([1], [-2], INT64) });
    expect(y).toEqual({ dims: [2, 3], data: [4, 2, 0, 9, 7, 5] });
  });

  it("Slice with attributes (opset < 10)", async () => {
    const { y } = await run("Slice", { x: x([3, 2]) }, [ints("starts", [1]), ints("ends", ["9223372036854775807"]), ints("axes", [0])], 9);
    expect(y).toEqual({ dims: [2, 2], data: [2, 3, 4, 5] });
  });

  it("Split: split attribute (11), split input (13), num_outputs with an uneven last part (18)", async () => {
    expect(await run("Split", { x: x([7]) }, [ints("split", [4, 3])], 11, ["a", "b"])).toEqual({ a: { dims: [4], data: [0, 1, 2, 3] }, b: { dims: [3], data: [4, 5, 6] } });
    expect(await run("Split", { x: x([2, 3]), s: c([2], [1, 2], INT64) }, [int("axis", -1)], 13, ["a", "b"])).toEqual({
      a: { dims: [2, 1], data: [0, 3] }, b: { dims: [2, 2], data: [1, 2, 4, 5] },
    });
    const three = await run("Split", { x: x([7]) }, [int("num_outputs", 3)], 18, ["a", "b", "c"]);
    expect([three.a.data, three.b.data, three.c.data]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("Gather along axis 1 with negative indices; Concat along a negative axis", async () => {
    expect((await run("Gather", { d: x([2, 3]), i: c([2], [-1, 0], INT64) }, [int("axis", 1)])).y).toEqual({ dims: [2, 2], data: [2, 0, 5, 3] });
    expect((await run("Concat", { a: x([2, 1]), b: x([2, 2], [7, 8, 9, 10]) }, [int("axis", -1)])).y).toEqual({ dims: [2, 3], data: [0, 7, 8, 1, 9, 10] });
  });
});

describe("shapes", () => {
  it("Reshape with 0, −1 and allowzero; Shape with start/end; Flatten; Transpose's default perm", async () => {
    expect((await run("Reshape", { x: x([2, 3, 4]), s: c([2], [0, -1], INT64) })).y.dims).toEqual([2, 12]);
    expect((await run("Reshape", { x: x([0, 3]), s: c([2], [3, 0], INT64) }, [int("allowzero", 1)])).y.dims).toEqual([3, 0]);
    expect((await run("Shape", { x: x([2, 3, 4, 5]) }, [int("start", 1), int("end", -1)], 15)).y).toEqual({ dims: [2], data: [3, 4] });
    expect((await run("Flatten", { x: x([2, 3, 4]) }, [int("axis", 0)])).y.dims).toEqual([1, 24]);
    expect((await run("Transpose", { x: x([2, 3]) })).y).toEqual({ dims: [3, 2], data: [0, 3, 1, 4, 2, 5] });
  });

  it("Squeeze without axes (11), Unsqueeze with an axes input (13), Expand", async () => {
    expect((await run("Squeeze", { x: x([1, 2, 1, 3]) }, [], 11)).y.dims).toEqual([2, 3]);
    expect((await run("Unsqueeze", { x: x([2, 3]), a: c([2], [-1, 0], INT64) }, [], 13)).y.dims).toEqual([1, 2, 3, 1]);
    expect((await run("Expand", { x: x([3, 1]), s: c([3], [2, 1, 2], INT64) })).y).toEqual({ dims: [2, 3, 2], data: [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2] });
  });
});

describe("elementwise", () => {
  it("broadcasts, divides integers toward zero, compares and selects", async () => {
    expect((await run("Add", { a: x([2, 3]), b: c([3], [10, 20, 30]) })).y.data).toEqual([10, 21, 32, 13, 24, 35]);
    expect((await run("Div", { a: { dims: [3], data: [-7, 7, 9], type: INT64 }, b: c([1], [2], INT64) })).y.data).toEqual([-3, 3, 4]);
    expect((await run("Greater", { a: x([3]), b: c([], [1]) })).y.data).toEqual([0, 0, 1]);
    const w = await run("Where", { c: { dims: [2, 1], data: [1, 0], type: BOOL }, a: x([3]), b: c([], [-1]) });
    expect(w.y).toEqual({ dims: [2, 3], data: [0, 1, 2, -1, -1, -1] });
    const s = await run("Sigmoid", { a: { dims: [3], data: [-100, 0, 3] } });
    expectClose(s.y.data, [1 / (1 + Math.exp(100)), 0.5, 1 / (1 + Math.exp(-3))], "Sigmoid");
  });

  it("Cast truncates floats toward zero; an unsupported target fails at load", async () => {
    expect((await run("Cast", { a: { dims: [3], data: [-1.7, 2.9, 0.2] } }, [int("to", INT64)])).y.data).toEqual([-1, 2, 0]);
    expect((await run("Cast", { a: { dims: [2], data: [0, -0.5] } }, [int("to", BOOL)])).y.data).toEqual([0, 1]);
    await expect(run("Cast", { a: x([2]) }, [int("to", 10)])).rejects.toThrow(UnsupportedError);
  });

  it("Constant forms and ConstantOfShape fold at load", async () => {
    const graphOut = await run("ConstantOfShape", { s: c([2], [2, 2], INT64) }, [{ name: "value", type: 4, t: { dims: [1], data_type: INT64, int64_data: [7] } }]);
    expect(graphOut.y).toEqual({ dims: [2, 2], data: [7, 7, 7, 7] });
    expect((await run("Constant", {}, [ints("value_ints", [3, 4])])).y).toEqual({ dims: [2], data: [3, 4] });
    expect((await run("Constant", {}, [flt("value_float", 0.5)])).y).toEqual({ dims: [], data: [0.5] });
  });
});

describe("softmax and products", () => {
  const soft = (v: number[]) => v.map((a) => Math.exp(a) / v.reduce((s, b) => s + Math.exp(b), 0));
  const data = [1, 2, 3, 4, 0.5, -1, 2, 0];

  it("Softmax before opset 13 normalizes the flattened trailing axes; from 13 one axis", async () => {
    expectClose((await run("Softmax", { a: x([2, 2, 2], data) }, [int("axis", 1)], 11)).y.data, [...soft(data.slice(0, 4)), ...soft(data.slice(4))], "Softmax-11");
    const along = (await run("LogSoftmax", { a: x([2, 2, 2], data) }, [int("axis", 1)], 13)).y.data;
    // axis 1 of [2, 2, 2]: pairs (o·4 + s, o·4 + 2 + s)
    const expected = new Array<number>(8);
    for (const o of [0, 1]) {
      for (const k of [0, 1]) {
        const pair = [data[o * 4 + k], data[o * 4 + 2 + k]];
        soft(pair).forEach((p, j) => (expected[o * 4 + j * 2 + k] = Math.log(p)));
      }
    }
    expectClose(along, expected, "LogSoftmax-13");
  });

  it("Gemm with transA, alpha, beta and a full C; MatMul of two computed operands (batched, broadcast)", async () => {
    const A = iota(6).map((v) => v / 4 - 0.5); // A stored [K=3, M=2]; transA → [2, 3]
    const B = [1, -1, 0.5, 2, 0, 1]; // [3, 2]
    const C = [0.25, -0.5, 1, 2]; // [2, 2]
    const ref = [0, 1].flatMap((m) => [0, 1].map((n) => 0.5 * [0, 1, 2].reduce((s, k) => s + A[k * 2 + m] * B[k * 2 + n], 0) + 2 * C[m * 2 + n]));
    for (const constantB of [true, false]) {
      const b: In = constantB ? c([3, 2], B) : { dims: [3, 2], data: B };
      const { y } = await run("Gemm", { a: { dims: [3, 2], data: A }, b, cc: c([2, 2], C) }, [int("transA", 1), flt("alpha", 0.5), flt("beta", 2)]);
      expect(y.dims).toEqual([2, 2]);
      expectClose(y.data, ref, `Gemm (constant B: ${constantB})`);
    }
    const a = iota(2 * 3 * 4).map((v) => Math.sin(v));
    const b = iota(4 * 5).map((v) => Math.cos(v));
    const { y } = await run("MatMul", { a: x([2, 3, 4], a), b: x([4, 5], b) });
    expect(y.dims).toEqual([2, 3, 5]);
    expectClose(y.data, iota(30).map((i) => [0, 1, 2, 3].reduce((s, k) => s + a[Math.floor(i / 5) * 4 + k] * b[k * 5 + (i % 5)], 0)), "MatMul");
  });
});
