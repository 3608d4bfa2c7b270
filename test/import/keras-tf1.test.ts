// TF1 BasicLSTMCell checkpoints (magenta.js / ml5 char-RNN style) through the documented config,
// against TF1's own equations written out here in float64:
//   [i, j, f, o] = [x, h]·kernel + bias
//   c = c·σ(f + forget_bias) + σ(i)·tanh(j);  h = tanh(c)·σ(o)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelFormatError, ShapeError } from "../../src/errors.js";
import { TF1_FORMAT, loadModel } from "../../src/import/keras/index.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const V = 7, H1 = 5, H2 = 4, T = 6, B = 2;
const rand = rng(4242);
const vars = {
  "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel": { data: uniform(rand, (V + H1) * 4 * H1, 0.8), dims: [V + H1, 4 * H1] },
  "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias": { data: uniform(rand, 4 * H1, 0.5), dims: [4 * H1] },
  "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel": { data: uniform(rand, (H1 + H2) * 4 * H2, 0.8), dims: [H1 + H2, 4 * H2] },
  "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias": { data: uniform(rand, 4 * H2, 0.5), dims: [4 * H2] },
  "fully_connected/weights": { data: uniform(rand, H2 * V), dims: [H2, V] },
  "fully_connected/biases": { data: uniform(rand, V), dims: [V] },
};
const config = {
  format: TF1_FORMAT,
  input: { type: "onehot", size: V },
  cells: [0, 1].map((k) => ({ kernel: `rnn/multi_rnn_cell/cell_${k}/basic_lstm_cell/kernel`, bias: `rnn/multi_rnn_cell/cell_${k}/basic_lstm_cell/bias` })),
  forgetBias: 1.0,
  output: { weight: "fully_connected/weights", bias: "fully_connected/biases", activation: "softmax" },
};
const ids = Array.from({ length: B * T }, () => Math.floor(rand() * V)); // [B, T]

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** TF1 MultiRNNCell(BasicLSTMCell…) → dense → softmax over one-hot ids, in float64. */
function tf1Reference(forgetBias: number): number[] {
  const cells = [[H1, 0], [H2, 1]] as const;
  const out: number[] = new Array(B * T * V);
  for (let b = 0; b < B; b++) {
    const state = cells.map(([H]) => ({ h: new Array(H).fill(0), c: new Array(H).fill(0) }));
    for (let t = 0; t < T; t++) {
      let x: number[] = Array.from({ length: V }, (_, v) => (v === ids[b * T + t] ? 1 : 0));
      for (const [H, k] of cells) {
        const kernel = vars[`rnn/multi_rnn_cell/cell_${k}/basic_lstm_cell/kernel`].data;
        const bias = vars[`rnn/multi_rnn_cell/cell_${k}/basic_lstm_cell/bias`].data;
        const xh = [...x, ...state[k].h];
        const z = Array.from({ length: 4 * H }, (_, col) => xh.reduce((s, v, r) => s + v * kernel[r * 4 * H + col], bias[col]));
        const { c } = state[k];
        for (let u = 0; u < H; u++) c[u] = c[u] * sigmoid(z[2 * H + u] + forgetBias) + sigmoid(z[u]) * Math.tanh(z[H + u]);
        state[k].h = c.map((cu, u) => Math.tanh(cu) * sigmoid(z[3 * H + u]));
        x = state[k].h;
      }
      const w = vars["fully_connected/weights"].data, fb = vars["fully_connected/biases"].data;
      const logits = Array.from({ length: V }, (_, v) => x.reduce((s, h, r) => s + h * w[r * V + v], fb[v]));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const sum = e.reduce((a, c) => a + c, 0);
      e.forEach((p, v) => (out[(b * T + t) * V + v] = p / sum));
    }
  }
  return out;
}

describe("TF1 BasicLSTMCell", () => {
  it.each([1.0, 0.0])("one-hot → 2 cells → dense → softmax matches TF1's equations (forget_bias %s)", async (forgetBias) => {
    const model = await loadModel({ modelJson: { ...config, forgetBias }, tensors: vars }, { runtime: rt });
    const [y] = await model.predict({ data: ids, dims: [B, T] });
    expect(y.dims).toEqual([B, T, V]);
    expectClose(y.data, tf1Reference(forgetBias), "tf1 softmax");
    expect(model.info()).toMatchObject({ format: "tf1-basic-lstm", streamable: true });
    expect(model.info().layers.map((l) => l.name)).toEqual(["onehot", "cell_0", "cell_1", "fully_connected/weights", "softmax"]);
    // Character generation steps one id at a time
    const s = model.stream();
    for (let t = 0; t < T; t++) expectClose(s.step([ids[t]]), y.data.subarray(t * V, (t + 1) * V), `step ${t}`);
    model.dispose();
  });

  it("reads a deeplearn.js checkpoint manifest (one raw float32 file per variable)", async () => {
    const files: Record<string, Uint8Array> = {};
    const variables: Record<string, { filename: string; shape: number[] }> = {};
    for (const [name, t] of Object.entries(vars)) {
      const filename = name.replace(/\//g, "_");
      variables[name] = { filename, shape: t.dims };
      files[filename] = new Uint8Array(t.data.buffer.slice(0));
    }
    const model = await loadModel({ modelJson: JSON.stringify({ ...config, variables }), weights: files }, { runtime: rt });
    const [y] = await model.predict({ data: ids, dims: [B, T] });
    expectClose(y.data, tf1Reference(1), "from a checkpoint manifest");
    model.dispose();
  });

  it("reads a TF.js weights manifest", async () => {
    const names = Object.keys(vars) as (keyof typeof vars)[];
    const weightsManifest = [{ paths: ["w.bin"], weights: names.map((n) => ({ name: n, shape: vars[n].dims, dtype: "float32" })) }];
    const bytes = Buffer.concat(names.map((n) => Buffer.from(vars[n].data.buffer)));
    const model = await loadModel({ modelJson: { ...config, weightsManifest }, weights: { "w.bin": new Uint8Array(bytes) } }, { runtime: rt });
    expectClose((await model.predict({ data: ids, dims: [B, T] }))[0].data, tf1Reference(1), "from a weights manifest");
    model.dispose();
  });

  it("names the problem in a bad checkpoint or config", async () => {
    const cases: [object, Record<string, unknown>, new (m: string) => Error, RegExp][] = [
      [config, { ...vars, "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel": { data: new Float32Array(10 * 16), dims: [10, 16] } }, ShapeError,
        /cell_1\/basic_lstm_cell\/kernel: expected shape \[9, 16\] = \[input 5 \+ units 4, 4·units\], found \[10,16\]/],
      [config, { ...vars, "fully_connected/biases": undefined }, ModelFormatError, /missing variable fully_connected\/biases/],
      [{ ...config, input: { type: "pixels" } }, vars, ModelFormatError, /input.type must be/],
      [{ ...config, cells: [] }, vars, ModelFormatError, /cells must be a non-empty list/],
    ];
    for (const [modelJson, tensors, E, message] of cases) {
      const clean = Object.fromEntries(Object.entries(tensors).filter(([, v]) => v !== undefined)) as typeof vars;
      const e = await loadModel({ modelJson, tensors: clean }, { runtime: rt }).then((m) => (m.dispose(), undefined), (err: Error) => err);
      expect(e, String(message)).toBeInstanceOf(E);
      expect(e!.message).toMatch(message);
    }
  });
});
