// Model features that Keras models need: masks (Embedding mask_zero, Masking), Bidirectional
// merge modes, go_backwards, Activation layers, the last output with masks — against a
// composition of the f64 reference written in Keras's terms; and streams with masks vs run().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { GATES, type CellType, type Direction } from "../../src/layers/spec.js";
import type { ModelConfig, RecurrentConfig } from "../../src/model/config.js";
import { Model } from "../../src/model/model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { rng, uniform } from "../helpers/random.js";
import { refActivation } from "../reference/activations.js";
import { referenceRecurrent } from "../reference/recurrent.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

function rec(rand: () => number, cell: CellType, I: number, H: number, direction: Direction, extra: Partial<RecurrentConfig> = {}): RecurrentConfig {
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  return {
    type: "recurrent", cell, inputSize: I, hiddenSize: H, direction, linearBeforeReset: cell === "gru" ? true : undefined,
    W: uniform(rand, dirs * G * H * I), R: uniform(rand, dirs * G * H * H), B: uniform(rand, dirs * 2 * G * H), ...extra,
  };
}

/** Keras semantics over rows (t, b): returns output rows. */
function kerasModel(config: ModelConfig, input: number[][], T: number, B: number): number[][] {
  let rows = input.map((r) => [...r]);
  let mask: number[] | undefined;
  let steps = T;
  for (const l of config.layers) {
    if (l.type === "masking") {
      mask = rows.map((r) => (r.every((v) => v === (l.maskValue ?? 0)) ? 0 : 1));
      rows = rows.map((r, i) => (mask![i] ? r : r.map(() => 0)));
    } else if (l.type === "recurrent") {
      const dirs = l.direction === "bidirectional" ? 2 : 1;
      const H = l.hiddenSize;
      const ref = referenceRecurrent({ ...l, layout: 0 }, { X: rows.flat(), T: steps, B, mask, maskZero: l.maskedOutput === "zero" });
      const at = (t: number, d: number, b: number) => Array.from(ref.Y.subarray(((t * dirs + d) * B + b) * H, ((t * dirs + d) * B + b + 1) * H));
      const merge = (f: number[], g: number[]) =>
        l.merge === "sum" ? f.map((v, j) => v + g[j]) : l.merge === "mul" ? f.map((v, j) => v * g[j]) : l.merge === "ave" ? f.map((v, j) => (v + g[j]) / 2) : [...f, ...g];
      const reverse = l.direction === "reverse";
      if (l.returnSequences === false) {
        // Keras's last output: the output at the last processed step
        rows = Array.from({ length: B }, (_, b) => (dirs === 2 ? merge(at(steps - 1, 0, b), at(0, 1, b)) : at(reverse ? 0 : steps - 1, 0, b)));
        steps = 1;
        mask = undefined;
      } else {
        rows = Array.from({ length: steps * B }, (_, r) => {
          const t0 = Math.floor(r / B), b = r % B;
          const t = l.goBackwards ? steps - 1 - t0 : t0;
          return dirs === 2 ? merge(at(t, 0, b), at(t, 1, b)) : at(t, 0, b);
        });
      }
    } else if (l.type === "dense") {
      rows = rows.map((x) => Array.from({ length: l.outputSize }, (_, o) => x.reduce((s, v, i) => s + v * l.weight[o * l.inputSize + i], l.bias ? l.bias[o] : 0)));
    } else if (l.type === "activation") {
      const a = { name: "Tanh" as const, alpha: 0, beta: 0 };
      rows = rows.map((x) => x.map((v) => refActivation(a, v)));
    }
  }
  return rows;
}

const T = 6, B = 3, I = 4;

function inputWithMaskedSteps(seed: number): { data: Float32Array; rows: number[][] } {
  const data = uniform(rng(seed), T * B * I);
  // Masked steps: row 0 at t = 2, row 1 at t = 0..1 (leading), row 2 at t = 5 (trailing).
  for (const [t, b] of [[2, 0], [0, 1], [1, 1], [5, 2]]) data.fill(0, (t * B + b) * I, (t * B + b + 1) * I);
  return { data, rows: Array.from({ length: T * B }, (_, r) => Array.from(data.subarray(r * I, (r + 1) * I))) };
}

