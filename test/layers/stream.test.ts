// Layer streams: step() by step() must equal run() over the whole sequence, bit for bit, and
// state get/set/reset must behave.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { GATES, type CellType } from "../../src/layers/spec.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

function layer(cell: CellType, I: number, H: number, seed: number, extra: object = {}): RecurrentLayer {
  const rand = rng(seed);
  const G = GATES[cell];
  return new RecurrentLayer(rt, {
    cell, inputSize: I, hiddenSize: H, W: uniform(rand, G * H * I), R: uniform(rand, G * H * H), B: uniform(rand, 2 * G * H), ...extra,
  });
}

describe.each([
  ["lstm", {}],
  ["lstm", { clip: 0.7 }],
  ["gru", { linearBeforeReset: true }],
  ["gru", { linearBeforeReset: false }],
  ["rnn", {}],
] as const)("%s %j stream", (cell, extra) => {
  it("steps equal run() bit for bit, for B = 1 and B = 3", async () => {
    for (const B of [1, 3]) {
      const I = 7, H = 9, T = 11;
      const l = layer(cell, I, H, 5, extra);
      const X = uniform(rng(9), T * B * I);
      const initialH = uniform(rng(10), B * H);
      const initialC = uniform(rng(11), B * H);
      const lstm = cell === "lstm";
      const full = await l.run({ data: X, dims: [T, B, I] }, {
        initialH: { data: initialH, dims: [1, B, H] }, initialC: lstm ? { data: initialC, dims: [1, B, H] } : undefined,
      });
      const s = l.stream({ batchSize: B, initialH, initialC: lstm ? initialC : undefined });
      for (let pass = 0; pass < 2; pass++) {
        for (let t = 0; t < T; t++) {
          const h = s.step(X.subarray(t * B * I, (t + 1) * B * I));
          expect(h).toEqual(full.Y.data.subarray(t * B * H, (t + 1) * B * H));
        }
        const st = s.getState();
        expect(st.h).toEqual(full.Y_h.data);
        if (lstm) expect(st.c).toEqual(full.Y_c!.data);
        s.reset(); // the second pass starts again from the initial state
      }
      s.dispose();
      l.dispose();
    }
  });
});

describe("stream state", () => {
  it("setState then step continues exactly where getState left off", () => {
    const l = layer("lstm", 3, 5, 1);
    const a = l.stream();
    const b = l.stream();
    const xs = uniform(rng(2), 20 * 3);
    for (let t = 0; t < 10; t++) a.step(xs.subarray(t * 3, t * 3 + 3));
    b.setState(a.getState());
    for (let t = 10; t < 20; t++) {
      const ha = a.step(xs.subarray(t * 3, t * 3 + 3)).slice();
      expect(b.step(xs.subarray(t * 3, t * 3 + 3))).toEqual(ha);
    }
    const out = new Float32Array(5);
    expect(a.step(xs.subarray(0, 3), out)).toBe(out);
    a.dispose();
    b.dispose();
    l.dispose();
  });

  it("rejects bad shapes, reverse layers and use after dispose with typed errors", () => {
    const l = layer("gru", 3, 4, 1);
    const s = l.stream({ batchSize: 2 });
    expect(() => s.step(new Float32Array(5))).toThrow(ShapeError);
    expect(() => s.setState({ h: new Float32Array(7) })).toThrow(ShapeError);
    expect(() => s.step(new Float32Array(6), new Float32Array(3))).toThrow(ShapeError);
    s.dispose();
    s.dispose();
    expect(() => s.step(new Float32Array(6))).toThrow(DisposedError);
    const rev = layer("rnn", 3, 4, 1, { direction: "reverse" });
    expect(() => rev.stream()).toThrow(UnsupportedError);
    l.dispose();
    expect(() => l.stream()).toThrow(DisposedError);
    rev.dispose();
  });

  it("allocates nothing per step", () => {
    const l = layer("lstm", 16, 32, 3);
    const s = l.stream();
    const x = uniform(rng(4), 16);
    s.step(x);
    const before = rt.arena.bytesInUse;
    const view = s.step(x);
    for (let i = 0; i < 1000; i++) s.step(x);
    expect(rt.arena.bytesInUse).toBe(before);
    expect(s.step(x).buffer).toBe(view.buffer);
    s.dispose();
    l.dispose();
  });
});
