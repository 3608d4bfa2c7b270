// The committed PyTorch fixtures decode to consistent shapes, and expectClose fails when it should.
import { describe, expect, it } from "vitest";
import { decodeF32, expectClose, loadTorchFixtures, type TorchFixture } from "./fixture-io.js";

const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;

function checkShapes(f: TorchFixture): void {
  const c = f.config;
  const D = c.bidirectional ? 2 : 1;
  const out = c.proj_size > 0 ? c.proj_size : c.hidden_size;
  const [T, B] = c.batch_first ? [f.input.dims[1], f.input.dims[0]] : [f.input.dims[0], f.input.dims[1]];
  const seq = (last: number) => (c.batch_first ? [B, T, last] : [T, B, last]);

  expect(f.input.dims, "input").toEqual(seq(c.input_size));
  expect(f.output.dims, "output").toEqual(seq(D * out));
  expect(f.h_n.dims, "h_n").toEqual([c.num_layers * D, B, out]);
  if (f.module === "LSTM") {
    expect(f.c_n?.dims, "c_n").toEqual([c.num_layers * D, B, c.hidden_size]);
  } else {
    expect(f.c_n, "c_n").toBeNull();
    expect(f.c0, "c0").toBeNull();
    expect(c.proj_size).toBe(0);
  }
  if (f.h0 !== null) expect(f.h0.dims, "h0").toEqual([c.num_layers * D, B, out]);
  if (f.c0 !== null) expect(f.c0.dims, "c0").toEqual([c.num_layers * D, B, c.hidden_size]);

  // state_dict: PyTorch names and shapes.
  const G = GATES[f.module] * c.hidden_size;
  const expected: Record<string, number[]> = {};
  for (let l = 0; l < c.num_layers; l++) {
    for (const sfx of D === 2 ? ["", "_reverse"] : [""]) {
      expected[`weight_ih_l${l}${sfx}`] = [G, l === 0 ? c.input_size : D * out];
      expected[`weight_hh_l${l}${sfx}`] = [G, out];
      if (c.bias) {
        expected[`bias_ih_l${l}${sfx}`] = [G];
        expected[`bias_hh_l${l}${sfx}`] = [G];
      }
      if (c.proj_size > 0) expected[`weight_hr_l${l}${sfx}`] = [c.proj_size, c.hidden_size];
    }
  }
  const got = Object.fromEntries(Object.entries(f.stateDict).map(([k, v]) => [k, v.dims]));
  expect(got, "state_dict").toEqual(expected);

  // Lengths: one per row, 1..T, max T; output is zero past each row's length.
  if (f.lengths !== null) {
    expect(f.lengths.length).toBe(B);
    expect(Math.min(...f.lengths)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...f.lengths)).toBe(T);
    const W = D * out;
    let nonzero = 0;
    for (let b = 0; b < B; b++) {
      for (let t = f.lengths[b]; t < T; t++) {
        const base = (c.batch_first ? b * T + t : t * B + b) * W;
        for (let k = 0; k < W; k++) if (f.output.data[base + k] !== 0) nonzero++;
      }
    }
    expect(nonzero, "non-zero padded outputs").toBe(0);
  }
  expect(f.output.data.every(Number.isFinite), "finite output").toBe(true);
}

describe("loadTorchFixtures", () => {
  const all = loadTorchFixtures();

  it("finds at least 48 fixtures, sorted and uniquely named", () => {
    expect(all.length).toBeGreaterThanOrEqual(48);
    const names = all.map((f) => f.name);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it("covers every module and the packed / projected cases", () => {
    const count = (p: (f: TorchFixture) => boolean) => all.filter(p).length;
    expect(count((f) => f.module === "LSTM")).toBeGreaterThan(0);
    expect(count((f) => f.module === "GRU")).toBeGreaterThan(0);
    expect(count((f) => f.module === "RNN" && f.config.nonlinearity === "tanh")).toBeGreaterThan(0);
    expect(count((f) => f.module === "RNN" && f.config.nonlinearity === "relu")).toBeGreaterThan(0);
    expect(3 * count((f) => f.lengths !== null)).toBeGreaterThanOrEqual(all.length);
    expect(count((f) => f.config.proj_size > 0)).toBeGreaterThanOrEqual(4);
  });

  for (const f of all) {
    it(`${f.name}: shapes agree with the config`, () => checkShapes(f));
  }
});

describe("decodeF32", () => {
  it("decodes little-endian float32 and checks the length", () => {
    const bytes = Buffer.alloc(8);
    bytes.writeFloatLE(1.5, 0);
    bytes.writeFloatLE(-2, 4);
    const t = decodeF32({ dims: [2, 1], data: bytes.toString("base64") });
    expect(t.dims).toEqual([2, 1]);
    expect(Array.from(t.data)).toEqual([1.5, -2]);
    expect(() => decodeF32({ dims: [3], data: bytes.toString("base64") })).toThrow(/need 3 float32/);
    expect(() => decodeF32({ dims: [2], data: "!!!!" })).toThrow(/base64/);
  });
});

describe("expectClose", () => {
  it("passes on equal arrays, NaN against NaN, and within tolerance", () => {
    expect(() => expectClose([1, 2, NaN, Infinity], new Float32Array([1, 2, NaN, Infinity]), "eq")).not.toThrow();
    expect(() => expectClose([1 + 5e-6], [1], "tol")).not.toThrow();
    expect(() => expectClose([], [], "empty")).not.toThrow();
  });

  it("throws on a mismatch, naming label, index, values, max error and count", () => {
    expect(() => expectClose([1, 2, 3.5, 4.1], [1, 2, 3, 4], "mine")).toThrow(
      /mine: 2 of 4 elements differ.*index 2: actual 3\.5, expected 3; max abs error 0\.5/,
    );
  });

  it("throws on NaN against a number, either way round", () => {
    expect(() => expectClose([NaN], [0], "nan-a")).toThrow(/nan-a: 1 of 1/);
    expect(() => expectClose([0], [NaN], "nan-e")).toThrow(/nan-e/);
  });

  it("throws on different lengths and opposite infinities", () => {
    expect(() => expectClose([1, 2], [1], "len")).toThrow(/len: length 2 differs from expected length 1/);
    expect(() => expectClose([Infinity], [-Infinity], "inf")).toThrow(/inf/);
    expect(() => expectClose([1e30], [Infinity], "inf-e")).toThrow(/inf-e/);
  });
});
