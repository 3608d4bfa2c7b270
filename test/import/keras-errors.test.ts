// Malformed or unsupported Keras / TF.js models give typed errors naming the problem: truncated
// or missing shards, missing weights, shape mismatches, unknown layers (all listed), bad JSON,
// unsupported dtypes and graphs, and an unknown producer where it matters.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, ModelFormatError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { loadModel } from "../../src/import/keras/index.js";
import { Runtime } from "../../src/runtime/runtime.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const DIR = new URL("../fixtures/keras/", import.meta.url);

/** A fixture's model.json (a fresh copy to mutate) and its weights as one buffer. */
function fixture(name: string) {
  const dir = new URL(`${name}/`, DIR);
  const modelJson = JSON.parse(readFileSync(new URL("model.json", dir), "utf8"));
  const weights = new Uint8Array(Buffer.concat(modelJson.weightsManifest[0].paths.map((p: string) => readFileSync(new URL(p, dir)))));
  return { modelJson, weights };
}

async function failure(source: Parameters<typeof loadModel>[0], options = {}): Promise<Error> {
  try {
    (await loadModel(source, { runtime: rt, ...options })).dispose();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected loadModel to fail");
}

type Layers = { class_name: string; config: Record<string, unknown> }[];
const layersOf = (j: { modelTopology: { config: { layers: Layers } } }) => j.modelTopology.config.layers;

describe("Keras: malformed weights", () => {
  it("truncated weight data", async () => {
    const { modelJson, weights } = fixture("lstm_sequences");
    const e = await failure({ modelJson, weights: weights.subarray(0, weights.length - 8) });
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/describes \d+ bytes, the weight data has \d+ \(truncated\)/);
  });

  it("a truncated or missing shard", async () => {
    const { modelJson } = fixture("stacked_two_shards");
    const dir = new URL("stacked_two_shards/", DIR);
    const [p1, p2] = modelJson.weightsManifest[0].paths as string[];
    const one = readFileSync(new URL(p1, dir));
    const two = readFileSync(new URL(p2, dir));
    const e = await failure({ modelJson, weights: { [p1]: one, [p2]: two.subarray(0, 10) } });
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/group 0 \(.*shard1of2.*shard2of2.*\) should hold \d+ bytes .* its shards have \d+ \(truncated\)/);
    const e2 = await failure({ modelJson, weights: { [p1]: one } });
    expect(e2).toBeInstanceOf(ModelFormatError);
    expect(e2.message).toMatch(/no bytes for shard ".\/group1-shard2of2.bin"/);
    const e3 = await failure({ modelJson });
    expect(e3.message).toMatch(/lists weights but none were given/);
  });

  it("a missing weight names the layer and the weight", async () => {
    const { modelJson, weights } = fixture("lstm_sequences");
    const specs = modelJson.weightsManifest[0].weights;
    const i = specs.findIndex((w: { name: string }) => w.name.endsWith("/recurrent_kernel"));
    const size = specs[i].shape.reduce((a: number, b: number) => a * b, 4);
    const offset = specs.slice(0, i).reduce((n: number, w: { shape: number[] }) => n + w.shape.reduce((a, b) => a * b, 4), 0);
    specs.splice(i, 1);
    const cut = new Uint8Array(weights.length - size);
    cut.set(weights.subarray(0, offset));
    cut.set(weights.subarray(offset + size), offset);
    const e = await failure({ modelJson, weights: cut });
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/layer lstm_LSTM\d+ \(LSTM\): missing weight recurrent_kernel \(expected shape \[5,20\]\)/);
  });

  it("a shape mismatch names the weight and both shapes", async () => {
    const { modelJson, weights } = fixture("lstm_sequences");
    modelJson.weightsManifest[0].weights[0].shape = [4, 15]; // 60 values like [3, 20]
    const e = await failure({ modelJson, weights });
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/layer lstm_LSTM\d+ \(LSTM\): weight kernel: expected shape \[3,20\] = \[input features, 4·units\], found \[4,15\]/);
  });

  it("a GRU bias that does not fit reset_after", async () => {
    const { modelJson, weights } = fixture("py_tfkeras_gru_reset_after");
    modelJson.modelTopology.model_config.config.layers[1].config.reset_after = false;
    const e = await failure({ modelJson, weights });
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/layer gru \(GRU\): weight gru_cell\/bias: expected shape \[12\] = \[3·units\], found \[2,12\]/);
  });

  it("unsupported dtypes and quantizations", async () => {
    const { modelJson, weights } = fixture("lstm_sequences");
    modelJson.weightsManifest[0].weights[1].dtype = "string";
    const e = await failure({ modelJson, weights });
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/weight lstm_LSTM\d+\/recurrent_kernel: dtype "string"/);
    const q = fixture("lstm_uint16");
    q.modelJson.weightsManifest[0].weights[0].quantization.dtype = "int4";
    const e2 = await failure(q);
    expect(e2).toBeInstanceOf(UnsupportedError);
    expect(e2.message).toMatch(/quantization dtype "int4"/);
  });
});

