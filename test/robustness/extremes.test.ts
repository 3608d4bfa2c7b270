// Long and extreme sequences, NaN/Inf, and many models at once.
// Documented behaviour (README): NaN and ±Inf propagate through the float32 math like in any
// float32 runtime, never crash, and stay confined to the batch rows they appear in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { GATES, type CellType } from "../../src/layers/spec.js";
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

function spec(cell: CellType, I: number, H: number, seed: number, direction: "forward" | "bidirectional" = "forward") {
  const rand = rng(seed);
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  return {
    cell, inputSize: I, hiddenSize: H, direction, linearBeforeReset: cell === "gru",
    W: uniform(rand, dirs * G * H * I), R: uniform(rand, dirs * G * H * H), B: uniform(rand, dirs * 2 * G * H),
  };
}

describe("extreme sequences", () => {
  it.each(["lstm", "gru", "rnn"] as const)("%s: T = 10,000 with inputs of ±1e4 stays finite and matches the reference", async (cell) => {
    const s = spec(cell, 3, 7, 1, "bidirectional");
    const T = 10_000, B = 2;
    const rand = rng(2);
    const X = Float32Array.from({ length: T * B * 3 }, () => (rand() < 0.5 ? -1e4 : 1e4) * rand());
    const layer = new RecurrentLayer(rt, s);
    const out = await layer.run({ data: X, dims: [T, B, 3] }, { sequenceLens: [T, 6000] });
    expect(out.Y.data.every(Number.isFinite)).toBe(true);
    const ref = referenceRecurrent(s, { X, T, B, seqLens: [T, 6000] });
    // Pre-activations here are sums of terms near 1e4, so float32 itself rounds them by up to
    // ≈ 1e4·|w|·I·2⁻²⁴ ≈ 1e-3 (any f32 runtime does); outputs near a gate's steep part inherit
    // that. So: everything within 2e-3, and all but a handful within the usual 1e-5 + 1e-4·|ref|.
    expectClose(out.Y.data, ref.Y, `${cell} T=10000`, 2e-3, 0);
    expectClose(out.Y_h.data, ref.Y_h, `${cell} T=10000 Y_h`, 2e-3, 0);
    const strict = Array.from(out.Y.data).filter((v, i) => Math.abs(v - ref.Y[i]) > 1e-5 + 1e-4 * Math.abs(ref.Y[i])).length;
    expect(strict / out.Y.data.length).toBeLessThan(2e-4);
    layer.dispose();
  });

  it("NaN in one row's input propagates in that row only; ±Inf inputs do not crash", async () => {
    const s = spec("lstm", 4, 5, 3);
    const layer = new RecurrentLayer(rt, s);
    const T = 6, B = 3;
    const X = uniform(rng(4), T * B * 4);
    const clean = await layer.run({ data: X, dims: [T, B, 4] });
    const dirty = X.slice();
    dirty[(2 * B + 1) * 4] = NaN; // row 1 at t = 2
    dirty[(3 * B + 2) * 4 + 1] = Infinity; // row 2 at t = 3
    const out = await layer.run({ data: dirty, dims: [T, B, 4] });
    for (let t = 0; t < T; t++) {
      const row = (b: number, y: Float32Array) => y.subarray((t * B + b) * 5, (t * B + b + 1) * 5);
      expect(row(0, out.Y.data)).toEqual(row(0, clean.Y.data)); // untouched row: bit-identical
      if (t >= 2) expect(Array.from(row(1, out.Y.data)).every(Number.isNaN)).toBe(true);
      else expect(row(1, out.Y.data)).toEqual(row(1, clean.Y.data));
    }
    // Inf saturates the gates: row 2 stays finite (sigmoid(±Inf) = 0/1, tanh(±Inf) = ±1).
    expect(Array.from(out.Y.data.subarray(3 * B * 5)).filter((_, i) => Math.floor(i / 5) % B === 2).every(Number.isFinite)).toBe(true);
    layer.dispose();
  });

  it("NaN in weights gives NaN outputs, not an exception", async () => {
    const s = spec("gru", 3, 4, 5);
    s.R[7] = NaN;
    const layer = new RecurrentLayer(rt, s);
    const out = await layer.run({ data: uniform(rng(6), 12), dims: [4, 1, 3] });
    expect(out.Y.data.some(Number.isNaN)).toBe(true);
    layer.dispose();
  });
});

describe("many models at once", () => {
  it("50 models with interleaved runs and streams give the results each gives alone", async () => {
    const configs = Array.from({ length: 50 }, (_, i) => {
      const cell = (["lstm", "gru", "rnn"] as const)[i % 3];
      const s = spec(cell, 4, 3 + (i % 5), 100 + i);
      return { layers: [{ type: "recurrent" as const, ...s }], seed: i };
    });
    const inputs = configs.map((_, i) => uniform(rng(200 + i), 5 * 2 * 4));
    const alone: Float32Array[] = [];
    for (let i = 0; i < 50; i++) {
      const m = new Model(rt, configs[i]);
      alone.push((await m.run({ data: inputs[i], dims: [5, 2, 4] })).output.data);
      m.dispose();
    }
    const models = configs.map((c) => new Model(rt, c));
    const streams = models.map((m) => m.stream({ batchSize: 2 }));
    const rand = rng(7);
    for (let round = 0; round < 200; round++) {
      const i = int(rand, 0, 49);
      if (rand() < 0.7) expect((await models[i].run({ data: inputs[i], dims: [5, 2, 4] })).output.data).toEqual(alone[i]);
      else streams[i].step(inputs[i].subarray(0, 8));
    }
    // Streams were interleaved with runs: each still equals its model's first step.
    for (let i = 0; i < 50; i++) {
      streams[i].reset();
      const H = 3 + (i % 5);
      expect(streams[i].step(inputs[i].subarray(0, 8))).toEqual(alone[i].subarray(0, 2 * H));
    }
    models.forEach((m) => m.dispose());
  });
});
