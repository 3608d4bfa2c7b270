// The sequence kernels run step ranges [s0, s1) per call and the cells call them in growing
// chunks (src/layers/cell.ts runSteps). Chunked runs must give the bits of one call over all
// steps: compared here with a runtime whose kernels turn every chunked run into one call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSteps } from "../../src/layers/cell.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { type CellType, GATES, type RecurrentLayerSpec } from "../../src/layers/spec.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { rng, uniform } from "../helpers/random.js";

const SEQ = ["f32_lstm_seq", "f32_gru_seq", "f32_rnn_seq"];
const ALL = 0x7fffffff;

let chunked: Runtime;
let single: Runtime;
let seqCalls = 0;
beforeAll(async () => {
  chunked = await Runtime.create();
  single = await Runtime.create();
  // One call per run: the first chunk runs everything (s0, s1 come before u0, u1, bar, the last three).
  const k = single.kernels as unknown as Record<string, (...a: number[]) => number>;
  const wrapped: Record<string, unknown> = { ...k };
  for (const name of SEQ) {
    wrapped[name] = (...a: number[]) => {
      const s0 = a.length - 5;
      if (a[s0] !== 0) return ALL; // "done": no step left
      seqCalls++;
      return k[name](...a.slice(0, s0 + 1), ALL, ...a.slice(s0 + 2));
    };
  }
  Object.defineProperty(single, "kernels", { value: wrapped });
});
afterAll(() => {
  chunked.dispose();
  single.dispose();
});

function spec(cell: CellType, seed: number, extra: Partial<RecurrentLayerSpec> = {}): RecurrentLayerSpec {
  const rand = rng(seed);
  const I = 7, H = 13, G = GATES[cell], dirs = extra.direction === "bidirectional" ? 2 : 1;
  return {
    cell, inputSize: I, hiddenSize: H, W: uniform(rand, dirs * G * H * I, 0.5), R: uniform(rand, dirs * G * H * H, 0.5),
    B: uniform(rand, dirs * 2 * G * H, 0.5), ...extra,
  };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("step ranges", () => {
  const cases: [string, CellType, Partial<RecurrentLayerSpec>][] = [
    ["lstm bidirectional", "lstm", { direction: "bidirectional", P: uniform(rng(5), 2 * 3 * 13, 0.5) }],
    ["lstm projection", "lstm", { projSize: 5, projection: uniform(rng(6), 5 * 13, 0.3), R: uniform(rng(7), 4 * 13 * 5, 0.5) }],
    ["gru", "gru", { linearBeforeReset: true }],
    ["gru reset before", "gru", { direction: "reverse" }],
    ["rnn", "rnn", {}],
  ];
  it.each(cases)("%s: chunked calls give the bits of one call (lengths, mask)", async (_, cell, extra) => {
    const T = 37, B = 3;
    const s = spec(cell, 11, extra);
    const X = { data: uniform(rng(3), T * B * s.inputSize, 1), dims: [T, B, s.inputSize] };
    const mask = Array.from({ length: T * B }, (_, i) => (i % 7 === 3 ? 0 : 1));
    for (const options of [{}, { sequenceLens: [T, 0, 20] }, { mask, sequenceLens: [5, T, 1] }]) {
      const a = new RecurrentLayer(chunked, { ...s });
      const b = new RecurrentLayer(single, { ...s });
      const before = seqCalls;
      const ya = await a.run(X, options);
      const yb = await b.run(X, options);
      expect(seqCalls).toBeGreaterThan(before);
      expect(bits(ya.Y.data)).toEqual(bits(yb.Y.data));
      expect(bits(ya.Y_h.data)).toEqual(bits(yb.Y_h.data));
      if (ya.Y_c) expect(bits(ya.Y_c.data)).toEqual(bits(yb.Y_c!.data));
      a.dispose();
      b.dispose();
    }
  });

  it("runSteps covers [0, steps) in growing chunks, with or without return values", () => {
    const plan = (steps: number | undefined, ret: (s1: number) => unknown) => {
      const calls: [number, number][] = [];
      runSteps((s0, s1) => (calls.push([s0, s1]), ret(s1)), steps);
      return calls;
    };
    expect(plan(200, () => undefined)).toEqual([[0, 1], [1, 3], [3, 7], [7, 15], [15, 31], [31, 63], [63, 127], [127, ALL]]);
    expect(plan(undefined, () => 10)).toEqual([[0, 1], [1, 3], [3, 7], [7, ALL]]);
    expect(plan(undefined, () => 1)).toEqual([[0, 1]]);
    expect(plan(undefined, () => 0)).toEqual([[0, 1]]);
    expect(plan(0, () => 0)).toEqual([[0, ALL]]);
    // A recording proxy returns nothing: the rest goes in one call.
    expect(plan(undefined, () => undefined)).toEqual([[0, 1], [1, ALL]]);
  });
});
