// rnn-wasm/onnx on bad input: every failure is a typed error that names the problem —
// unsupported ops (all of them, in one message), opsets, files that are not ONNX or are cut
// short, missing weights and external files, weights whose dims contradict the node, bad
// feeds — plus the sources loadModel accepts (bytes, URLs with external data beside them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DisposedError, InvalidArgumentError, ModelFormatError, RnnWasmError, ShapeError, UnsupportedError, loadModel,
} from "../../src/import/onnx/index.js";
import { ModelProto } from "../../src/import/onnx/schema.js";
import type { Feeds } from "../../src/model/rnn-model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { ONNX_FIXTURE_DIR, loadFixture, onnxFixture, readFixtureFile, sliceAxis } from "./onnx-fixtures.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

type ErrorClass = new (...args: never[]) => Error;
async function expectError(p: Promise<unknown> | (() => unknown), type: ErrorClass, message?: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  if (message) expect((caught as Error).message).toMatch(message);
  return caught as Error;
}

const load = (bytes: Uint8Array) => loadModel(bytes, { runtime: rt });
const node = (op_type: string, name: string, input: string[], output: string[], extra: Record<string, unknown> = {}) => ({ op_type, name, input, output, ...extra });
const vi = (name: string, dims: (number | string)[], elem_type = 1) => ({
  name, type: { tensor_type: { elem_type, shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) } } },
});
function model(graph: Record<string, unknown>, opset = 14): Uint8Array {
  const m = { ir_version: 8, opset_import: [{ domain: "", version: opset }], graph: { name: "g", ...graph } };
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}
/** A fixture's ModelProto, changed by `edit` and encoded again. */
function edited(name: string, edit: (m: { graph: { node: { op_type: string; input: string[] }[]; initializer: { name: string; dims: number[]; raw_data: Uint8Array }[]; input: unknown[] } }) => void): Uint8Array {
  const m = ModelProto.decode(onnxFixture(name).bytes) as never;
  edit(m);
  return ModelProto.encode(m).finish();
}

describe("unsupported ops", () => {
  it("one UnsupportedError lists every unsupported op and its nodes", async () => {
    const bytes = model({
      node: [
        node("Relu", "n1", ["x"], ["a"]),
        node("Foo", "n3", ["a"], ["b"]),
        node("Bar", "n7", ["b"], ["c"]),
        node("Bar", "n9", ["c"], ["d"]),
        node("Baz", "n10", ["d"], ["e"], { domain: "com.microsoft" }),
        node("Where", "n11", ["e", "e", "e"], ["f"]),
      ],
      input: [vi("x", [2])], output: [vi("f", [2])],
    }, 8);
    await expectError(load(bytes), UnsupportedError,
      /^unsupported ONNX ops: Foo \(node n3\), Bar \(nodes n7, n9\), com\.microsoft\.Baz \(node n10\), Where \(node n11; it needs opset ≥ 9, the model imports 8\)$/);
  });

  it("opsets outside 7–22 and unknown recurrent attributes", async () => {
    const relu = { node: [node("Relu", "r", ["x"], ["y"])], input: [vi("x", [2])], output: [vi("y", [2])] };
    await expectError(load(model(relu, 6)), UnsupportedError, /opset 6.*7–22/);
    await expectError(load(model(relu, 23)), UnsupportedError, /opset 23/);
    const odd = edited("rnn_relu_o18", (m) => {
      (m.graph.node[0] as unknown as { attribute: unknown[] }).attribute.push({ name: "output_sequence", type: 2, i: 1 });
    });
    await expectError(load(odd), UnsupportedError, /unsupported attribute output_sequence/);
  });

  it("recurrent weights computed at run time", async () => {
    const bytes = edited("rnn_relu_o18", (m) => {
      m.graph.initializer = m.graph.initializer.filter((t) => t.name !== "W");
      m.graph.input.push(vi("W", [1, 5, 3]));
    });
    await expectError(load(bytes), UnsupportedError, /RNN node "rnn_node": W \("W"\) is computed at run time/);
  });
});

