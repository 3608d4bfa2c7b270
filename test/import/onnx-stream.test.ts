// stream() over exported models: one time step per call, recurrent states carried, must give
// what runNamed() gives over the whole sequence — bit for bit (the same kernels on the same
// rows), for seq-first and batch-first inputs, token inputs, stacked layers, a learned initial
// state, graph inputs h0/c0, and last-step models (each step = the run on the prefix).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisposedError, ShapeError, UnsupportedError } from "../../src/errors.js";
import type { Feeds } from "../../src/model/rnn-model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import type { Tensor } from "../../src/tensor.js";
import { loadFixture, onnxFixture, sliceAxis } from "./onnx-fixtures.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${label}: index ${i}: stream ${actual[i]}, run ${expected[i]}`);
  }
}

// name, the input's time axis, the output's time axis (per-step outputs), extra stream inputs
const PER_STEP: [string, number, number, string[]][] = [
  ["lstm_o14", 0, 0, []],
  ["lstm_o7", 0, 0, []],
  ["rnn_tanh2_o10", 0, 0, []],
  ["gru_bf_o13", 1, 1, []],
  ["gru2_bf_o8", 1, 1, []],
  ["stacked_o15", 1, 1, []],
  ["frontend_o13", 1, 1, []],
  ["lstm_states_o14", 0, 0, ["h0", "c0"]],
  ["gru_h0_o19", 0, 0, ["initial_h"]],
  ["rnn_relu_o18", 0, 0, []],
];

describe("a stream equals runNamed over the whole sequence", () => {
  it.each(PER_STEP)("%s", async (name, xAxis, yAxis, extra) => {
    const f = onnxFixture(name);
    const model = await loadFixture(f, rt);
    const run = f.runs[0];
    const [xName] = Object.keys(run.inputs).filter((k) => !extra.includes(k));
    const x = run.inputs[xName];
    const whole = await model.runNamed(run.inputs as Feeds);
    const [yName] = Object.keys(whole);
    const T = x.dims[xAxis];
    const B = x.dims[xAxis === 0 ? 1 : 0];
    const stream = model.stream({ batchSize: B, inputs: Object.fromEntries(extra.map((k) => [k, run.inputs[k]])) as Feeds });
    expect(stream.batchSize).toBe(B);
    for (let pass = 0; pass < 2; pass++) {
      for (let t = 0; t < T; t++) {
        const y = stream.step(sliceAxis(x.data, x.dims, xAxis, t));
        expectSame(y, sliceAxis(whole[yName].data, whole[yName].dims, yAxis, t), `${name} step ${t}`);
      }
      // Final states as outputs (h_n, c_n) equal the whole run's after the last step.
      const last = stream.outputs();
      for (const k of Object.keys(whole).filter((k) => k !== yName)) expectSame(last[k].data, whole[k].data, `${name} ${k}`);
      stream.reset(); // and the second pass must repeat the first
    }
    stream.dispose();
    expect(() => stream.step(new Float32Array(1))).toThrow(DisposedError);
    model.dispose();
  });
});

async function prefix(model: Awaited<ReturnType<typeof loadFixture>>, x: Tensor | { data: number[]; dims: number[] }, axis: number, t: number) {
  const dims = [...x.dims];
  dims[axis] = t + 1;
  const data = sliceAxis(x.data, x.dims, axis, 0, t + 1);
  const feeds = { x: { data: x.data instanceof Float32Array ? Float32Array.from(data) : data, dims } } as Feeds;
  return (await model.runNamed(feeds)).y.data;
}

describe("last-step models: each step is the run on the prefix so far", () => {
  it.each([["regressor_o12", 1], ["classifier_o15", 0]] as const)("%s", async (name, axis) => {
    const f = onnxFixture(name);
    const model = await loadFixture(f, rt);
    const x = f.runs[0].inputs.x;
    const T = x.dims[axis];
    const stream = model.stream({ batchSize: x.dims[1 - axis] });
    for (let t = 0; t < T; t++) {
      const y = stream.step(sliceAxis(x.data, x.dims, axis, t));
      if (t === 0 || t === 3 || t === T - 1) expectSame(y, await prefix(model, x, axis, t), `${name} step ${t}`);
    }
    model.dispose();
  });
});

describe("what cannot stream", () => {
  it.each([
    ["tagger_o17", /bidirectional/],
    ["gru_bi_o9", /bidirectional/],
    ["lstm_lens_o21", /sequence_lens/],
  ] as const)("%s", async (name, why) => {
    const model = await loadFixture(onnxFixture(name), rt);
    expect(model.info().streamable).toBe(false);
    expect(() => model.stream()).toThrow(UnsupportedError);
    expect(() => model.stream()).toThrow(why);
    model.dispose();
  });

  it("checks each step's length and the stream inputs", async () => {
    const model = await loadFixture(onnxFixture("lstm_o14"), rt);
    const s = model.stream({ batchSize: 2 });
    expect(() => s.step(new Float32Array(9))).toThrow(ShapeError);
    expect(() => s.step(new Float32Array(10))).not.toThrow();
    expect(() => model.stream({ inputs: { nope: { data: new Float32Array(1), dims: [1] } } })).toThrow(/not graph inputs/);
    model.dispose();
    expect(() => s.step(new Float32Array(10))).toThrow(DisposedError);
  });
});
