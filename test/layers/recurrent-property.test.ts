// Property test: random layers with every ONNX knob against the f64 scalar reference
// (test/reference/recurrent.ts). Odd sizes around the SIMD width and the kernel tiles.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVATION_IDS } from "../../src/layers/activations.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { type CellType, type Direction, GATES, type RecurrentLayerSpec } from "../../src/layers/spec.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { expectClose } from "../helpers/fixture-io.js";
import { int, pick, rng, uniform } from "../helpers/random.js";
import { referenceRecurrent } from "../reference/recurrent.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const SIZES = [1, 3, 4, 5, 7, 8, 9, 16, 33, 65];
const ACTS = Object.keys(ACTIVATION_IDS);
const UNBOUNDED = new Set(["Relu", "Affine", "LeakyRelu", "ThresholdedRelu", "Elu", "Softplus"]);

function randomSpec(rand: () => number, cell: CellType, fixedDirection?: Direction): RecurrentLayerSpec {
  const I = pick(rand, SIZES);
  const H = pick(rand, SIZES);
  const direction = fixedDirection ?? pick<Direction>(rand, ["forward", "reverse", "bidirectional"]);
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  const scale = rand() < 0.3 ? 3 : 1;
  const projSize = cell === "lstm" && rand() < 0.25 ? pick(rand, SIZES) : 0;
  const S = projSize || H;
  const spec: RecurrentLayerSpec = {
    cell, inputSize: I, hiddenSize: H, direction,
    W: uniform(rand, dirs * G * H * I, scale / Math.sqrt(I)),
    R: uniform(rand, dirs * G * H * S, scale / Math.sqrt(S)),
    layout: rand() < 0.3 ? 1 : 0,
  };
  if (projSize) {
    spec.projSize = projSize;
    spec.projection = uniform(rand, dirs * projSize * H, 1 / Math.sqrt(H));
  }
  if (rand() < 0.8) spec.B = uniform(rand, dirs * 2 * G * H, 0.5);
  if (rand() < 0.3) spec.clip = 0.5 + rand() * 3;
  if (cell === "lstm" && rand() < 0.4) spec.P = uniform(rand, dirs * 3 * H, 0.5);
  if (cell === "lstm" && rand() < 0.2) spec.inputForget = true;
  if (cell === "gru") spec.linearBeforeReset = rand() < 0.5;
  if (rand() < 0.35) {
    const per = G === 4 ? 3 : G === 3 ? 2 : 1;
    spec.activations = Array.from({ length: per * (rand() < 0.5 ? dirs : 1) }, () => ({
      name: pick(rand, ACTS), alpha: Math.fround(rand() * 1.5), beta: Math.fround(rand() - 0.5),
    }));
    // Unbounded activations can make the recurrence expand, where any f32 result drifts
    // exponentially from the f64 one: keep such layers contractive.
    if (spec.activations.some((a) => typeof a === "object" && UNBOUNDED.has(a.name))) {
      for (const w of [spec.W, spec.R]) w.forEach((v, i) => (w[i] = v * 0.25));
    }
  }
  return spec;
}

describe.each(["lstm", "gru", "rnn"] as const)("%s layer vs the f64 reference", (cell) => {
  it("random shapes, directions, lengths, states, layouts and attributes", async () => {
    for (let trial = 0; trial < 60; trial++) {
      const seed = 1000 * (cell.length + trial) + trial;
      const rand = rng(seed);
      const spec = randomSpec(rand, cell);
      const dirs = spec.direction === "bidirectional" ? 2 : 1;
      const H = spec.hiddenSize;
      const S = spec.projSize || H;
      const T = int(rand, 1, 12);
      const B = int(rand, 1, 5);
      const X = uniform(rand, T * B * spec.inputSize, rand() < 0.2 ? 4 : 1);
      const seqLens = rand() < 0.5 ? Array.from({ length: B }, () => int(rand, 0, T)) : undefined;
      const initialH = rand() < 0.5 ? uniform(rand, dirs * B * S) : undefined;
      const initialC = cell === "lstm" && rand() < 0.5 ? uniform(rand, dirs * B * H) : undefined;
      const mask = rand() < 0.3 ? Array.from({ length: T * B }, () => (rand() < 0.7 ? 1 : 0)) : undefined;
      const maskZero = mask !== undefined && rand() < 0.5;
      const layer = new RecurrentLayer(rt, spec);
      const sDims = (n: number) => (spec.layout === 1 ? [B, dirs, n] : [dirs, B, n]);
      const out = await layer.run(
        { data: X, dims: spec.layout === 1 ? [B, T, spec.inputSize] : [T, B, spec.inputSize] },
        {
          sequenceLens: seqLens, mask, maskedOutput: maskZero ? "zero" : undefined,
          initialH: initialH && { data: initialH, dims: sDims(S) },
          initialC: initialC && { data: initialC, dims: sDims(H) },
        },
      );
      const ref = referenceRecurrent(spec, { X, T, B, seqLens, initialH, initialC, mask, maskZero });
      const label = `${cell} seed ${seed} I${spec.inputSize} H${H} S${S} T${T} B${B} ${spec.direction} layout ${spec.layout}`;
      // Compared with the reference rounded to f32: unbounded activations (Affine, Relu) may
      // legitimately overflow to ±Inf, as they would in any f32 runtime.
      expectClose(out.Y.data, Float32Array.from(ref.Y), `${label} Y`);
      expectClose(out.Y_h.data, Float32Array.from(ref.Y_h), `${label} Y_h`);
      if (cell === "lstm") expectClose(out.Y_c!.data, Float32Array.from(ref.Y_c!), `${label} Y_c`);
      expect(out.Y.dims).toEqual(spec.layout === 1 ? [B, T, dirs, S] : [T, dirs, B, S]);
      expect(out.Y_h.dims).toEqual(sDims(S));
      layer.dispose();
    }
  });
});

describe("batch independence", () => {
  it.each(["lstm", "gru", "rnn"] as const)("%s: a row's output is bit-identical alone or in any batch", async (cell) => {
    const rand = rng(42);
    const spec = { ...randomSpec(rand, cell, "forward"), layout: 0 as const, activations: undefined };
    if (cell === "gru") spec.linearBeforeReset = false; // the two-phase path pairs rows in its GEMM
    const layer = new RecurrentLayer(rt, spec);
    const T = 6, I = spec.inputSize, B = 5;
    const X = uniform(rand, T * B * I);
    const all = await layer.run({ data: X, dims: [T, B, I] });
    for (let b = 0; b < B; b++) {
      const xb = new Float32Array(T * I);
      for (let t = 0; t < T; t++) xb.set(X.subarray((t * B + b) * I, (t * B + b + 1) * I), t * I);
      const one = await layer.run({ data: xb, dims: [T, 1, I] });
      const S = spec.projSize || spec.hiddenSize;
      for (let t = 0; t < T; t++) {
        expect(one.Y.data.subarray(t * S, (t + 1) * S)).toEqual(all.Y.data.subarray((t * B + b) * S, (t * B + b + 1) * S));
      }
    }
    layer.dispose();
  });
});
