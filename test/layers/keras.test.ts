// fromKeras: Keras / TF.js weights (kernel [I, G·H], gate orders i f c o and z r h, GRU
// reset_after both ways) converted to ONNX layout must compute what Keras computes. The
// reference below is written in Keras's own terms, independently of the conversion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { type KerasRecurrentWeights, fromKeras } from "../../src/layers/keras-weights.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const ACT: Record<string, (x: number, hs: "tfjs" | "keras3") => number> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  relu: (x) => Math.max(0, x),
  linear: (x) => x,
  hard_sigmoid: (x, hs) => Math.min(1, Math.max(0, hs === "tfjs" ? 0.2 * x + 0.5 : x / 6 + 0.5)),
};

/** Keras's equations over one sequence of one batch row: x [T × I] → h per step [T × H]. */
function kerasReference(w: KerasRecurrentWeights, x: Float32Array, T: number): Float64Array {
  const H = w.units;
  const G = w.cell === "LSTM" ? 4 : w.cell === "GRU" ? 3 : 1;
  const I = w.kernel.length / (G * H);
  const hs = w.hardSigmoid ?? "tfjs";
  const act = (v: number) => ACT[w.activation ?? "tanh"](v, hs);
  const rec = (v: number) => ACT[w.recurrentActivation ?? "sigmoid"](v, hs);
  const resetAfter = w.cell === "GRU" && (w.resetAfter ?? true);
  // x·kernel (+ input bias) and h·recurrent_kernel (+ recurrent bias when reset_after)
  const xk = (t: number, col: number) => {
    let s = w.bias ? w.bias[col] : 0;
    for (let i = 0; i < I; i++) s += x[t * I + i] * w.kernel[i * G * H + col];
    return s;
  };
  const hk = (h: number[], col: number) => {
    let s = resetAfter && w.bias ? w.bias[G * H + col] : 0;
    for (let j = 0; j < H; j++) s += h[j] * w.recurrentKernel[j * G * H + col];
    return s;
  };
  const out = new Float64Array(T * H);
  let h = new Array<number>(H).fill(0);
  let c = new Array<number>(H).fill(0);
  for (let t = 0; t < T; t++) {
    const hn = new Array<number>(H);
    const cn = new Array<number>(H);
    if (w.cell === "LSTM") {
      for (let j = 0; j < H; j++) {
        const i = rec(xk(t, j) + hk(h, j));
        const f = rec(xk(t, H + j) + hk(h, H + j));
        cn[j] = f * c[j] + i * act(xk(t, 2 * H + j) + hk(h, 2 * H + j));
        hn[j] = rec(xk(t, 3 * H + j) + hk(h, 3 * H + j)) * act(cn[j]);
      }
    } else if (w.cell === "GRU") {
      const r = h.map((_, j) => rec(xk(t, H + j) + hk(h, H + j)));
      for (let j = 0; j < H; j++) {
        const z = rec(xk(t, j) + hk(h, j));
        const hh = resetAfter ? act(xk(t, 2 * H + j) + r[j] * hk(h, 2 * H + j)) : act(xk(t, 2 * H + j) + hk(h.map((v, k) => r[k] * v), 2 * H + j));
        hn[j] = z * h[j] + (1 - z) * hh;
      }
    } else {
      for (let j = 0; j < H; j++) hn[j] = act(xk(t, j) + hk(h, j));
    }
    out.set(hn, t * H);
    h = hn;
    c = cn;
  }
  return out;
}

function weights(cell: KerasRecurrentWeights["cell"], I: number, H: number, extra: Partial<KerasRecurrentWeights>): KerasRecurrentWeights {
  const rand = rng(I * 31 + H);
  const G = cell === "LSTM" ? 4 : cell === "GRU" ? 3 : 1;
  const resetAfter = cell === "GRU" && (extra.resetAfter ?? true);
  return {
    cell, units: H, kernel: uniform(rand, I * G * H), recurrentKernel: uniform(rand, H * G * H),
    bias: uniform(rand, (resetAfter ? 2 : 1) * G * H), ...extra,
  };
}

describe("fromKeras", () => {
  it.each([
    ["LSTM", {}],
    ["LSTM", { recurrentActivation: "hard_sigmoid", hardSigmoid: "tfjs" }],
    ["LSTM", { recurrentActivation: "hard_sigmoid", hardSigmoid: "keras3", activation: "relu" }],
    ["LSTM", { bias: undefined }],
    ["GRU", {}],
    ["GRU", { resetAfter: false }],
    ["GRU", { resetAfter: true, recurrentActivation: "hard_sigmoid", hardSigmoid: "tfjs" }],
    ["SimpleRNN", {}],
    ["SimpleRNN", { activation: "linear" }],
  ] as const)("%s %j computes what Keras computes", async (cell, extra) => {
    const I = 5, H = 7, T = 9;
    const w = weights(cell, I, H, extra as Partial<KerasRecurrentWeights>);
    const layer = new RecurrentLayer(rt, fromKeras(w));
    const x = uniform(rng(3), T * I, 2);
    const out = await layer.run({ data: x, dims: [T, 1, I] });
    expectClose(out.Y.data, kerasReference(w, x, T), `${cell} ${JSON.stringify(extra)}`);
    layer.dispose();
  });

  it("rejects bad shapes and unknown activations with typed errors", () => {
    const w = weights("LSTM", 3, 4, {});
    expect(() => fromKeras({ ...w, kernel: new Float32Array(7) })).toThrow(ShapeError);
    expect(() => fromKeras({ ...w, recurrentKernel: new Float32Array(3) })).toThrow(ShapeError);
    expect(() => fromKeras({ ...w, bias: new Float32Array(5) })).toThrow(ShapeError);
    expect(() => fromKeras({ ...w, activation: "gelu" })).toThrow(UnsupportedError);
    expect(() => fromKeras({ ...w, recurrentActivation: "hard_sigmoid" })).toThrow(InvalidArgumentError);
  });
});
