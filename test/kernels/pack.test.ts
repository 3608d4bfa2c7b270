// f32_pack_panels (assembly/f32-pack.ts) through packRows / packGateMajor (src/layers/pack.ts)
// against packPanels, the layout's scalar definition; also the JavaScript fallback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ceil4, packGateMajor, packPanels, packRows, panelFloats } from "../../src/layers/pack.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});
afterAll(() => rt.dispose());

/** Packs with `fill(ptr)` into a fresh arena block and returns a copy of the block. */
function packed(floats: number, fill: (ptr: number) => void): Float32Array {
  const ptr = rt.arena.alloc(floats * 4, "test");
  fill(ptr);
  const out = rt.arena.f32.slice(ptr >> 2, (ptr >> 2) + floats);
  rt.arena.release(ptr);
  return out;
}

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe("f32_pack_panels", () => {
  // K = 3000: the rows go through the temporary block in two chunks (21 rows each).
  it.each([[1, 1], [3, 5], [16, 7], [17, 33], [40, 3000], [70, 128]])("rows %i × K %i as packPanels", (N, K) => {
    const src = uniform(rng(N * 31 + K), 3 * N * K + 7);
    const want = new Float32Array(panelFloats(N, K));
    packPanels(want, 0, src, 7 + N * K, K, N, (n) => n);
    for (const kernels of [rt.kernels, undefined]) {
      const got = packed(want.length, (ptr) => packRows(rt.arena, kernels, ptr, src, 7 + N * K, K, 0, N));
      expect(same(got, want)).toBe(true);
    }
  });

  it.each([[4, 5, 3], [4, 16, 9], [3, 7, 64], [2, 1, 2]])("gate-major G %i × H %i, K %i, padding zero", (G, H, K) => {
    const src = uniform(rng(G * H * K), G * H * K);
    const Hp = ceil4(H);
    const want = new Float32Array(panelFloats(G * Hp, K));
    packPanels(want, 0, src, 0, K, G * Hp, (n) => (n % Hp < H ? Math.floor(n / Hp) * H + (n % Hp) : -1));
    for (const kernels of [rt.kernels, undefined]) {
      const got = packed(want.length, (ptr) => packGateMajor(rt.arena, kernels, ptr, src, 0, K, G, H));
      expect(got).toEqual(want);
    }
  });

  it("releases its temporary block", () => {
    const before = rt.arena.bytesInUse;
    packed(panelFloats(20, 9), (ptr) => packRows(rt.arena, rt.kernels, ptr, uniform(rng(1), 180), 0, 9, 0, 20));
    expect(rt.arena.bytesInUse).toBe(before);
  });
});
