// Threads (runtime.ts, thread-pool.ts, shared-wasm.ts) in Node from the sources: the shared-memory
// twin of the kernels, the `threads` option, and results that are the same bits on 1 and 2
// threads for layers and models. The other runtimes run the same check on the built package
// (test/platforms/runtimes.test.ts, runThreads).
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, createLayer, createModel, createRuntime } from "../../src/index.js";
import { shareMemoryImport } from "../../src/runtime/shared-wasm.js";
import { ThreadPool, ranges } from "../../src/runtime/thread-pool.js";
import { loadFixture, onnxFixture } from "../import/onnx-fixtures.js";
import { runThreads } from "../platforms/conformance-run.mjs";

const kernels = new Uint8Array(readFileSync(new URL("../../build/kernels.wasm", import.meta.url)));

describe("shared-memory twin of the kernels", () => {
  it("links to a shared memory, which the original refuses", async () => {
    const twin = shareMemoryImport(kernels)!;
    expect(twin).toBeInstanceOf(Uint8Array);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    await expect(WebAssembly.instantiate(kernels, { env: { memory } })).rejects.toThrow(WebAssembly.LinkError);
    const { instance } = await WebAssembly.instantiate(twin, { env: { memory } });
    expect(Object.keys(instance.exports)).toEqual(Object.keys((await WebAssembly.instantiate(kernels, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } })).instance.exports));
  });

  it("gives undefined for bytes it cannot rewrite (the runtime then stays on one thread)", () => {
    expect(shareMemoryImport(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(shareMemoryImport(kernels.subarray(0, 40))).toBeUndefined();
    // A module without imports: header and an empty type section.
    expect(shareMemoryImport(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0]))).toBeUndefined();
  });
});

describe("threads option", () => {
  it("rejects what is not an integer in [1, 64]", async () => {
    for (const threads of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(createRuntime({ threads })).rejects.toThrow(InvalidArgumentError);
    }
  });

  it("defaults to min(2, cores); threads: 1 starts no worker", async () => {
    const rt = await createRuntime();
    expect(rt.threads).toBe(2); // the test machines have ≥ 2 cores
    rt.dispose();
    const one = await createRuntime({ threads: 1 });
    expect(await one.threadsReady()).toBe(1);
    expect(one.arena.memory.buffer).toBeInstanceOf(ArrayBuffer);
    one.dispose();
  });

  it("splits ranges at aligned starts and covers every index once", () => {
    expect(ranges(10, 2, 2)).toEqual([[0, 6], [6, 10]]);
    expect(ranges(7, 3, 1)).toEqual([[0, 3], [3, 5], [5, 7]]);
    expect(ranges(1, 4, 2)).toEqual([[0, 1]]);
    for (const [n, parts, align] of [[33, 2, 2], [5, 8, 1], [1000, 3, 2]]) {
      const r = ranges(n, parts, align);
      expect(r[0][0]).toBe(0);
      expect(r.at(-1)![1]).toBe(n);
      r.forEach(([a, b], i) => (expect(b).toBeGreaterThan(a), i > 0 && expect(a).toBe(r[i - 1][1]), expect(a % align).toBe(0)));
    }
  });
});

