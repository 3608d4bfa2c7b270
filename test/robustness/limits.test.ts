// Files whose headers claim absurd sizes are refused before anything is allocated, and a
// model that would not fit under maxMemoryBytes is a ResourceLimitError, not an engine crash.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelFormatError, ResourceLimitError, RnnWasmError } from "../../src/errors.js";
import { loadModel as loadKeras } from "../../src/import/keras/index.js";
import { loadModel as loadOnnx } from "../../src/import/onnx/index.js";
import { ModelProto } from "../../src/import/onnx/schema.js";
import { loadModel as loadSafetensors } from "../../src/import/safetensors/index.js";
import { Runtime } from "../../src/runtime/runtime.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create({ maxMemoryBytes: 16 << 20 });
});
afterAll(() => rt.dispose());

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));

function safetensors(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Resolves to the error a promise rejects with (fails if it resolves). */
async function errorOf(p: Promise<unknown>): Promise<RnnWasmError> {
  try {
    await p;
  } catch (e) {
    return e as RnnWasmError;
  }
  throw new Error("expected a rejection");
}

describe("absurd sizes", () => {
  it("safetensors: a tensor claiming 10¹⁰ floats in a tiny file", async () => {
    const config = JSON.stringify({ format: "rnn-wasm/torch@1", modules: [{ type: "LSTM", name: "", input_size: 100000, hidden_size: 100000 }] });
    const bytes = safetensors({ __metadata__: { config }, weight_ih_l0: { dtype: "F32", shape: [400000, 100000], data_offsets: [0, 16] } }, new Uint8Array(16));
    const before = rt.arena.bytesInUse;
    const e = await errorOf(loadSafetensors(bytes, { runtime: rt }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/weight_ih_l0/);
    expect(rt.arena.bytesInUse).toBe(before);
  });

  it("ONNX: an initializer whose dims claim far more data than it holds", async () => {
    const model = ModelProto.decode(fixture("onnx/lstm_o14.onnx")) as unknown as { graph: { initializer: { dims: number[] }[] } };
    model.graph.initializer[0].dims = [1, 2 ** 20, 2 ** 20];
    const bytes = ModelProto.encode(model as never).finish();
    const e = await errorOf(loadOnnx(bytes, { runtime: rt }));
    expect(e).toBeInstanceOf(RnnWasmError);
    expect(e.message).toMatch(/bytes|dims|shape|expected/i);
  });

  it("TF.js: a weights manifest claiming a [10⁶, 10⁶] kernel", async () => {
    const json = JSON.parse(fixture("keras/bidirectional_gru_sum/model.json").toString("utf8"));
    json.weightsManifest[0].weights[0].shape = [1e6, 1e6];
    const e = await errorOf(loadKeras({ modelJson: json, weights: () => Promise.resolve(new Uint8Array(fixture("keras/bidirectional_gru_sum/weights.bin"))) }, { runtime: rt }));
    expect(e).toBeInstanceOf(RnnWasmError);
  });

  it("a genuine model bigger than maxMemoryBytes is a ResourceLimitError", async () => {
    const H = 1024; // R alone: 4·H·H floats = 16 MiB
    const config = JSON.stringify({ format: "rnn-wasm/torch@1", modules: [{ type: "LSTM", name: "", input_size: 1, hidden_size: H, bias: false }] });
    const ih = 4 * H * 4;
    const hh = 4 * H * H * 4;
    const bytes = safetensors({
      __metadata__: { config },
      weight_ih_l0: { dtype: "F32", shape: [4 * H, 1], data_offsets: [0, ih] },
      weight_hh_l0: { dtype: "F32", shape: [4 * H, H], data_offsets: [ih, ih + hh] },
    }, new Uint8Array(ih + hh));
    const before = rt.arena.bytesInUse;
    const e = await errorOf(loadSafetensors(bytes, { runtime: rt }));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e.message).toMatch(/maxMemoryBytes/);
    expect(rt.arena.bytesInUse).toBe(before);
  });
});
