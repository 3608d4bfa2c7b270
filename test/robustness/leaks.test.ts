// No leaks: long streams and many load/run/dispose cycles leave linear memory and the JS heap
// flat. (Numbers are generous where the engine decides: a heap "stays flat" if it grows by less
// than a few MB over tens of thousands of operations; a leak of one buffer per call is far more.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { Model } from "../../src/model/model.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function lstm(seed: number, I = 16, H = 32): RecurrentLayer {
  const rand = rng(seed);
  return new RecurrentLayer(rt, { cell: "lstm", inputSize: I, hiddenSize: H, W: uniform(rand, 4 * H * I), R: uniform(rand, 4 * H * H), B: uniform(rand, 8 * H) });
}

describe("no leaks", () => {
  it("has a garbage collector to measure with (vitest execArgv --expose-gc)", () => expect(typeof gc).toBe("function"));

  it("100,000 stream steps: linear memory and the JS heap stay flat", () => {
    const layer = lstm(1);
    const s = layer.stream();
    const x = uniform(rng(2), 16);
    for (let i = 0; i < 10_000; i++) s.step(x);
    const bytes = rt.arena.bytesInUse;
    const reserved = rt.arena.bytesReserved;
    const before = heap();
    for (let i = 0; i < 100_000; i++) s.step(x);
    const grown = heap() - before;
    expect(rt.arena.bytesInUse).toBe(bytes);
    expect(rt.arena.bytesReserved).toBe(reserved);
    expect(grown).toBeLessThan(2 << 20);
    s.dispose();
    layer.dispose();
  });

  it("5,000 load/run/dispose cycles (layers and models) return every byte", async () => {
    const X = { data: uniform(rng(3), 5 * 2 * 16), dims: [5, 2, 16] };
    const baseline = rt.arena.bytesInUse;
    const cycle = async (i: number) => {
      if (i % 2 === 0) {
        const l = lstm(i);
        await l.run(X);
        l.dispose();
      } else {
        const rand = rng(i);
        const m = new Model(rt, {
          layers: [
            { type: "embedding", vocabSize: 10, dim: 16, weight: uniform(rand, 160) },
            { type: "recurrent", cell: "gru", inputSize: 16, hiddenSize: 8, W: uniform(rand, 384), R: uniform(rand, 192), linearBeforeReset: true },
            { type: "dense", inputSize: 8, outputSize: 10, weight: uniform(rand, 80) },
            { type: "logSoftmax" },
          ],
        });
        await m.run({ data: [1, 2, 3, 4], dims: [2, 2] });
        m.stream().step([1]);
        m.dispose();
      }
    };
    for (let i = 0; i < 500; i++) await cycle(i);
    const reserved = rt.arena.bytesReserved;
    const before = heap();
    for (let i = 500; i < 5_000; i++) await cycle(i);
    const grown = heap() - before;
    expect(rt.arena.bytesInUse).toBe(baseline);
    expect(rt.arena.bytesReserved).toBe(reserved);
    expect(grown).toBeLessThan(4 << 20);
  });

  it("dispose twice is harmless; use after dispose is a DisposedError", async () => {
    const l = lstm(4);
    l.dispose();
    l.dispose();
    await expect(l.run({ data: new Float32Array(16), dims: [1, 1, 16] })).rejects.toMatchObject({ code: "DISPOSED" });
    expect(() => l.stream()).toThrow(/after dispose/);
  });
});
