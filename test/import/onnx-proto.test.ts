// ONNX protobuf decoding (src/import/onnx/proto.ts): the ONNX backend conformance files, tensors
// written every way onnx.proto allows, and malformed bytes.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelFormatError, UnsupportedError } from "../../src/errors.js";
import { type OnnxTensor, decodeModel, decodeTensor, readExternalData, tensorToFloat32, tensorToInt32 } from "../../src/import/onnx/proto.js";
import { DataType, ModelProto, TensorProto } from "../../src/import/onnx/schema.js";

const CONFORMANCE = new URL("../../../shared/conformance/onnx-backend/", import.meta.url);
const cases = readdirSync(CONFORMANCE).filter((d) => d.startsWith("test_")).sort();
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, CONFORMANCE)));
const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as Record<string, number>;
const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
/** A tensor's values as a plain array (numbers, or bigints for 64-bit integers). */
const plain = (t: OnnxTensor) => Array.from(t.data as ArrayLike<number | bigint>);

function encodeTensor(t: Record<string, unknown>): Uint8Array {
  return TensorProto.encode(TensorProto.fromObject(t)).finish();
}
function encodeModel(graph: Record<string, unknown>, extra: Record<string, unknown> = {}): Uint8Array {
  const model = { ir_version: 8, opset_import: [{ domain: "", version: 14 }], graph: { name: "g", ...graph }, ...extra };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
function f32Bytes(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}
function expectError(f: () => unknown, type: typeof ModelFormatError | typeof UnsupportedError, message?: RegExp) {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  if (message) expect((caught as Error).message).toMatch(message);
}

describe("ONNX backend conformance files", () => {
  it("finds the recurrent cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const dir of cases) {
    it(`decodes ${dir}`, () => {
      const model = decodeModel(read(`${dir}/model.onnx`));
      expect(model.irVersion).toBeGreaterThanOrEqual(3);
      expect(model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version).toBeGreaterThanOrEqual(7);
      const { graph } = model;
      expect(graph.nodes).toHaveLength(1);
      const node = graph.nodes[0];
      const op = dir.includes("lstm") ? "LSTM" : dir.includes("gru") ? "GRU" : "RNN";
      expect(node.opType).toBe(op);
      expect(node.domain).toBe("");
      const H = node.attributes.get("hidden_size");
      const hidden = H?.type === "int" ? H.value : 0;
      expect(hidden).toBeGreaterThan(0);
      for (const [name, a] of node.attributes) {
        expect(["hidden_size", "layout", "direction", "activations", "clip", "linear_before_reset", "input_forget"]).toContain(name);
        if (name === "layout") expect(a).toEqual({ type: "int", value: 1 });
      }
      // Graph inputs are the node's non-empty inputs, in order, with fixed float/int32 shapes.
      expect(graph.inputs.map((v) => v.name)).toEqual(node.inputs.filter((n) => n !== ""));
      expect(graph.outputs.map((v) => v.name)).toEqual(node.outputs.filter((n) => n !== ""));
      for (const v of graph.inputs) {
        expect(v.hasShape).toBe(true);
        expect(v.elemType).toBe(v.name === "sequence_lens" ? DataType.INT32 : DataType.FLOAT);
        for (const d of v.dims) expect(typeof d === "number" && d > 0).toBe(true);
      }
      const W = graph.inputs.find((v) => v.name === node.inputs[1])!;
      expect(W.dims).toEqual([1, GATES[op] * hidden, W.dims[2]]);

      // test_data_set_0: input_N / output_N are the graph's inputs / outputs by position.
      const files = readdirSync(new URL(`${dir}/test_data_set_0/`, CONFORMANCE)).sort();
      const inputs = files.filter((f) => f.startsWith("input_"));
      const outputs = files.filter((f) => f.startsWith("output_"));
      expect(inputs).toHaveLength(graph.inputs.length);
      expect(outputs).toHaveLength(graph.outputs.length);
      for (const [files_, infos] of [[inputs, graph.inputs], [outputs, graph.outputs]] as const) {
        files_.forEach((f, i) => {
          const t = decodeTensor(read(`${dir}/test_data_set_0/${f}`));
          expect(t.name).toBe(infos[i].name);
          if (infos[i].hasShape) expect(t.dims).toEqual(infos[i].dims);
          expect(t.data.length).toBe(count(t.dims));
          if (t.name === "sequence_lens") {
            expect(t.dataType).toBe(DataType.INT32);
            for (const len of tensorToInt32(t)) expect(len).toBeGreaterThanOrEqual(0);
          } else {
            expect(t.dataType).toBe(DataType.FLOAT);
            const values = tensorToFloat32(t);
            expect(values.every(Number.isFinite)).toBe(true);
            expect(Math.max(...values.map(Math.abs))).toBeLessThan(100);
          }
        });
      }
    });
  }
});

describe("tensors", () => {
  const values = [1.5, -2.25, 3e-8, 0, -0, 1e30, 7];

  it("decodes raw_data and float_data to the same values", () => {
    const dims = [values.length];
    const typed = decodeTensor(encodeTensor({ name: "t", dims, data_type: DataType.FLOAT, float_data: values }));
    const raw = decodeTensor(encodeTensor({ name: "t", dims, data_type: DataType.FLOAT, raw_data: f32Bytes(values) }));
    expect(raw).toEqual(typed);
    expect(raw.data).toBeInstanceOf(Float32Array);
    expect(plain(raw)).toEqual(Array.from(Float32Array.from(values)));
    expect(tensorToFloat32(raw)).toBe(raw.data);
  });

  it("reads raw_data at any byte offset", () => {
    for (const name of ["", "a", "ab", "abc"]) {
      const bytes = encodeTensor({ name, dims: [7], data_type: DataType.FLOAT, raw_data: f32Bytes(values) });
      for (let offset = 0; offset < 4; offset++) {
        const shifted = new Uint8Array(bytes.length + offset);
        shifted.set(bytes, offset);
        const t = decodeTensor(shifted.subarray(offset));
        expect(plain(t)).toEqual(Array.from(Float32Array.from(values)));
      }
    }
  });

  it("decodes int64, int32 and double tensors both ways", () => {
    const ints = [0, 1, -1, 2147483647, -2147483648, 3];
    const raw64 = new BigInt64Array(ints.map(BigInt));
    const a = decodeTensor(encodeTensor({ name: "i", dims: [2, 3], data_type: DataType.INT64, int64_data: ints }));
    const b = decodeTensor(encodeTensor({ name: "i", dims: [2, 3], data_type: DataType.INT64, raw_data: new Uint8Array(raw64.buffer) }));
    expect(a.data).toBeInstanceOf(BigInt64Array);
    expect(plain(a)).toEqual(Array.from(raw64));
    expect(b).toEqual(a);
    expect(Array.from(tensorToInt32(a))).toEqual(ints);
    expect(Array.from(tensorToFloat32(a))).toEqual(Array.from(Float32Array.from(ints)));

    const i32 = decodeTensor(encodeTensor({ name: "j", dims: [3], data_type: DataType.INT32, int32_data: [5, -6, 7] }));
    expect(i32.data).toEqual(Int32Array.from([5, -6, 7]));
    const doubles = [0.1, -1e300, 5];
    const d1 = decodeTensor(encodeTensor({ name: "d", dims: [3], data_type: DataType.DOUBLE, double_data: doubles }));
    const d2 = decodeTensor(encodeTensor({ name: "d", dims: [3], data_type: DataType.DOUBLE, raw_data: new Uint8Array(Float64Array.from(doubles).buffer) }));
    expect(plain(d1)).toEqual(doubles);
    expect(d2).toEqual(d1);
    expect(Array.from(tensorToFloat32(d1))).toEqual(Array.from(Float32Array.from(doubles)));
  });

  it("converts float16 bits and a scalar", () => {
    // 1.0, -2.0, 0.5, 65504 (max half), 2^-24 (smallest subnormal)
    const half = decodeTensor(encodeTensor({ name: "h", dims: [5], data_type: DataType.FLOAT16, int32_data: [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001] }));
    expect(Array.from(tensorToFloat32(half))).toEqual([1, -2, 0.5, 65504, 2 ** -24]);
    const scalar = decodeTensor(encodeTensor({ name: "s", data_type: DataType.FLOAT, float_data: [4] }));
    expect(scalar.dims).toEqual([]);
    expect(plain(scalar)).toEqual([4]);
  });

  it("checks conversions to int32", () => {
    const big = decodeTensor(encodeTensor({ name: "lens", dims: [2], data_type: DataType.INT64, int64_data: [1, 2 ** 40] }));
    expectError(() => tensorToInt32(big), ModelFormatError, /lens.*does not fit in int32/);
    const floats = decodeTensor(encodeTensor({ name: "f", dims: [1], data_type: DataType.FLOAT, float_data: [1] }));
    expectError(() => tensorToInt32(floats), ModelFormatError, /expected an integer tensor, found FLOAT/);
  });

  it("rejects data that disagree with the dims", () => {
    expectError(() => decodeTensor(encodeTensor({ name: "w", dims: [2, 3], data_type: DataType.FLOAT, float_data: [1, 2] })), ModelFormatError, /"w".*need 6 values in float_data, found 2/);
    expectError(() => decodeTensor(encodeTensor({ name: "w", dims: [2], data_type: DataType.FLOAT, raw_data: new Uint8Array(7) })), ModelFormatError, /need 8 bytes of raw_data, found 7/);
    expectError(() => decodeTensor(encodeTensor({ name: "w", dims: [-1], data_type: DataType.FLOAT })), ModelFormatError, /dims ≥ 0/);
    expectError(() => decodeTensor(encodeTensor({ name: "s", dims: [1], data_type: DataType.STRING, string_data: [new Uint8Array(1)] })), UnsupportedError, /STRING/);
  });

  it("reports external data by tensor and file", () => {
    const bytes = encodeTensor({
      name: "W", dims: [4], data_type: DataType.FLOAT, data_location: 1,
      external_data: [{ key: "location", value: "weights.bin" }, { key: "offset", value: "0" }],
    });
    expectError(() => decodeTensor(bytes), UnsupportedError, /tensor "W".*"weights\.bin"/);
  });
});

describe("models", () => {
  const node = (attribute: Record<string, unknown>[]) => ({ op_type: "Op", name: "n", input: ["x", ""], output: ["y"], attribute });

  it("decodes every attribute type, value infos and initializers", () => {
    const tensor = { name: "k", dims: [2], data_type: DataType.FLOAT, float_data: [1, 2] };
    const bytes = encodeModel({
      node: [node([
        { name: "f", type: 1, f: 0.25 },
        { name: "i", type: 2, i: -(2 ** 40) },
        { name: "s", type: 3, s: new TextEncoder().encode("héllo") },
        { name: "t", type: 4, t: tensor },
        { name: "g", type: 5, g: { name: "body", node: [{ op_type: "Identity", input: ["a"], output: ["b"] }] } },
        { name: "fs", type: 6, floats: [0.5, -1] },
        { name: "is", type: 7, ints: [1, 2, 3] },
        { name: "ss", type: 8, strings: [new TextEncoder().encode("Tanh"), new Uint8Array()] },
        { name: "legacy", i: 5 }, // IR version 1 attributes carry no type
      ])],
      initializer: [tensor],
      input: [{ name: "x", type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: "T" }, { dim_value: 3 }, {}] } } } }, { name: "u" }],
      output: [{ name: "y", type: { tensor_type: { elem_type: 1 } } }],
    });
    const { graph } = decodeModel(bytes);
    const n = graph.nodes[0];
    expect(n).toMatchObject({ name: "n", opType: "Op", domain: "", inputs: ["x", ""], outputs: ["y"] });
    const a = Object.fromEntries(n.attributes);
    expect(a.f).toEqual({ type: "float", value: 0.25 });
    expect(a.i).toEqual({ type: "int", value: -(2 ** 40) });
    expect(a.s).toEqual({ type: "string", value: "héllo" });
    expect(a.t).toEqual({ type: "tensor", value: { name: "k", dims: [2], dataType: 1, data: Float32Array.from([1, 2]) } });
    expect(a.g.type === "graph" && a.g.value.nodes[0].opType).toBe("Identity");
    expect(a.fs).toEqual({ type: "floats", value: [0.5, -1] });
    expect(a.is).toEqual({ type: "ints", value: [1, 2, 3] });
    expect(a.ss).toEqual({ type: "strings", value: ["Tanh", ""] });
    expect(a.legacy).toEqual({ type: "int", value: 5 });
    expect(graph.initializers).toEqual([a.t.type === "tensor" && a.t.value]);
    expect(graph.inputs).toEqual([
      { name: "x", elemType: 1, dims: ["T", 3, "?"], hasShape: true },
      { name: "u", elemType: 0, dims: [], hasShape: false },
    ]);
    expect(graph.outputs[0]).toEqual({ name: "y", elemType: 1, dims: [], hasShape: false });
  });

  it("saturates attribute ints beyond 2^53 (INT64_MAX is Slice's \"to the end\", which torch writes)", () => {
    const bytes = encodeModel({
      node: [node([
        { name: "big", type: 2, i: "9223372036854775807" },
        { name: "ends", type: 7, ints: ["9223372036854775807", "-9223372036854775808", 5] },
      ])],
    });
    const a = decodeModel(bytes).graph.nodes[0].attributes;
    expect(a.get("big")).toEqual({ type: "int", value: Number.MAX_SAFE_INTEGER });
    expect(a.get("ends")).toEqual({ type: "ints", value: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 5] });
  });

  it("rejects other int64 fields beyond 2^53", () => {
    const bytes = encodeModel({}, { ir_version: "9223372036854775807" });
    expectError(() => decodeModel(bytes), ModelFormatError, /ir_version.*within ±2\^53, found 9223372036854775807/);
  });

  it("defers external data to readExternalData, which checks the byte range", () => {
    const W = {
      name: "W", dims: [2], data_type: DataType.FLOAT, data_location: 1,
      external_data: [{ key: "location", value: "w.bin" }, { key: "offset", value: "4" }, { key: "length", value: "8" }],
    };
    const t = decodeModel(encodeModel({ initializer: [W] })).graph.initializers[0];
    expect(t.external).toEqual({ location: "w.bin", offset: 4, length: 8 });
    expect(t.data).toHaveLength(0);
    const file = new Uint8Array([0, 0, 0, 0, ...f32Bytes([1.5, -2])]);
    expect(readExternalData(t, file)).toEqual({ name: "W", dims: [2], dataType: DataType.FLOAT, data: Float32Array.from([1.5, -2]) });
    expectError(() => readExternalData(t, file.subarray(0, 10)), ModelFormatError, /"w\.bin".*bytes 4\.\.12 of the file, which has 10 bytes/);
    const short = decodeModel(encodeModel({ initializer: [{ ...W, external_data: [{ key: "location", value: "w.bin" }, { key: "length", value: "4" }] }] })).graph.initializers[0];
    expectError(() => readExternalData(short, file), ModelFormatError, /need 8 bytes, the external range holds 4/);
    const bad = { ...W, external_data: [{ key: "location", value: "w.bin" }, { key: "offset", value: "-1" }] };
    expectError(() => decodeModel(encodeModel({ initializer: [bad] })), ModelFormatError, /offset: expected a byte count, found "-1"/);
    expectError(() => decodeModel(encodeModel({ initializer: [{ ...W, external_data: [] }] })), ModelFormatError, /names no location/);
  });

  it("rejects invalid UTF-8 and duplicate attributes", () => {
    expectError(() => decodeModel(encodeModel({ node: [node([{ name: "s", type: 3, s: new Uint8Array([0xff, 0xfe]) }])] })), ModelFormatError, /UTF-8/);
    const twice = [{ name: "a", type: 2, i: 1 }, { name: "a", type: 2, i: 2 }];
    expectError(() => decodeModel(encodeModel({ node: [node(twice)] })), ModelFormatError, /"a" appears twice/);
  });

  it("rejects models without a graph or opset_import", () => {
    expectError(() => decodeModel(ModelProto.encode({ ir_version: 8, opset_import: [{ version: 14 }] }).finish()), ModelFormatError, /graph/);
    expectError(() => decodeModel(encodeModel({}, { opset_import: [] })), ModelFormatError, /opset_import/);
    expectError(() => decodeModel(new Uint8Array()), ModelFormatError, /ir_version/);
  });
});