describe("files that are not (whole) ONNX models", () => {
  const bytes = onnxFixture("tagger_o17").bytes;

  it("truncated files are ModelFormatErrors", async () => {
    for (const n of [0, 1, 10, 100, bytes.length >> 2, bytes.length >> 1, bytes.length - 100, bytes.length - 1]) {
      await expectError(load(bytes.subarray(0, n)), ModelFormatError);
    }
  });

  it("other formats are named by what they look like", async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const safetensors = new Uint8Array([...new Uint8Array(new BigUint64Array([20n]).buffer), ...enc('{"w":{"dtype":"F32"}}')]);
    await expectError(load(new Uint8Array([0x50, 0x4b, 3, 4, ...bytes.subarray(0, 60)])), ModelFormatError, /not an ONNX model.*zip archive/);
    await expectError(load(new Uint8Array([0x89, ...enc("HDF\r\n\x1a\n"), 0, 0, 0, 0])), ModelFormatError, /HDF5/);
    await expectError(load(enc('{"format": "layers-model", "modelTopology": {}}')), ModelFormatError, /JSON text/);
    await expectError(load(safetensors), ModelFormatError, /safetensors/);
    await expectError(load(Uint8Array.from({ length: 200 }, (_, i) => (i * 7919) & 255)), ModelFormatError);
    await expectError(load(new Uint8Array()), ModelFormatError, /empty/);
  });
});

