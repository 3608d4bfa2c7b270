// Malformed safetensors files and configs give typed errors that name the problem, before
// anything large is allocated; and the format's corner cases (F16 subnormals, BF16, F64).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelFormatError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { loadModel, parseSafetensors, readFloat32 } from "../../src/import/safetensors/index.js";
import { halfToFloat } from "../../src/import/shared/float16.js";
import { Runtime } from "../../src/runtime/runtime.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

interface RawTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
  offsets?: [number, number];
}

/** A safetensors file from raw parts; `offsets` overrides the computed data_offsets. */
function file(tensors: Record<string, RawTensor>, metadata?: Record<string, string>, headerOverride?: string | Uint8Array): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  const blobs: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.offsets ?? [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
    blobs.push(t.bytes);
  }
  const text = headerOverride instanceof Uint8Array ? headerOverride : new TextEncoder().encode(headerOverride ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  let p = 8 + text.length;
  for (const b of blobs) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

const f32 = (n: number, v = 0.1) => ({ dtype: "F32", shape: [n], bytes: new Uint8Array(new Float32Array(n).fill(v).buffer) });
const mat = (r: number, c: number) => ({ ...f32(r * c), shape: [r, c] });

/** An RNN(2, 3) with Linear(3, 1): the smallest complete model. */
function rnnTensors(): Record<string, RawTensor> {
  return {
    "rnn.weight_ih_l0": mat(3, 2), "rnn.weight_hh_l0": mat(3, 3), "rnn.bias_ih_l0": f32(3), "rnn.bias_hh_l0": f32(3),
    "fc.weight": mat(1, 3), "fc.bias": f32(1),
  };
}

const config = (modules?: object[]) => ({
  format: "rnn-wasm/torch@1",
  modules: modules ?? [
    { type: "RNN", name: "rnn", input_size: 2, hidden_size: 3 },
    { type: "Linear", name: "fc", in_features: 3, out_features: 1 },
  ],
});

/** The error loadModel throws; cfg null loads the file alone (config from its metadata). */
async function loadError(bytes: Uint8Array, cfg: object | null = config()): Promise<Error> {
  try {
    const m = await loadModel(cfg ? { safetensors: bytes, config: cfg } : bytes, { runtime: rt });
    m.dispose();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected loadModel to fail");
}

describe("safetensors: malformed files", () => {
  it("loads the well-formed baseline", async () => {
    const m = await loadModel({ safetensors: file(rnnTensors()), config: config() }, { runtime: rt });
    expect((await m.run({ data: new Float32Array(4), dims: [2, 1, 2] })).output.dims).toEqual([2, 1, 1]);
    m.dispose();
  });

  it.each([
    ["truncated below the 8-byte length", (b: Uint8Array) => b.subarray(0, 5), ModelFormatError, /truncated file: 5 bytes/],
    ["truncated inside the data", (b: Uint8Array) => b.subarray(0, b.length - 4), ModelFormatError, /fc\.bias.*run past the end.*truncated/],
    ["truncated inside the header", (b: Uint8Array) => b.subarray(0, 40), ModelFormatError, /header length \d+ exceeds the 32 bytes/],
    ["a header length beyond the file", (b: Uint8Array) => withLength(b, 2 ** 40), ModelFormatError, /header length 1099511627776 exceeds/],
    ["wrong magic (a zip file)", () => new Uint8Array([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]), ModelFormatError, /header length \d+ exceeds|wrong magic/],
    ["wrong magic (header not JSON)", () => file({}, undefined, "PK\u0003\u0004 not json"), ModelFormatError, /wrong magic/],
  ] as const)("%s", async (_, mutate, E, message) => {
    const e = await loadError(mutate(file(rnnTensors())));
    expect(e).toBeInstanceOf(E);
    expect(e.message).toMatch(message);
  });

  it.each([
    ["bad JSON", () => file({}, undefined, '{"a": [1, 2'), ModelFormatError, /not valid UTF-8 JSON/],
    ["bad UTF-8", () => file({}, undefined, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), ModelFormatError, /not valid UTF-8 JSON/],
    ["offsets out of range", () => file({ ...rnnTensors(), "fc.bias": { ...f32(1), offsets: [100, 104] } }), ModelFormatError, /fc\.bias: data_offsets \[100, 104\] run past the end/],
    ["offsets reversed", () => file({ ...rnnTensors(), "fc.bias": { ...f32(1), offsets: [8, 4] } }), ModelFormatError, /fc\.bias: data_offsets must be \[begin, end\]/],
    ["overlapping tensors", () => file({ ...rnnTensors(), "fc.bias": { ...f32(1), offsets: [0, 4] } }), ModelFormatError, /tensors (fc\.bias|rnn\.weight_ih_l0) \[.* and (fc\.bias|rnn\.weight_ih_l0) \[.* overlap/],
    ["bytes not matching the shape", () => file({ ...rnnTensors(), "fc.weight": { ...mat(1, 3), shape: [1, 4] } }), ModelFormatError, /fc\.weight: shape \[1,4\] of F32 needs 16 bytes.*hold 12/],
    ["an unknown dtype", () => file({ ...rnnTensors(), "fc.bias": { ...f32(1), dtype: "F17" } }), ModelFormatError, /fc\.bias: unknown dtype "F17"/],
    ["metadata that is not strings", () => file(rnnTensors(), { config: 1 } as unknown as Record<string, string>), ModelFormatError, /__metadata__ must map strings/],
  ] as const)("%s", async (_, make, E, message) => {
    const e = await loadError(make());
    expect(e).toBeInstanceOf(E);
    expect(e.message).toMatch(message);
  });

  it("a header above the size cap", () => {
    expect(() => parseSafetensors(file(rnnTensors()), { maxHeaderBytes: 64 })).toThrow(/header length \d+ exceeds the limit of 64 bytes/);
  });

  it("a non-float dtype the model needs is UnsupportedError naming the tensor; unused ones are fine", async () => {
    const ints = { dtype: "I64", shape: [1], bytes: new Uint8Array(8) };
    const e = await loadError(file({ ...rnnTensors(), "fc.bias": ints }));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/fc\.bias: dtype I64 is not a float type/);
    const m = await loadModel({ safetensors: file({ ...rnnTensors(), "bn.num_batches_tracked": ints }), config: config() }, { runtime: rt });
    m.dispose();
  });
});

describe("safetensors: configs that do not fit the file", () => {
  it("a missing weight names it", async () => {
    const { "rnn.weight_hh_l0": _, ...rest } = rnnTensors();
    const e = await loadError(file(rest));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/module rnn \(RNN\): missing weight rnn\.weight_hh_l0 \(expected shape \[3,3\]\)/);
  });

  it("a shape mismatch names the weight and both shapes", async () => {
    const e = await loadError(file(rnnTensors()), config([{ type: "RNN", name: "rnn", input_size: 3, hidden_size: 3 }]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/weight rnn\.weight_ih_l0: expected shape \[3,3\], found \[3,2\]/);
    const e2 = await loadError(file(rnnTensors()), config([
      { type: "RNN", name: "rnn", input_size: 2, hidden_size: 3 },
      { type: "Linear", name: "fc", in_features: 4, out_features: 1 },
    ]));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toMatch(/module fc \(Linear\): in_features 4 must equal the previous module's output size 3/);
  });

  it("unknown module types are all listed", async () => {
    const e = await loadError(file(rnnTensors()), config([{ type: "Conv1d" }, { type: "RNN", name: "rnn", input_size: 2, hidden_size: 3 }, { type: "LayerNorm" }]));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/modules\[0\] "Conv1d", modules\[2\] "LayerNorm"/);
  });

  it("rejects configs it cannot honour, with the reason", async () => {
    const bi = [{ type: "RNN", name: "rnn", input_size: 2, hidden_size: 3, bidirectional: true }, { type: "last_step" }];
    const cases: [object | string | null, new (m: string) => Error, RegExp][] = [
      [null, ModelFormatError, /no config given and the file's __metadata__ has no "config"/],
      ["{ not json", ModelFormatError, /config: not valid JSON/],
      [{ format: "keras" }, ModelFormatError, /format must be "rnn-wasm\/torch@1"/],
      [config([{ type: "RNN", name: "rnn", hidden_size: 3 }]), ModelFormatError, /modules\[0\] \(RNN\): input_size must be a positive integer, found nothing/],
      [config(bi), UnsupportedError, /y\[:, -1\] of the bidirectional rnn/],
      [config([{ type: "Linear", name: "fc", in_features: 3, out_features: 1 }]), UnsupportedError, /must start with an Embedding or a recurrent module/],
      [config([{ type: "RNN", name: "rnn", input_size: 2, hidden_size: 3 }, { type: "LogSoftmax", dim: 0 }]), UnsupportedError, /dim 0: only the feature axis/],
    ];
    const t = rnnTensors();
    const reverse = Object.fromEntries(Object.entries(t).filter(([k]) => k.startsWith("rnn.")).map(([k, v]) => [`${k}_reverse`, v]));
    for (const [cfg, E, message] of cases) {
      const bytes = file({ ...t, ...reverse });
      const e = await loadError(bytes, cfg as object | null);
      expect(e, String(message)).toBeInstanceOf(E);
      expect(e.message).toMatch(message);
    }
  });

  it("a config in __metadata__ is used when none is given", async () => {
    const m = await loadModel(file(rnnTensors(), { format: "rnn-wasm/torch@1", config: JSON.stringify(config()) }), { runtime: rt });
    expect(m.info().layers.map((l) => l.name)).toEqual(["rnn", "fc"]);
    m.dispose();
  });
});

describe("safetensors: dtypes", () => {
  it("widens F16 exactly, subnormals and infinities included", () => {
    expect([0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00].map(halfToFloat)).toEqual([
      0, -0, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 1, -2, 65504, Infinity, -Infinity,
    ]);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it("reads BF16 and F64, also at unaligned offsets", () => {
    const bf = new Uint8Array([0x80, 0x3f, 0x40, 0xc0]); // 1, -3
    const f64 = new Uint8Array(new Float64Array([0.1, -2.5]).buffer);
    // A header padded to a multiple of 8 bytes puts b's F64 data at 8 + n + 4: not 8-aligned.
    let header = JSON.stringify({ a: { dtype: "BF16", shape: [2], data_offsets: [0, 4] }, b: { dtype: "F64", shape: [2], data_offsets: [4, 20] } });
    header += " ".repeat(-header.length & 7);
    const bytes = file({ a: { dtype: "BF16", shape: [2], bytes: bf }, b: { dtype: "F64", shape: [2], bytes: f64 } }, undefined, header);
    const parsed = parseSafetensors(bytes);
    expect(Array.from(readFloat32(parsed, parsed.tensors.get("a")!))).toEqual([1, -3]);
    expect(Array.from(readFloat32(parsed, parsed.tensors.get("b")!))).toEqual([Math.fround(0.1), -2.5]);
    expect(parsed.tensors.get("b")!.begin % 8).not.toBe(0); // the F64 data starts unaligned here
  });

  it("reads the committed F16 fixture's metadata-free header", () => {
    const parsed = parseSafetensors(readFileSync(new URL("../fixtures/safetensors/charlm_bilstm_f16.safetensors", import.meta.url)));
    expect(parsed.tensors.get("embedding.weight")).toMatchObject({ dtype: "F16", shape: [20, 8] });
  });
});

function withLength(b: Uint8Array, n: number): Uint8Array {
  const out = b.slice();
  const v = new DataView(out.buffer);
  v.setUint32(0, n % 2 ** 32, true);
  v.setUint32(4, Math.floor(n / 2 ** 32), true);
  return out;
}
