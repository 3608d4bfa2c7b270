// Random API misuse (fast-check, fixed seed): whatever a caller passes to layers, models and
// streams, the outcome is a result or a typed RnnWasmError — never a TypeError, RangeError or
// WebAssembly trap — and each call returns within a second. FUZZ_RUNS=n FUZZ_SEED=s runs longer.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RnnWasmError } from "../../src/errors.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { Model } from "../../src/model/model.js";
import { Runtime } from "../../src/runtime/runtime.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 0);

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create({ maxMemoryBytes: 256 << 20 });
});
afterAll(() => rt.dispose());

/** Runs f; the only acceptable failure is an RnnWasmError. Also bounds its time. */
async function typedOrOk(f: () => unknown | Promise<unknown>): Promise<void> {
  const start = performance.now();
  try {
    await f();
  } catch (e) {
    if (!(e instanceof RnnWasmError)) throw new Error(`untyped error: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    expect(e.message.length).toBeGreaterThan(10);
  }
  expect(performance.now() - start).toBeLessThan(1000);
}

// Values a careless caller might pass where a number, array or tensor belongs.
const weird = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -1, 0, 1.5, 2 ** 31, -(2 ** 40), "7", true, {}, [], [1, 2]),
  fc.integer({ min: -3, max: 40 }),
  fc.float32Array({ maxLength: 50 }),
  fc.array(fc.double(), { maxLength: 20 }),
  fc.constant(new Float64Array(12)),
  fc.constant(new Int32Array(8)),
);

function validSpec() {
  return { cell: "lstm", inputSize: 3, hiddenSize: 2, direction: "forward", W: new Float32Array(24), R: new Float32Array(16), B: new Float32Array(16) } as Record<string, unknown>;
}

describe("API fuzz", () => {
  it("layer specs with one field replaced by anything", async () => {
    const keys = ["cell", "inputSize", "hiddenSize", "direction", "W", "R", "B", "P", "clip", "activations", "layout", "projSize", "projection", "linearBeforeReset", "inputForget"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), weird, fc.constantFrom("lstm", "gru", "rnn", "LSTM", ""), async (key, value, cell) => {
        const spec = { ...validSpec(), cell, [key]: value };
        await typedOrOk(() => new RecurrentLayer(rt, spec as never).dispose());
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it("run() and stream() inputs replaced by anything", async () => {
    const layer = new RecurrentLayer(rt, { cell: "gru", inputSize: 3, hiddenSize: 2, W: new Float32Array(18), R: new Float32Array(12), linearBeforeReset: true });
    const stream = layer.stream({ batchSize: 2 });
    const dims = fc.oneof(fc.array(fc.integer({ min: -2, max: 9 }), { maxLength: 4 }), weird);
    await fc.assert(
      fc.asyncProperty(weird, dims, weird, weird, weird, weird, async (data, d, lens, h, mask, step) => {
        await typedOrOk(() => layer.run({ data, dims: d } as never, { sequenceLens: lens, initialH: h, mask } as never));
        await typedOrOk(() => layer.run({ data: new Float32Array(6), dims: [1, 2, 3] }, { sequenceLens: lens, initialH: h, mask, maskedOutput: data } as never));
        await typedOrOk(() => stream.step(step as never));
        await typedOrOk(() => stream.setState(h as never));
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
    layer.dispose();
  });

  it("model configs and token inputs replaced by anything", async () => {
    const base = () => ({
      layers: [
        { type: "embedding", vocabSize: 5, dim: 3, weight: new Float32Array(15) },
        { type: "recurrent", cell: "rnn", inputSize: 3, hiddenSize: 2, W: new Float32Array(6), R: new Float32Array(4) },
        { type: "dense", inputSize: 2, outputSize: 5, weight: new Float32Array(10) },
        { type: "softmax" },
      ] as Record<string, unknown>[],
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.constantFrom("type", "vocabSize", "dim", "weight", "inputSize", "hiddenSize", "outputSize", "bias", "activation", "merge", "returnSequences", "maskZero"), weird, weird, weird, async (i, key, value, ids, d) => {
        const config = base();
        config.layers[i] = { ...config.layers[i], [key]: value };
        await typedOrOk(async () => {
          const m = new Model(rt, config as never);
          try {
            await m.run({ data: ids, dims: d } as never);
            m.stream().step(ids as never);
          } finally {
            m.dispose();
          }
        });
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );
  });
});