describe("Keras: model.json problems", () => {
  it("bad JSON, wrong kind of file", async () => {
    const cases: [unknown, new (m: string) => Error, RegExp][] = [
      ['{"modelTopology": ', ModelFormatError, /model.json: not valid JSON/],
      [{ format: "graph-model", modelTopology: { node: [] } }, UnsupportedError, /a TF.js graph model/],
      [{ weightsManifest: [] }, ModelFormatError, /no modelTopology/],
      [{ modelTopology: { class_name: "Sequential" } }, ModelFormatError, /needs class_name and config/],
      [{ modelTopology: { class_name: "Sequential", config: { layers: [] } } }, ModelFormatError, /has no layers/],
      [{ modelTopology: { class_name: "Sequential", config: { layers: [] } }, weightsManifest: {} }, ModelFormatError, /has no layers|weightsManifest/],
    ];
    for (const [modelJson, E, message] of cases) {
      const e = await failure({ modelJson: modelJson as object });
      expect(e, String(message)).toBeInstanceOf(E);
      expect(e.message).toMatch(message);
    }
    expect(await failure({ modelJson: "relative/model.json" })).toBeInstanceOf(InvalidArgumentError);
  });

  it("lists every unknown layer", async () => {
    const { modelJson, weights } = fixture("masking_gru_dropout");
    const layers = layersOf(modelJson);
    layers.splice(2, 0, { class_name: "Conv1D", config: { name: "conv" } }, { class_name: "Flatten", config: { name: "flat" } });
    layers.push({ class_name: "TimeDistributed", config: { name: "td", layer: { class_name: "Conv1D", config: {} } } });
    const e = await failure({ modelJson, weights });
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/unsupported layers conv \(Conv1D\), flat \(Flatten\), td \(TimeDistributed\(Conv1D\)\)/);
  });

  it("rejects graphs that are not a chain, with the reason", async () => {
    const { modelJson, weights } = fixture("lstm_return_state");
    const cfg = modelJson.modelTopology.config;
    const two = structuredClone(modelJson);
    two.modelTopology.config.input_layers.push(["other", 0, 0]);
    expect((await failure({ modelJson: two, weights })).message).toMatch(/2 inputs/);
    const branch = structuredClone(modelJson);
    branch.modelTopology.config.layers.push({ name: "d", class_name: "Dense", config: { name: "d", units: 2 }, inbound_nodes: [[[cfg.input_layers[0][0], 0, 0, {}]]] });
    const e = await failure({ modelJson: branch, weights });
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e.message).toMatch(/layers d are off the input → output chain/);
  });

  it("an unknown producer is an error only where it changes results", async () => {
    const { modelJson, weights } = fixture("lstm_sequences"); // hard_sigmoid
    delete modelJson.modelTopology.keras_version;
    delete modelJson.generatedBy;
    const e = await failure({ modelJson, weights });
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/hard_sigmoid is clip\(0.2x \+ 0.5\) in TF.js \/ Keras 2 and clip\(x\/6 \+ 0.5\) in Keras 3.*pass options.producer/);
    (await loadModel({ modelJson, weights }, { runtime: rt, producer: "tfjs" })).dispose();
    const sig = fixture("lstm_sigmoid_dense_softmax");
    delete sig.modelJson.modelTopology.keras_version;
    delete sig.modelJson.generatedBy;
    (await loadModel(sig, { runtime: rt })).dispose();
    expect(await failure(sig, { producer: "keras4" })).toBeInstanceOf(InvalidArgumentError);
  });

  it("rejects what rnn-wasm models cannot express", async () => {
    const { modelJson, weights } = fixture("lstm_sigmoid_dense_softmax");
    const layers = layersOf(modelJson);
    const swapped = structuredClone(modelJson);
    layersOf(swapped).reverse();
    expect((await failure({ modelJson: swapped, weights })).message).toMatch(/comes before the first recurrent layer/);
    layers[0].config.time_major = true;
    expect((await failure({ modelJson, weights })).message).toMatch(/time_major/);
  });
});
