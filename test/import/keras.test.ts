// The Keras / TF.js importer on real model.json files: models built and saved by TF.js in Node
// (scripts/fixtures/tfjs_models.mjs, reference = TF.js predict) and tf.keras / Keras 3
// converter-style files with GRU reset_after=True and hard_sigmoid (scripts/fixtures/
// keras_python_models.py, reference = PyTorch). Every output within 1e-5 + 1e-4·|ref|.
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KerasModel, loadModel } from "../../src/import/keras/index.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { type StoredTensor, decodeF32, expectClose } from "../helpers/fixture-io.js";

const DIR = new URL("../fixtures/keras/", import.meta.url);

interface Reference {
  generator: string;
  description: string;
  input: StoredTensor | { dims: number[]; ids: number[] };
  outputs: StoredTensor[];
}

const names = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const ref = (name: string): Reference => JSON.parse(readFileSync(new URL(`${name}/reference.json`, DIR), "utf8"));
const input = (r: Reference) => ("ids" in r.input ? { data: r.input.ids, dims: r.input.dims } : decodeF32(r.input));

/** model.json and its shards from disk, passed as bytes by path (as a bundler or cache would). */
function source(name: string) {
  const dir = new URL(`${name}/`, DIR);
  const modelJson = JSON.parse(readFileSync(new URL("model.json", dir), "utf8"));
  const weights: Record<string, Uint8Array> = {};
  for (const g of modelJson.weightsManifest) for (const p of g.paths) weights[p] = readFileSync(new URL(p, dir));
  return { modelJson, weights };
}

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

describe("Keras / TF.js fixtures", () => {
  it("cover what the issue asks for", () => {
    const text = names.map((n) => ref(n).description).join("\n");
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const s of [
      "LSTM", "GRU(4, reset_after false", "SimpleRNN", "merge_mode concat", "merge_mode sum", "merge_mode mul", "merge_mode ave", "merge_mode null",
      "return_state", "go_backwards", "mask_zero", "Masking", "TimeDistributed(Dense", "Dropout", "Activation(", "hard_sigmoid = clip(x/6",
      "hard_sigmoid = clip(0.2x", "reset_after=True", "uint8", "uint16", "float16", "two shards", "tf.keras 2.15", "Keras 3",
    ]) expect(text).toContain(s);
  });

  it.each(names)("%s", async (name) => {
    const r = ref(name);
    const model: KerasModel = await loadModel(source(name), { runtime: rt });
    try {
      const outs = await model.predict(input(r));
      expect(outs.length).toBe(r.outputs.length);
      outs.forEach((o, k) => {
        const want = decodeF32(r.outputs[k]);
        expect(o.dims, `${name} output ${k} dims`).toEqual(want.dims);
        expectClose(o.data, want.data, `${name} output ${k} (${model.outputs[k].name})`);
      });
      const info = model.info();
      expect(info.format).toBe("keras");
      expect(info.outputs.map((o) => o.name)).toEqual(model.outputs.map((o) => o.name));
      // runNamed gives the same tensors under the Keras names
      const named = await model.runNamed({ [info.inputs[0].name]: input(r) });
      expect(Object.keys(named)).toEqual(info.outputs.map((o) => o.name));
    } finally {
      model.dispose();
    }
  });
});

describe("Keras model shapes and names", () => {
  it("return_state of a Bidirectional LSTM: [y, h_fw, c_fw, h_bw, c_bw] with Keras names and dims", async () => {
    const model = await loadModel(source("bidirectional_lstm_return_state"), { runtime: rt });
    const info = model.info();
    expect(info.inputs[0]).toMatchObject({ name: expect.stringMatching(/^input\d+$/), kind: "features", dims: ["B", "T", 2] });
    const layer = info.layers.at(-1)!.name;
    expect(info.outputs.map((o) => [o.name, o.dims])).toEqual([
      [layer, ["B", 6]], [`${layer}/forward/h`, ["B", 3]], [`${layer}/forward/c`, ["B", 3]], [`${layer}/backward/h`, ["B", 3]], [`${layer}/backward/c`, ["B", 3]],
    ]);
    expect(info.streamable).toBe(false);
    expect(() => model.stream()).toThrow(/needs the whole sequence/);
    model.dispose();
  });

  it("merge_mode None splits the output into forward and backward", async () => {
    const model = await loadModel(source("bidirectional_none_states"), { runtime: rt });
    expect(model.info().outputs.map((o) => o.name.replace(/^[^/]+/, "L"))).toEqual(["L/forward", "L/backward", "L/forward/h", "L/backward/h"]);
    model.dispose();
  });

  it("a forward model streams step by step like predict()", async () => {
    const name = "embedding_mask_zero";
    const r = ref(name);
    const model = await loadModel(source(name), { runtime: rt });
    const [y] = await model.predict(input(r));
    const [B, T, V] = y.dims;
    const ids = (r.input as { ids: number[] }).ids;
    const s = model.stream({ batchSize: B });
    for (let t = 0; t < T; t++) {
      const step = s.step(Array.from({ length: B }, (_, b) => ids[b * T + t]));
      for (let b = 0; b < B; b++) expectClose(step.subarray(b * V, (b + 1) * V), y.data.subarray((b * T + t) * V, (b * T + t + 1) * V), `t ${t} b ${b}`);
    }
    s.dispose();
    model.dispose();
  });

  it("loads model.json from a URL and fetches its shards beside it", async () => {
    const name = "stacked_two_shards";
    const model = await loadModel(new URL(`${name}/model.json`, DIR), { runtime: rt });
    const [y] = await model.predict(input(ref(name)));
    expectClose(y.data, decodeF32(ref(name).outputs[0]).data, "from URL");
    model.dispose();
  });

  it("takes weights as one buffer (all shards in manifest order) or a reader function", async () => {
    const name = "stacked_two_shards";
    const { modelJson, weights } = source(name);
    const whole = Buffer.concat(modelJson.weightsManifest[0].paths.map((p: string) => weights[p]));
    const a = await loadModel({ modelJson: JSON.stringify(modelJson), weights: new Uint8Array(whole) }, { runtime: rt });
    const b = await loadModel({ modelJson, weights: async (p) => weights[p] }, { runtime: rt });
    const x = input(ref(name));
    expect((await a.predict(x))[0].data).toEqual((await b.predict(x))[0].data);
    a.dispose();
    b.dispose();
  });

  it("reads the older Keras forms: model_config wrapper, Sequential config as a bare list", async () => {
    const name = "lstm_sigmoid_dense_softmax";
    const { modelJson, weights } = source(name);
    const { class_name, config } = modelJson.modelTopology;
    modelJson.modelTopology = { keras_version: "2.2.4", backend: "tensorflow", model_config: { class_name, config: config.layers } };
    const model = await loadModel({ modelJson, weights }, { runtime: rt });
    expect(model.producer).toBe("keras2");
    expectClose((await model.predict(input(ref(name))))[0].data, decodeF32(ref(name).outputs[0]).data, "older forms");
    model.dispose();
  });

  it("reads the producer from model.json: TF.js, tf.keras 2, Keras 3", async () => {
    const producers = await Promise.all(["lstm_sequences", "py_tfkeras_gru_reset_after", "py_keras3_lstm_hard_sigmoid"].map(async (n) => {
      const m = await loadModel(source(n), { runtime: rt });
      m.dispose();
      return m.producer;
    }));
    expect(producers).toEqual(["tfjs", "keras2", "keras3"]);
  });
});
