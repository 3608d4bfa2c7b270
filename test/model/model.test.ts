// Sequential models: Embedding → stacked recurrent layers → Dense → (Log)Softmax, against a
// composition of the f64 references; streams against run(); typed errors for misuse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError, InvalidArgumentError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { GATES, type CellType, type Direction } from "../../src/layers/spec.js";
import type { ModelConfig, RecurrentConfig } from "../../src/model/config.js";
import { Model } from "../../src/model/model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { int, rng, uniform } from "../helpers/random.js";
import { referenceRecurrent } from "../reference/recurrent.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

function recurrent(rand: () => number, cell: CellType, I: number, H: number, direction: Direction = "forward"): RecurrentConfig {
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  return {
    type: "recurrent", cell, inputSize: I, hiddenSize: H, direction, linearBeforeReset: cell === "gru" ? true : undefined,
    W: uniform(rand, dirs * G * H * I), R: uniform(rand, dirs * G * H * H), B: uniform(rand, dirs * 2 * G * H),
  };
}

/** f64 reference of a whole model over token ids [T, B] (seq-major), rows (t, b). */
function referenceModel(config: ModelConfig, ids: number[], T: number, B: number, lens?: number[]): number[][] {
  let rows: number[][] = [];
  let steps = T;
  for (const l of config.layers) {
    if (l.type === "embedding") rows = ids.map((id) => Array.from(l.weight.subarray(id * l.dim, (id + 1) * l.dim)));
    else if (l.type === "recurrent") {
      const dirs = l.direction === "bidirectional" ? 2 : 1;
      const H = l.hiddenSize;
      const ref = referenceRecurrent({ ...l, layout: 0 }, { X: rows.flat(), T: steps, B, seqLens: lens });
      if (l.returnSequences === false) {
        rows = Array.from({ length: B }, (_, b) => Array.from({ length: dirs * H }, (_, k) => ref.Y_h[(Math.floor(k / H) * B + b) * H + (k % H)]));
        steps = 1;
      } else {
        // Y [T, dirs, B, H] → rows (t, b) of dirs·H
        rows = Array.from({ length: steps * B }, (_, r) => {
          const t = Math.floor(r / B), b = r % B;
          return Array.from({ length: dirs * H }, (_, k) => ref.Y[((t * dirs + Math.floor(k / H)) * B + b) * H + (k % H)]);
        });
      }
    } else if (l.type === "dense") {
      rows = rows.map((x) => Array.from({ length: l.outputSize }, (_, o) => x.reduce((s, v, i) => s + v * l.weight[o * l.inputSize + i], l.bias ? l.bias[o] : 0)));
    } else {
      rows = rows.map((x) => {
        const m = Math.max(...x);
        const lse = m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
        return x.map((v) => (l.type === "logSoftmax" ? v - lse : Math.exp(v - lse)));
      });
    }
  }
  return rows;
}

function charModel(seed: number, log = true, direction: Direction = "bidirectional", cell: CellType = "lstm"): ModelConfig {
  const rand = rng(seed);
  const V = 11, D = 6, H = 9, dirs = direction === "bidirectional" ? 2 : 1, O = 13;
  return {
    layers: [
      { type: "embedding", vocabSize: V, dim: D, weight: uniform(rand, V * D) },
      recurrent(rand, cell, D, H, direction),
      recurrent(rand, cell, dirs * H, H, direction),
      { type: "dense", inputSize: dirs * H, outputSize: O, weight: uniform(rand, O * dirs * H), bias: uniform(rand, O) },
      { type: log ? "logSoftmax" : "softmax" },
    ],
  };
}

