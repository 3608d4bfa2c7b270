// The runtime: where the kernels come from, memory limits, the arena, dispose.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { DisposedError, InvalidArgumentError, ResourceLimitError, UnsupportedError } from "../../src/errors.js";
import { RecurrentLayer } from "../../src/layers/recurrent-layer.js";
import { Arena } from "../../src/runtime/arena.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { int, rng, uniform } from "../helpers/random.js";

const wasmUrl = new URL("../../build/kernels.wasm", import.meta.url);
const bytes = readFileSync(wasmUrl);

async function lstmY(rt: Runtime): Promise<Float32Array> {
  const rand = rng(1);
  const layer = new RecurrentLayer(rt, { cell: "lstm", inputSize: 3, hiddenSize: 5, W: uniform(rand, 60), R: uniform(rand, 100) });
  const { Y } = await layer.run({ data: uniform(rand, 12), dims: [4, 1, 3] });
  layer.dispose();
  return Y.data;
}

describe("kernel sources", () => {
  it("embedded bytes, a WebAssembly.Module, ArrayBuffer, Uint8Array, file: URL and http: URL all give the same results", async () => {
    const want = await lstmY(await Runtime.create());
    const server = createServer((_, res) => res.writeHead(200, { "content-type": "application/wasm" }).end(bytes));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const http = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kernels.wasm`;
    try {
      const sources = [
        await WebAssembly.compile(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
        new Uint8Array(bytes), wasmUrl, wasmUrl.href, new URL(http), http,
      ];
      for (const wasm of sources) expect(await lstmY(await Runtime.create({ wasm }))).toEqual(want);
    } finally {
      server.close();
    }
  });

  it("a bad source is a typed error", async () => {
    await expect(Runtime.create({ wasm: 42 as never })).rejects.toThrow(InvalidArgumentError);
    await expect(Runtime.create({ wasm: new Uint8Array([0, 97, 115, 109, 9, 9]) })).rejects.toThrow(UnsupportedError);
    await expect(Runtime.create({ wasm: "http://127.0.0.1:9/none.wasm" })).rejects.toThrow(InvalidArgumentError);
    await expect(Runtime.create({ maxMemoryBytes: 1000 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe("memory", () => {
  it("maxMemoryBytes refuses what would not fit, before allocating, and the runtime keeps working", async () => {
    const rt = await Runtime.create({ maxMemoryBytes: 4 << 20 });
    const rand = rng(2);
    const H = 512; // R alone is 4 MiB
    expect(() => new RecurrentLayer(rt, { cell: "lstm", inputSize: 1, hiddenSize: H, W: uniform(rand, 4 * H), R: new Float32Array(4 * H * H) })).toThrow(ResourceLimitError);
    expect(rt.arena.bytesInUse).toBe(0);
    const small = new RecurrentLayer(rt, { cell: "rnn", inputSize: 2, hiddenSize: 3, W: uniform(rand, 6), R: uniform(rand, 9) });
    await expect(small.run({ data: new Float32Array(2e6 * 2), dims: [1e6, 2, 2] })).rejects.toThrow(ResourceLimitError);
    const { Y } = await small.run({ data: uniform(rand, 8), dims: [4, 1, 2] });
    expect(Y.dims).toEqual([4, 1, 1, 3]);
    small.dispose();
  });

  it("streams keep working after memory grows under them", async () => {
    const rt = await Runtime.create();
    const rand = rng(3);
    const layer = new RecurrentLayer(rt, { cell: "gru", inputSize: 4, hiddenSize: 8, W: uniform(rand, 96), R: uniform(rand, 192) });
    const s = layer.stream();
    const x = uniform(rand, 4);
    const before = s.step(x).slice();
    s.reset();
    const grow = rt.arena.alloc(64 << 20, "growth"); // detaches the old ArrayBuffer
    expect(s.step(x)).toEqual(before);
    rt.arena.release(grow);
    s.dispose();
    layer.dispose();
  });

  it("the arena coalesces: random alloc/free leaves one free block and zero bytes in use", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024 });
    const arena = new Arena(memory, 1024 * 65536);
    const rand = rng(4);
    const live: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (live.length && rand() < 0.45) arena.release(live.splice(int(rand, 0, live.length - 1), 1)[0]);
      else {
        const p = arena.alloc(int(rand, 0, 70000), "t");
        expect(p % 64).toBe(0);
        expect(live.every((q) => q + arena.sizeOf(q) <= p || p + arena.sizeOf(p) <= q)).toBe(true);
        live.push(p);
      }
    }
    for (const p of live) arena.release(p);
    expect(arena.bytesInUse).toBe(0);
    const all = arena.alloc(memory.buffer.byteLength - 64 - 16, "everything"); // fits only if coalesced
    expect(all).toBe(64);
  });

  it("every block comes zeroed: reused memory is cleared, memory as grown is already zero", () => {
    for (const shared of [false, true]) {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024, shared });
      new Uint8Array(memory.buffer).fill(7, 64); // the first page may hold old data: it is cleared
      const arena = new Arena(memory, 1024 * 65536);
      const rand = rng(6);
      const live: number[] = [];
      for (let i = 0; i < 600; i++) {
        if (live.length && rand() < 0.45) arena.release(live.splice(int(rand, 0, live.length - 1), 1)[0]);
        else {
          const bytes = int(rand, 1, 90000);
          const p = arena.alloc(bytes, "t");
          const block = new Uint8Array(memory.buffer, p, bytes);
          expect(block.every((b) => b === 0)).toBe(true);
          block.fill(0xa5);
          live.push(p);
        }
      }
    }
  });

  it("a disposed runtime refuses work", async () => {
    const rt = await Runtime.create();
    const rand = rng(5);
    const layer = new RecurrentLayer(rt, { cell: "rnn", inputSize: 2, hiddenSize: 3, W: uniform(rand, 6), R: uniform(rand, 9) });
    rt.dispose();
    await expect(layer.run({ data: uniform(rand, 2), dims: [1, 1, 2] })).rejects.toThrow(DisposedError);
    expect(() => new RecurrentLayer(rt, { cell: "rnn", inputSize: 2, hiddenSize: 3, W: uniform(rand, 6), R: uniform(rand, 9) })).toThrow(DisposedError);
  });
});