describe("Keras features of models", () => {
  it.each([
    ["LSTM, previous output at masked steps", "lstm", "forward", {}],
    ["GRU go_backwards", "gru", "reverse", { goBackwards: true }],
    ["Bidirectional LSTM concat, zeros at masked steps", "lstm", "bidirectional", { maskedOutput: "zero" }],
    ["Bidirectional GRU sum", "gru", "bidirectional", { merge: "sum", maskedOutput: "zero" }],
    ["Bidirectional RNN mul", "rnn", "bidirectional", { merge: "mul" }],
    ["Bidirectional LSTM ave", "lstm", "bidirectional", { merge: "ave" }],
    ["LSTM last output with masks", "lstm", "forward", { returnSequences: false }],
    ["Bidirectional GRU last outputs", "gru", "bidirectional", { returnSequences: false }],
    ["go_backwards last output", "lstm", "reverse", { returnSequences: false, goBackwards: true }],
  ] as const)("Masking → %s → Dense → tanh", async (_, cell, direction, extra) => {
    const rand = rng(11);
    const H = 5;
    const r = rec(rand, cell, I, H, direction, extra as Partial<RecurrentConfig>);
    const F = direction === "bidirectional" && !("merge" in extra) ? 2 * H : H;
    const config: ModelConfig = {
      layers: [
        { type: "masking", maskValue: 0 },
        r,
        { type: "dense", inputSize: F, outputSize: 3, weight: uniform(rand, 3 * F), bias: uniform(rand, 3) },
        { type: "activation", activation: "tanh" },
      ],
    };
    const model = new Model(rt, config);
    const x = inputWithMaskedSteps(12);
    const out = await model.run({ data: x.data, dims: [T, B, I] });
    expectClose(out.output.data, kerasModel(config, x.rows, T, B).flat(), "keras model");
    model.dispose();
  });

  it("Embedding(mask_zero) masks token 0; stacked layers carry the mask; a stream equals run()", async () => {
    const rand = rng(13);
    const V = 7, D = 4, H = 6;
    const emb = uniform(rand, V * D);
    const config: ModelConfig = {
      layers: [
        { type: "embedding", vocabSize: V, dim: D, weight: emb, maskZero: true },
        rec(rand, "lstm", D, H, "forward"),
        rec(rand, "gru", H, H, "forward"),
        { type: "dense", inputSize: H, outputSize: V, weight: uniform(rand, V * H) },
        { type: "softmax" },
      ],
    };
    const ids = [0, 3, 1, 0, 2, 0, 5, 0, 6, 4, 4, 0, 1, 2, 3, 0, 0, 0]; // [T, B]: row 1 ends masked
    const model = new Model(rt, config);
    const out = await model.run({ data: ids, dims: [T, B] });
    const rows = ids.map((id) => Array.from(emb.subarray(id * D, (id + 1) * D)));
    const withMask = { ...config, layers: [{ type: "masking" as const, maskValue: NaN }, ...config.layers.slice(1)] };
    // Reference: the same mask, from the ids
    const mask = ids.map((id) => (id === 0 ? 0 : 1));
    let ref = rows;
    for (const l of withMask.layers.slice(1)) {
      if (l.type === "recurrent") {
        const y = referenceRecurrent({ ...l, layout: 0 }, { X: ref.flat(), T, B, mask });
        ref = Array.from({ length: T * B }, (_, i) => Array.from(y.Y.subarray(i * H, (i + 1) * H)));
      } else if (l.type === "dense") {
        ref = ref.map((x) => Array.from({ length: V }, (_, o) => x.reduce((s, v, i) => s + v * l.weight[o * H + i], 0)));
      } else if (l.type === "softmax") {
        ref = ref.map((x) => {
          const e = x.map((v) => Math.exp(v - Math.max(...x)));
          return e.map((v) => v / e.reduce((a, c) => a + c, 0));
        });
      }
    }
    expectClose(out.output.data, ref.flat(), "masked embedding model");
    const s = model.stream({ batchSize: B });
    for (let t = 0; t < T; t++) expect(s.step(ids.slice(t * B, (t + 1) * B))).toEqual(out.output.data.subarray(t * B * V, (t + 1) * B * V));
    s.dispose();
    model.dispose();
  });

  it("rejects inconsistent Keras options", () => {
    const rand = rng(14);
    expect(() => new Model(rt, { layers: [rec(rand, "lstm", 3, 4, "forward", { merge: "sum" })] })).toThrow(InvalidArgumentError);
    expect(() => new Model(rt, { layers: [rec(rand, "lstm", 3, 4, "forward", { goBackwards: true })] })).toThrow(InvalidArgumentError);
    expect(() => new Model(rt, { layers: [rec(rand, "lstm", 3, 4, "forward"), { type: "masking" }] })).toThrow(InvalidArgumentError);
    expect(() => new Model(rt, { layers: [rec(rand, "lstm", 3, 4, "forward"), { type: "activation", activation: "gelu" }] })).toThrow(InvalidArgumentError);
  });
});
