// Fuzzed model files (fast-check, fixed seed): truncated, bit-flipped, spliced and garbage
// ONNX files, safetensors files and TF.js model.json/weights. Every load (and a run of what
// loads) ends in a result or a typed RnnWasmError within a second — never a crash, a hang, a
// bare TypeError/RangeError or a WebAssembly trap. `npm test` runs 300 cases per importer;
// FUZZ_RUNS=2000 (and FUZZ_SEED) runs the long version (README: "Robustness").
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RnnWasmError } from "../../src/errors.js";
import { loadModel as loadKeras } from "../../src/import/keras/index.js";
import { loadModel as loadOnnx } from "../../src/import/onnx/index.js";
import { loadModel as loadSafetensors } from "../../src/import/safetensors/index.js";
import type { RnnModel } from "../../src/model/rnn-model.js";
import { Runtime } from "../../src/runtime/runtime.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 0);
const fixture = (path: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${path}`, import.meta.url)));

let rt: Runtime;
beforeAll(async () => {
  // A small memory cap: a file claiming huge tensors must be refused, not allocated.
  rt = await Runtime.create({ maxMemoryBytes: 64 << 20 });
});
afterAll(() => rt.dispose());

/** Mutations of a file: truncate, flip bytes, overwrite a run with garbage, splice, or pure noise. */
function mutated(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = bytes.length;
  return fc.oneof(
    fc.integer({ min: 0, max: n - 1 }).map((k) => bytes.slice(0, k)),
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const b = bytes.slice();
      for (const [i, x] of flips) b[i] ^= x;
      return b;
    }),
    fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, junk]) => {
      const b = bytes.slice();
      b.set(junk.subarray(0, Math.min(junk.length, n - at)), at);
      return b;
    }),
    fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n })).map(([a, c]) => {
      const [lo, hi] = a < c ? [a, c] : [c, a];
      const b = new Uint8Array(n - (hi - lo));
      b.set(bytes.subarray(0, lo));
      b.set(bytes.subarray(hi), lo);
      return b;
    }),
    fc.uint8Array({ maxLength: 256 }),
  );
}

/** Loads, then runs the model once on a tiny input if its first input is simple enough. */
async function typedOrOk(load: () => Promise<RnnModel>): Promise<void> {
  const start = performance.now();
  try {
    const model = await load();
    try {
      const info = model.info();
      const i = info.inputs[0];
      if (i && info.inputs.length === 1) {
        const dims = i.dims.map((d) => (typeof d === "number" ? d : 2));
        const size = dims.reduce((a, b) => a * b, 1);
        if (size <= 4096) {
          const data = i.kind === "tokens" ? new Int32Array(size) : new Float32Array(size).fill(0.5);
          await model.runNamed({ [i.name]: { data, dims } } as never);
        }
      }
    } finally {
      model.dispose();
    }
  } catch (e) {
    if (!(e instanceof RnnWasmError)) throw new Error(`untyped error: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  expect(performance.now() - start).toBeLessThan(1000);
}

describe("importer fuzz", () => {
  it(`ONNX: ${RUNS} mutated model files`, async () => {
    const files = ["onnx/tagger_o17.onnx", "onnx/lstm_o14.onnx", "onnx/frontend_o13.onnx", "onnx/classifier_o15.onnx"].map(fixture);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: files.length - 1 }).chain((k) => mutated(files[k])), async (bytes) => {
        await typedOrOk(() => loadOnnx(bytes, { runtime: rt }));
      }),
      { seed: SEED + 11, numRuns: RUNS },
    );
  });

  it(`safetensors: ${RUNS} mutated files (config in the metadata)`, async () => {
    const files = ["safetensors/charlm_bilstm_f16.safetensors", "safetensors/gru_bi_l2_bf16.safetensors"].map(fixture);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: files.length - 1 }).chain((k) => mutated(files[k])), async (bytes) => {
        await typedOrOk(() => loadSafetensors(bytes, { runtime: rt }));
      }),
      { seed: SEED + 12, numRuns: RUNS },
    );
  });

  it(`Keras/TF.js: ${RUNS} mutated model.json texts and weight files`, async () => {
    const dirs = ["bidirectional_gru_sum", "embedding_mask_zero"];
    const models = dirs.map((d) => ({ json: fixture(`keras/${d}/model.json`), weights: fixture(`keras/${d}/weights.bin`) }));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: models.length - 1 }).chain((k) =>
          fc.tuple(fc.boolean().chain((b) => (b ? mutated(models[k].json) : fc.constant(models[k].json))), fc.boolean().chain((b) => (b ? mutated(models[k].weights) : fc.constant(models[k].weights))))),
        async ([json, weights]) => {
          const text = new TextDecoder().decode(json);
          await typedOrOk(() => loadKeras({ modelJson: text, weights: () => Promise.resolve(weights) }, { runtime: rt }));
        },
      ),
      { seed: SEED + 13, numRuns: RUNS },
    );
  });
});