describe("Model", () => {
  it("Embedding → BiLSTM ×2 → Dense → LogSoftmax matches the reference, with unequal lengths", async () => {
    const config = charModel(1);
    const model = new Model(rt, config);
    const T = 8, B = 3;
    const rand = rng(2);
    const ids = Array.from({ length: T * B }, () => int(rand, 0, 10));
    const lens = [8, 3, 5];
    const out = await model.run({ data: ids, dims: [T, B] }, { sequenceLens: lens });
    expect(out.output.dims).toEqual([T, B, 13]);
    expectClose(out.output.data, referenceModel(config, ids, T, B, lens).flat(), "model output");
    expect(out.states.map((s) => s.h.dims)).toEqual([[2, B, 9], [2, B, 9]]);
    model.dispose();
  });

  it.each(["gru", "rnn"] as const)("stacked %s with softmax matches the reference", async (cell) => {
    const config = charModel(3, false, "forward", cell);
    const model = new Model(rt, config);
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const out = await model.run({ data: ids, dims: [5, 2] });
    expectClose(out.output.data, referenceModel(config, ids, 5, 2).flat(), `${cell} softmax`);
    model.dispose();
  });

  it("batchFirst takes [B, T] and gives [B, T, F]", async () => {
    const config = charModel(4);
    const seq = new Model(rt, config);
    const bf = new Model(rt, { ...config, batchFirst: true });
    const T = 4, B = 2;
    const ids = [1, 2, 3, 4, 5, 6, 7, 8]; // [T, B]
    const idsBf = [1, 3, 5, 7, 2, 4, 6, 8]; // the same, [B, T]
    const a = await seq.run({ data: ids, dims: [T, B] });
    const b = await bf.run({ data: idsBf, dims: [B, T] });
    expect(b.output.dims).toEqual([B, T, 13]);
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < B; r++) {
        expect(b.output.data.subarray((r * T + t) * 13, (r * T + t + 1) * 13)).toEqual(a.output.data.subarray((t * B + r) * 13, (t * B + r + 1) * 13));
      }
    }
    seq.dispose();
    bf.dispose();
  });

  it("returnSequences: false passes only the final states on ([B, F] output)", async () => {
    const rand = rng(5);
    const config: ModelConfig = {
      layers: [
        { ...recurrent(rand, "gru", 3, 4, "bidirectional"), returnSequences: false },
        { type: "dense", inputSize: 8, outputSize: 2, weight: uniform(rand, 16), activation: "Sigmoid" },
      ],
    };
    const model = new Model(rt, config);
    const x = uniform(rand, 6 * 2 * 3);
    const out = await model.run({ data: x, dims: [6, 2, 3] }, { sequenceLens: [6, 2] });
    expect(out.output.dims).toEqual([2, 2]);
    const ref = referenceRecurrent({ ...(config.layers[0] as RecurrentConfig), layout: 0 }, { X: x, T: 6, B: 2, seqLens: [6, 2] });
    const want = [0, 1].flatMap((b) => {
      const h = [0, 1].flatMap((d) => Array.from(ref.Y_h.subarray((d * 2 + b) * 4, (d * 2 + b + 1) * 4)));
      const w = (config.layers[1] as { weight: Float32Array }).weight;
      return [0, 1].map((o) => 1 / (1 + Math.exp(-h.reduce((s, v, i) => s + v * w[o * 8 + i], 0))));
    });
    expectClose(out.output.data, want, "returnSequences false");
    model.dispose();
  });

  it("a stream of steps equals run() bit for bit (embedding, 2 LSTM layers, dense, softmax)", async () => {
    const config = charModel(6, false, "forward");
    const model = new Model(rt, config);
    const T = 7, B = 2;
    const ids = Array.from({ length: T * B }, (_, i) => (i * 7) % 11);
    const full = await model.run({ data: ids, dims: [T, B] });
    const s = model.stream({ batchSize: B });
    for (let t = 0; t < T; t++) {
      expect(s.step(ids.slice(t * B, (t + 1) * B))).toEqual(full.output.data.subarray(t * B * 13, (t + 1) * B * 13));
    }
    const st = s.getState();
    expect(st[1].h).toEqual(full.states[1].h.data);
    s.reset();
    expect(s.getState()[0].h.every((v) => v === 0)).toBe(true);
    s.setState(st);
    expect(s.getState()).toEqual(st);
    s.dispose();
    expect(() => model.stream()).not.toThrow();
    model.dispose();
  });

  it("info() describes stages, parameters, bytes and kernels; runNamed() names outputs", async () => {
    const config = charModel(9);
    const model = new Model(rt, config);
    const info = model.info();
    expect(info.inputs).toEqual([{ name: "input", kind: "tokens", dims: ["T", "B"] }]);
    expect(info.layers.map((l) => l.type)).toEqual(["Embedding", "LSTM", "LSTM", "Dense", "LogSoftmax"]);
    const weights = config.layers.flatMap((l) => ("weight" in l ? [l.weight] : "W" in l ? [l.W, l.R, l.B!] : []));
    const biases = config.layers.flatMap((l) => ("bias" in l && l.bias ? [l.bias] : []));
    expect(info.parameters).toBe([...weights, ...biases].reduce((n, w) => n + w.length, 0));
    expect(info.layers[1].kernels).toEqual(["f32_gemm_2x16", "f32_lstm_seq"]);
    expect(info.bytes).toBeGreaterThan(info.parameters * 4 * 0.9);
    expect(info.streamable).toBe(false);
    const named = await model.runNamed({ input: { data: [1, 2, 3], dims: [3, 1] } });
    expect(Object.keys(named).sort()).toEqual(["output", "state.0.c", "state.0.h", "state.1.c", "state.1.h"]);
    expect(named.output).toEqual((await model.run({ data: [1, 2, 3], dims: [3, 1] })).output);
    await expect(model.runNamed({ x: { data: [1], dims: [1, 1] } })).rejects.toThrow(InvalidArgumentError);
    model.dispose();
  });

  it("Dense before the recurrent layer, lastStep (y[:, -1]) after a bidirectional one; names and format in info()", async () => {
    const rand = rng(12);
    const I = 3, F = 4, H = 5, T = 6, B = 2;
    const pre = uniform(rand, F * I);
    const rec = recurrent(rand, "gru", F, H, "bidirectional");
    const head = uniform(rand, 2 * 2 * H);
    const model = new Model(rt, {
      format: "test",
      layers: [
        { type: "dense", inputSize: I, outputSize: F, weight: pre, activation: "Tanh", name: "pre" },
        { ...rec, name: "gru" },
        { type: "lastStep" },
        { type: "dense", inputSize: 2 * H, outputSize: 2, weight: head },
      ],
    });
    const x = uniform(rand, T * B * I);
    const out = await model.run({ data: x, dims: [T, B, I] });
    expect(out.output.dims).toEqual([B, 2]);
    const feats = Array.from({ length: T * B }, (_, r) => Array.from({ length: F }, (_, o) => Math.tanh(pre.subarray(o * I, (o + 1) * I).reduce((s, w, i) => s + w * x[r * I + i], 0))));
    const y = referenceRecurrent({ ...rec, layout: 0 }, { X: feats.flat(), T, B });
    const want = [0, 1].flatMap((b) => {
      const h = [0, 1].flatMap((d) => Array.from(y.Y.subarray((((T - 1) * 2 + d) * B + b) * H, (((T - 1) * 2 + d) * B + b + 1) * H)));
      return [0, 1].map((o) => h.reduce((s, v, i) => s + v * head[o * 2 * H + i], 0));
    });
    expectClose(out.output.data, want, "dense → BiGRU → lastStep → dense");
    const info = model.info();
    expect(info.format).toBe("test");
    expect(info.layers.map((l) => l.name)).toEqual(["pre", "gru", "2", "3"]);
    expect(info.inputs[0]).toEqual({ name: "input", kind: "features", dims: ["T", "B", I] });
    model.dispose();
  });

  it("misuse gives typed errors", async () => {
    const config = charModel(7);
    const rand = rng(8);
    expect(() => new Model(rt, { layers: [] })).toThrow(InvalidArgumentError);
    expect(() => new Model(rt, { layers: [config.layers[0], recurrent(rand, "lstm", 5, 3)] })).toThrow(ShapeError);
    expect(() => new Model(rt, { layers: [config.layers[3]] })).toThrow(InvalidArgumentError);
    const model = new Model(rt, config);
    await expect(model.run({ data: [1, 2, 11], dims: [3, 1] })).rejects.toThrow(InvalidArgumentError);
    await expect(model.run({ data: [1, 2, -1], dims: [3, 1] })).rejects.toThrow(InvalidArgumentError);
    await expect(model.run({ data: [1, 2.5, 1], dims: [3, 1] })).rejects.toThrow(InvalidArgumentError);
    await expect(model.run({ data: [1, 2, 3], dims: [3] })).rejects.toThrow(ShapeError);
    await expect(model.run({ data: [1, 2, 3], dims: [3, 1] }, { sequenceLens: [4] })).rejects.toThrow(ShapeError);
    expect(() => model.stream()).toThrow(UnsupportedError); // bidirectional
    model.dispose();
    model.dispose();
    await expect(model.run({ data: [1], dims: [1, 1] })).rejects.toThrow(DisposedError);
  });
});
