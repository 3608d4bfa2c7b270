// The safetensors importer on real PyTorch exports (scripts/fixtures/torch_safetensors.py):
// F32, F16, BF16 and F64 state_dicts of single layers and composite models, configs beside the
// file or in its __metadata__; outputs must match PyTorch's within 1e-5 + 1e-4·|ref|.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SafetensorsModel, loadModel, readStateDict } from "../../src/import/safetensors/index.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { type StoredTensor, decodeF32, expectClose } from "../helpers/fixture-io.js";

const DIR = new URL("../fixtures/safetensors/", import.meta.url);

interface Fixture {
  name: string;
  description: string;
  dtype: string;
  config: object | null;
  input: StoredTensor | { dims: number[]; ids: number[] };
  lengths: number[] | null;
  output: StoredTensor;
  h_n: StoredTensor | null;
  c_n: StoredTensor | null;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.slice(0, -5), ...JSON.parse(readFileSync(new URL(f, DIR), "utf8")) }));

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

function input(f: Fixture) {
  return "ids" in f.input ? { data: f.input.ids, dims: f.input.dims } : decodeF32(f.input);
}

describe("safetensors fixtures", () => {
  it("cover the models the issue asks for", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    expect(new Set(fixtures.map((f) => f.dtype))).toEqual(new Set(["F32", "F16", "BF16", "F64"]));
    const text = fixtures.map((f) => f.description).join("\n");
    for (const s of ["proj_size", "nn.GRU", "tanh", "relu", "bidirectional", "num_layers=3", "batch_first", "LogSoftmax", "regressor", "Softmax"]) {
      expect(text).toContain(s);
    }
    expect(fixtures.some((f) => f.config === null)).toBe(true); // config in __metadata__
  });

  it.each(fixtures.map((f) => [f.name, f] as const))("%s", async (_, f) => {
    const bytes = readFileSync(new URL(`${f.name}.safetensors`, DIR));
    const model: SafetensorsModel = await loadModel(f.config ? { safetensors: bytes, config: f.config } : bytes, { runtime: rt });
    try {
      const out = await model.run(input(f), { sequenceLens: f.lengths ?? undefined });
      const ref = decodeF32(f.output);
      // PyTorch pads packed outputs to T with zeros past each row's length, as rnn-wasm does.
      expect(out.output.dims).toEqual(ref.dims);
      expectClose(out.output.data, ref.data, `${f.name} output`);
      if (f.h_n) {
        const h = out.states.flatMap((s) => [...s.h.data]);
        expectClose(h, decodeF32(f.h_n).data, `${f.name} h_n`);
      }
      if (f.c_n) {
        const c = out.states.flatMap((s) => [...s.c!.data]);
        expectClose(c, decodeF32(f.c_n).data, `${f.name} c_n`);
      }
      const info = model.info();
      expect(info.format).toBe("safetensors");
    } finally {
      model.dispose();
    }
  });

  it("names layers after the PyTorch modules and keeps the char-model config", async () => {
    const model = await loadModel(readFileSync(new URL("char_model_gru.safetensors", DIR)), { runtime: rt });
    expect(model.info().layers.map((l) => l.name)).toEqual(["embedding", "gru[0]", "gru[1]", "fc"]);
    expect(model.sourceConfig.vocab).toBe("\nabc defghij");
    expect(model.metadata.format).toBe("rnn-wasm/char-model@1");
    expect(model.batchFirst).toBe(true);
    // A stream gives the same logits as run() (the char model is used that way).
    const ids = [3, 1, 4, 1, 5];
    const whole = await model.run({ data: ids, dims: [1, ids.length] });
    const s = model.stream();
    for (let t = 0; t < ids.length; t++) expectClose(s.step([ids[t]]), whole.output.data.subarray(t * 12, (t + 1) * 12), `step ${t}`);
    model.dispose();
  });

  it("loads from file: URLs, the config as JSON text or a URL", async () => {
    const f = fixtures.find((x) => x.name === "lstm_l1")!;
    const url = new URL("lstm_l1.safetensors", DIR);
    const a = await loadModel({ safetensors: url, config: JSON.stringify(f.config) }, { runtime: rt });
    const b = await loadModel({ safetensors: url.href, config: new URL("lstm_l1.json", DIR) }, { runtime: rt }).catch((e: Error) => e);
    // lstm_l1.json is a fixture file, not a config: its "format" is missing
    expect(b).toBeInstanceOf(Error);
    expect((b as Error).message).toMatch(/format must be/);
    const out = await a.run(input(f));
    expectClose(out.output.data, decodeF32(f.output).data, "from URL");
    a.dispose();
  });

  it("readStateDict gives float32 tensors for fromPyTorch", () => {
    const { stateDict } = readStateDict(readFileSync(new URL("lstm_bi_l3_f16.safetensors", DIR)));
    expect(stateDict["lstm.weight_ih_l0"].dims).toEqual([24, 4]);
    expect(stateDict["lstm.weight_hh_l2_reverse"].data).toBeInstanceOf(Float32Array);
  });

  // The demo model another package part trains (scripts/train/char_lstm.py); checked when present.
  const charLstm = new URL("../../models/char-lstm.safetensors", import.meta.url);
  it.skipIf(!existsSync(charLstm))("loads models/char-lstm.safetensors with models/char-lstm.json", async () => {
    const config = JSON.parse(readFileSync(new URL("../../models/char-lstm.json", import.meta.url), "utf8"));
    const model = await loadModel({ safetensors: readFileSync(charLstm), config }, { runtime: rt });
    const V = config.vocab.length;
    const out = await model.run({ data: [1, 2, 3], dims: [1, 3] });
    expect(out.output.dims).toEqual([1, 3, V]);
    expect(out.output.data.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