describe("corrupted files", () => {
  it("flipped bytes give a working model or a typed error, never a bare one (seeded)", async () => {
    let seed = 20240901;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const untyped: string[] = [];
    const check = (e: unknown) => {
      if (!(e instanceof RnnWasmError) || e.code === "RUNTIME") untyped.push(String(e));
    };
    for (const name of ["lstm_o7", "tagger_o17", "frontend_o13", "gru_bi_lens_o20"]) {
      const f = onnxFixture(name);
      for (let k = 0; k < 40; k++) {
        const bytes = f.bytes.slice();
        for (let j = 1 + Math.floor(random() * 6); j > 0; j--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        try {
          const m = await load(bytes);
          await m.runNamed(f.runs[0].inputs as Feeds).catch(check);
          m.dispose();
        } catch (e) {
          check(e);
        }
      }
    }
    expect(untyped).toEqual([]);
  });
});

describe("missing or contradictory weights", () => {
  it("a node input that names nothing", async () => {
    const bytes = edited("lstm_o14", (m) => {
      const lstm = m.graph.node.find((n) => n.op_type === "LSTM")!;
      m.graph.initializer = m.graph.initializer.filter((t) => t.name !== lstm.input[1]);
    });
    await expectError(load(bytes), ModelFormatError, /LSTM node "\/rnn\/LSTM" input "onnx::LSTM_\d+": names no initializer, graph input or node output/);
  });

  it("weights whose dims contradict the node", async () => {
    const R = edited("rnn_relu_o18", (m) => {
      const t = m.graph.initializer.find((x) => x.name === "R")!;
      t.dims = [1, 5, 4];
      t.raw_data = t.raw_data.subarray(0, 5 * 4 * 4);
    });
    await expectError(load(R), ShapeError, /RNN node "rnn_node": expected W \[1, 1·5, input_size\] and R \[1, 1·5, 5\].*found W \[1, 5, 3\] and R \[1, 5, 4\]/);
    const B = edited("rnn_relu_o18", (m) => {
      const t = m.graph.initializer.find((x) => x.name === "B")!;
      t.dims = [1, 8];
      t.raw_data = t.raw_data.subarray(0, 8 * 4);
    });
    await expectError(load(B), ShapeError, /B: expected 10 floats/);
  });

  it("cycles, outputs nobody makes, an output made twice", async () => {
    const io = { input: [vi("x", [2])], output: [vi("y", [2])] };
    await expectError(load(model({ node: [node("Add", "a", ["x", "b"], ["a"]), node("Relu", "b", ["a"], ["b"]), node("Relu", "c", ["a"], ["y"])], ...io })), ModelFormatError, /cycle/);
    await expectError(load(model({ node: [node("Relu", "r", ["x"], ["z"])], ...io })), ModelFormatError, /"y": no node produces/);
    await expectError(load(model({ node: [node("Relu", "r", ["x"], ["y"]), node("Relu", "s", ["x"], ["y"])], ...io })), ModelFormatError, /also produced/);
  });
});

describe("external data", () => {
  const f = onnxFixture("lstm_external_o14");
  const weights = readFixtureFile("lstm_external_o14.weights");

  it("a missing external file names the file", async () => {
    await expectError(load(f.bytes), ModelFormatError, /external file "lstm_external_o14\.weights".*externalData/);
    await expectError(loadModel({ model: f.bytes, externalData: {} }, { runtime: rt }), ModelFormatError, /"lstm_external_o14\.weights": not among the given files/);
    await expectError(loadModel({ model: f.bytes, externalData: { "lstm_external_o14.weights": weights.subarray(0, 1000) } }, { runtime: rt }), ModelFormatError, /the file, which has 1000 bytes/);
    const failing = () => Promise.reject(new Error("no such file"));
    await expectError(loadModel({ model: f.bytes, externalData: failing }, { runtime: rt }), ModelFormatError, /external data "lstm_external_o14\.weights": no such file/);
  });

  it("is read from a function, or from beside the model's URL", async () => {
    const expected = f.runs[0].outputs.y.data;
    for (const source of [
      { model: f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer, externalData: async () => weights },
      new URL("lstm_external_o14.onnx", ONNX_FIXTURE_DIR),
      new URL("lstm_external_o14.onnx", ONNX_FIXTURE_DIR).href,
    ]) {
      const m = await loadModel(source, { runtime: rt });
      expectClose((await m.runNamed(f.runs[0].inputs as Feeds)).y.data, expected, String(source));
      m.dispose();
    }
  });

  it("bad sources are InvalidArgumentErrors", async () => {
    await expectError(loadModel("model.onnx", { runtime: rt }), InvalidArgumentError, /not an absolute URL/);
    await expectError(loadModel(new URL("no-such-model.onnx", ONNX_FIXTURE_DIR), { runtime: rt }), InvalidArgumentError, /reading .*no-such-model.onnx failed/);
    await expectError(loadModel(42 as never, { runtime: rt }), InvalidArgumentError, /bytes, a URL/);
  });
});

describe("feeds and run options", () => {
  it("names, dims and token ids are checked", async () => {
    const states = await loadFixture(onnxFixture("lstm_states_o14"), rt);
    const { x, h0, c0 } = onnxFixture("lstm_states_o14").runs[0].inputs as Record<string, { data: Float32Array; dims: number[] }>;
    await expectError(states.runNamed({ x }), InvalidArgumentError, /takes inputs "x", "h0", "c0"; missing "h0", "c0"/);
    await expectError(states.runNamed({ x, h0, c0, z: x }), InvalidArgumentError, /unknown "z"/);
    await expectError(states.runNamed({ x: { data: x.data, dims: [x.data.length] }, h0, c0 }), ShapeError, /input "x": expected 3 dims \[T, B, 4\]/);
    await expectError(states.runNamed({ x: { data: x.data.subarray(0, 24), dims: [3, 2, 4] }, h0, c0: { data: new Float32Array(30), dims: [2, 3, 5] } }), ShapeError, /"B" = 3, but input "x" has "B" = 2/);
    await expectError(states.runNamed({ x: { data: new Float32Array(10), dims: [1, 2, 5] }, h0, c0 }), ShapeError, /axis 2 must be 4/);
    states.dispose();
    const tagger = await loadFixture(onnxFixture("tagger_o17"), rt);
    await expectError(tagger.runNamed({ x: { data: [1, 2, 50], dims: [1, 3] } }), InvalidArgumentError, /index 50 .*out of range for axis 0 of size 50/);
    await expectError(tagger.runNamed({ x: { data: [1, 2.5], dims: [1, 2] } }), InvalidArgumentError, /expected integers.*2\.5/);
    tagger.dispose();
    await expectError(tagger.runNamed({}), DisposedError);
    tagger.dispose();
  });

  it("sequenceLens reach every recurrent node without its own", async () => {
    const f = onnxFixture("lstm_o14");
    const m = await loadFixture(f, rt);
    const run = f.runs[0]; // x [6, 3, 5]
    const full = await m.runNamed(run.inputs as Feeds);
    const cut = await m.runNamed(run.inputs as Feeds, { sequenceLens: [6, 3, 0] });
    const y = (o: typeof full, t: number, b: number) => sliceAxis(sliceAxis(o.y.data, o.y.dims, 0, t), [1, 1, 3, 8], 2, b);
    for (let t = 0; t < 6; t++) {
      expect(y(cut, t, 0)).toEqual(y(full, t, 0));
      expect(y(cut, t, 1)).toEqual(t < 3 ? y(full, t, 1) : new Array(8).fill(0));
      expect(y(cut, t, 2)).toEqual(new Array(8).fill(0));
    }
    expect(sliceAxis(cut.h_n.data, cut.h_n.dims, 1, 1)).toEqual(y(full, 2, 1));
    await expectError(m.runNamed(run.inputs as Feeds, { sequenceLens: [7, 1, 1] }), ShapeError, /sequenceLens\[0\]/);
    m.dispose();
  });
});
