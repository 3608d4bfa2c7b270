// Weight packing: once, at load, from row-major [rows × K] matrices into the layout every GEMM
// kernel streams through (the layout is defined and tested here; the copy itself runs in wasm
// when the kernels are at hand). Padding entries are zero.
//   panels: out[(p·K + k)·16 + j] = M[row(16p + j), k]
// Input and recurrent weights of every cell use it, rows in the gate-major order of the gate
// buffer G (packGateMajor: gate g's rows from g·ceil4(H)), so the products land where the cell
// reads them. Cells pack with packRows, through the f32_pack_panels kernel when they have the
// kernels: the transpose is per element, and at load time JavaScript runs it in the interpreter
// (≈ 25 ns a float, ≈ 10 ms for W2's weights; in wasm well under 1 ms).
import type { Arena } from "../runtime/arena.js";
import type { Kernels } from "../runtime/kernels.js";

export const ceil4 = (n: number): number => (n + 3) & ~3;
export const ceil16 = (n: number): number => (n + 15) & ~15;

/** Floats needed by packPanels for N rows of K columns. */
export function panelFloats(N: number, K: number): number {
  return ceil16(N) * K;
}

/**
 * Packs rows into 16-row panels. `row(n)` gives the source row of packed row n, or −1 for a
 * zero row (padding between gates); rows are K floats at src[srcOff + row·K].
 */
export function packPanels(
  out: Float32Array, outOff: number, src: Float32Array, srcOff: number, K: number, N: number, row: (n: number) => number,
): void {
  for (let n = 0; n < ceil16(N); n++) {
    const r = n < N ? row(n) : -1;
    const base = outOff + (n >> 4) * K * 16 + (n & 15);
    if (r < 0) {
      for (let k = 0; k < K; k++) out[base + k * 16] = 0;
      continue;
    }
    const s = srcOff + r * K;
    for (let k = 0; k < K; k++) out[base + k * 16] = src[s + k];
  }
}

/** Floats of source rows copied into linear memory per f32_pack_panels call (256 KiB). */
const CHUNK_FLOATS = 1 << 16;

/**
 * Packs `rows` source rows of K floats (at src[srcOff…]) as packed rows n0 … n0 + rows − 1 of
 * the panels at byte offset `out`, a zeroed arena block (padding rows are not written).
 * With `kernels`, the rows go through a temporary block in chunks and f32_pack_panels.
 */
export function packRows(
  arena: Arena, kernels: Kernels | undefined, out: number, src: Float32Array, srcOff: number, K: number, n0: number, rows: number,
): void {
  if (rows <= 0 || K <= 0) return;
  if (!kernels) {
    const f32 = arena.f32;
    for (let i = 0; i < rows; i++) {
      const n = n0 + i;
      const base = (out >> 2) + (n >> 4) * K * 16 + (n & 15);
      const s = srcOff + i * K;
      for (let k = 0; k < K; k++) f32[base + k * 16] = src[s + k];
    }
    return;
  }
  const chunk = Math.max(1, Math.min(rows, Math.floor(CHUNK_FLOATS / K)));
  const tmp = arena.alloc(chunk * K * 4, "packing buffer");
  try {
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      arena.f32.set(src.subarray(srcOff + r * K, srcOff + (r + n) * K), tmp >> 2);
      kernels.f32_pack_panels(out, tmp, K, n0 + r, n);
    }
  } finally {
    arena.release(tmp);
  }
}

/** packRows for a gate-major [G·H × K] matrix: gate g's H rows go to packed rows g·ceil4(H)…. */
export function packGateMajor(
  arena: Arena, kernels: Kernels | undefined, out: number, src: Float32Array, srcOff: number, K: number, G: number, H: number,
): void {
  for (let g = 0; g < G; g++) packRows(arena, kernels, out, src, srcOff + g * H * K, K, g * ceil4(H), H);
}