describe("no code generation", () => {
  // protobufjs compiles its reflection decoders with Function(); Cloudflare Workers and pages
  // with a strict Content-Security-Policy forbid that, so the importer decodes with wire.ts.
  it("decodes models and tensors without calling Function", () => {
    const original = globalThis.Function;
    const calls: string[] = [];
    globalThis.Function = function (...args: string[]) {
      calls.push(args.join(", ").slice(0, 60));
      throw new Error("code generation from strings is disallowed");
    } as unknown as FunctionConstructor;
    try {
      for (const dir of cases) {
        decodeModel(read(`${dir}/model.onnx`));
        decodeTensor(read(`${dir}/test_data_set_0/input_0.pb`));
      }
    } finally {
      globalThis.Function = original;
    }
    expect(calls).toEqual([]);
  });
});

describe("malformed bytes", () => {
  const model = read("test_lstm_with_peepholes/model.onnx");
  const tensor = read("test_lstm_with_peepholes/test_data_set_0/input_1.pb");

  it("every truncation of a model or a tensor is a ModelFormatError", () => {
    for (let n = 0; n < model.length; n++) expectError(() => decodeModel(model.subarray(0, n)), ModelFormatError);
    for (let n = 0; n < tensor.length; n++) expectError(() => decodeTensor(tensor.subarray(0, n)), ModelFormatError);
    expectError(() => decodeModel(model.subarray(0, model.length - 1)), ModelFormatError, /ONNX model: the \d+ bytes are not a valid ModelProto \(protobuf: .+\)/);
  });

  it("garbage is a ModelFormatError, never a bare protobufjs error", () => {
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const inputs = [
      new TextEncoder().encode("hello, this is not an ONNX model"),
      new TextEncoder().encode('{"ir_version": 8}'),
      new Uint8Array(64),
      new Uint8Array(64).fill(0xff),
      ...Array.from({ length: 50 }, (_, k) => Uint8Array.from({ length: 10 + k * 7 }, random)),
    ];
    for (const bytes of inputs) {
      expectError(() => decodeModel(bytes), ModelFormatError);
      expectError(() => decodeTensor(bytes), ModelFormatError);
    }
    expectError(() => decodeModel("model.onnx" as unknown as Uint8Array), ModelFormatError, /Uint8Array/);
  });
});