describe("results on 2 threads are the same bits as on 1", () => {
  it("layers: bidirectional, batch slices, every cell, lengths, masks, projection", async () => {
    const { ready, digests } = await runThreads(await import("../../src/index.js"));
    expect(ready).toBe(2);
    expect(digests[1]).toBe(digests[0]);
  });

  it("the cases really run split: by units for B = 1 (a barrier per step) and per stream step", async () => {
    const run = vi.spyOn(ThreadPool.prototype, "run");
    try {
      const rt = await createRuntime({ threads: 2 });
      expect(await rt.threadsReady()).toBe(2);
      const H = 64, I = 16, T = 300;
      const w = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) / 8);
      const layer = await createLayer({ cell: "lstm", inputSize: I, hiddenSize: H, W: w(4 * H * I), R: w(4 * H * H) }, { runtime: rt });
      await layer.run({ data: w(T * I), dims: [T, 1, I] });
      expect(run).toHaveBeenCalledTimes(2); // projection by rows, then the recurrence by units
      const big = await createLayer({ cell: "gru", inputSize: 64, hiddenSize: 256, linearBeforeReset: true, W: w(768 * 64), R: w(768 * 256) }, { runtime: rt });
      const stream = big.stream();
      for (let t = 0; t < 5; t++) stream.step(w(64));
      expect(run).toHaveBeenCalledTimes(7);
      rt.dispose();
    } finally {
      run.mockRestore();
    }
  });

  it("an ONNX graph's recurrent node splits like a layer, with the same bits", async () => {
    const run = vi.spyOn(ThreadPool.prototype, "run");
    try {
      const f = onnxFixture("gru_bi_o9");
      const I = f.runs[0].inputs.x.dims[2];
      const T = 20000, B = 2;
      const x = { data: Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i * 0.37)), dims: [T, B, I] };
      const outs: Float32Array[] = [];
      for (const threads of [1, 2]) {
        const rt = await createRuntime({ threads });
        await rt.threadsReady();
        const model = await loadFixture(f, rt);
        outs.push((await model.runNamed({ x })).y.data as Float32Array);
        rt.dispose();
      }
      expect(run).toHaveBeenCalledTimes(1); // one phase: a direction per thread
      expect(outs[0]).toBeInstanceOf(Float32Array);
      expect(outs[0].length).toBeGreaterThan(T * B * 2);
      expect(outs[1]).toEqual(outs[0]);
    } finally {
      run.mockRestore();
    }
  });

  it("a step handed to a sleeping worker is taken back by the caller, with the same bits", async () => {
    const H = 128, I = 128;
    const w = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) / 8);
    const spec = { cell: "lstm" as const, inputSize: I, hiddenSize: H, W: w(4 * H * I), R: w(4 * H * H), B: w(8 * H) };
    const outputs: Float32Array[][] = [];
    const takeBack = vi.spyOn(ThreadPool.prototype as unknown as { takeBack(w: number): boolean }, "takeBack");
    try {
      for (const threads of [1, 2]) {
        const rt = await createRuntime({ threads });
        await rt.threadsReady();
        const stream = (await createLayer(spec, { runtime: rt })).stream();
        const out: Float32Array[] = [];
        for (let t = 0; t < 20; t++) {
          // Long enough for the worker to stop polling and sleep in Atomics.wait.
          await new Promise((r) => setTimeout(r, 5));
          out.push(stream.step(w(I).map((v) => v * t)).slice());
        }
        outputs.push(out);
        rt.dispose();
      }
      expect(outputs[1]).toEqual(outputs[0]);
      expect(takeBack).toHaveBeenCalledTimes(20);
      // Waking a sleeping thread takes tens of µs, the caller's half of this step a few: the
      // caller wins nearly always (one win in 20 is all this asks, so that it cannot flake).
      expect(takeBack.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(0);
    } finally {
      takeBack.mockRestore();
    }
  });

  it("a failure on one thread of a split by units stops the others at the step barrier", async () => {
    const rt = await createRuntime({ threads: 2 });
    expect(await rt.threadsReady()).toBe(2);
    const H = 64, I = 8, T = 400;
    const w = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i) / 8);
    const layer = await createLayer({ cell: "rnn", inputSize: I, hiddenSize: H, W: w(H * I), R: w(H * H) }, { runtime: rt });
    const X = { data: w(T * I), dims: [T, 1, I] };
    const good = (await layer.run(X)).Y.data;
    // The calling thread's share traps from step 16 on (its G pointer made out of bounds),
    // while the worker waits for it at the barrier.
    const kernels = rt.kernels;
    const real = (kernels as unknown as Record<string, (...a: number[]) => number>).f32_rnn_seq;
    const broken = (...a: number[]) => real(a[a.length - 5] >= 16 ? 0x7ffffff0 : a[0], ...a.slice(1));
    Object.defineProperty(rt, "kernels", { value: { ...kernels, f32_rnn_seq: broken }, configurable: true });
    await expect(layer.run(X)).rejects.toThrow(/trapped/);
    Object.defineProperty(rt, "kernels", { value: kernels });
    // The pool recovers: the next run is whole and exact.
    expect((await layer.run(X)).Y.data).toEqual(good);
    rt.dispose();
  });

  it("a stacked bidirectional model, run again and again while workers serve it", async () => {
    const w = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i * k) / 4);
    const H = 48;
    const config = {
      layers: [
        { type: "embedding" as const, vocabSize: 50, dim: 20, weight: w(1000, 0.37) },
        { type: "recurrent" as const, cell: "lstm" as const, inputSize: 20, hiddenSize: H, direction: "bidirectional" as const, W: w(2 * 4 * H * 20, 0.9), R: w(2 * 4 * H * H, 0.4), B: w(2 * 8 * H, 0.2) },
        { type: "recurrent" as const, cell: "gru" as const, inputSize: 2 * H, hiddenSize: H, W: w(3 * H * 2 * H, 0.8), R: w(3 * H * H, 0.6), B: w(6 * H, 0.3) },
        { type: "dense" as const, inputSize: H, outputSize: 7, weight: w(7 * H, 1.1), bias: w(7, 0.5) },
      ],
    };
    const tokens = { data: Int32Array.from({ length: 60 * 6 }, (_, i) => (i * 13) % 50), dims: [60, 6] };
    const outputs = [];
    for (const threads of [1, 2]) {
      const runtime = await createRuntime({ threads });
      expect(await runtime.threadsReady()).toBe(threads);
      const model = await createModel(config, { runtime });
      for (let i = 0; i < 3; i++) outputs.push((await model.run(tokens, { sequenceLens: [60, 1, 59, 30, 2, 45] })).output.data);
      runtime.dispose();
    }
    for (const o of outputs.slice(1)) expect(o).toEqual(outputs[0]);
    expect(Buffer.from(outputs[3].buffer).equals(Buffer.from(outputs[0].buffer))).toBe(true);
  });

  it("a runtime disposed while its workers start, or twice, stays harmless", async () => {
    const rt = await createRuntime({ threads: 2 });
    const ready = rt.threadsReady();
    rt.dispose();
    rt.dispose();
    await ready;
    await expect(rt.threadsReady()).rejects.toThrow(/after dispose/);
    const layer = await createLayer({ cell: "rnn", inputSize: 2, hiddenSize: 3, W: new Float32Array(6), R: new Float32Array(9) });
    expect((await layer.run({ data: new Float32Array(4), dims: [2, 1, 2] })).Y.dims).toEqual([2, 1, 1, 3]);
  });
});
