// f32 GEMM with a 2×16 register tile: Y[M × N] = X[M × K] · Wᵀ + bias.
// Used for the input projection of every time step at once (X·Wᵀ + Wb + Rb into the gate
// buffer) and for Dense layers. KERNEL-NOTES: 2×16 is the widest tile that stays in V8's
// ≈14 vector registers (8 accumulators + 2 splats + 4 weights).
import { madd } from "./simd";

/**
 * X:    M rows of K floats, row stride ldx (floats). Read-only.
 * Wp:   W [N × K] packed in panels of 16 rows: panel p holds, for k = 0..K−1, the 16 floats
 *       W[16p .. 16p+15, k] (see src/layers/pack.ts). N is a multiple of 16 (zero-padded).
 * bias: N floats, or 0 for none.
 * Y:    M rows of N floats, row stride ldy ≥ N. Must not alias X or Wp.
 * Loop order: panels outer, rows inner, so one 64·K-byte panel stays in L1 across all rows.
 */
export function f32_gemm_2x16(
  X: usize, ldx: i32, M: i32, K: i32, Wp: usize, bias: usize, Y: usize, ldy: i32, N: i32,
): void {
  const xStride = <usize>ldx << 2;
  const yStride = <usize>ldy << 2;
  const panelBytes = <usize>K << 6;
  for (let p = 0; p < N; p += 16) {
    const panel = Wp + (<usize>(p >> 4)) * panelBytes;
    let b0 = f32x4.splat(0), b1 = b0, b2 = b0, b3 = b0;
    if (bias != 0) {
      const bp = bias + (<usize>p << 2);
      b0 = v128.load(bp); b1 = v128.load(bp, 16); b2 = v128.load(bp, 32); b3 = v128.load(bp, 48);
    }
    let x0 = X;
    let y0 = Y + (<usize>p << 2);
    let m = 0;
    for (; m + 2 <= M; m += 2) {
      const x1 = x0 + xStride;
      let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
      let c0 = b0, c1 = b1, c2 = b2, c3 = b3;
      let w = panel;
      for (let k = 0; k < K; k++) {
        const off = <usize>k << 2;
        const u = v128.load32_splat(x0 + off);
        const v = v128.load32_splat(x1 + off);
        const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
        a0 = madd(u, w0, a0); a1 = madd(u, w1, a1); a2 = madd(u, w2, a2); a3 = madd(u, w3, a3);
        c0 = madd(v, w0, c0); c1 = madd(v, w1, c1); c2 = madd(v, w2, c2); c3 = madd(v, w3, c3);
        w += 64;
      }
      v128.store(y0, a0); v128.store(y0, a1, 16); v128.store(y0, a2, 32); v128.store(y0, a3, 48);
      const y1 = y0 + yStride;
      v128.store(y1, c0); v128.store(y1, c1, 16); v128.store(y1, c2, 32); v128.store(y1, c3, 48);
      x0 += xStride << 1;
      y0 += yStride << 1;
    }
    if (m < M) {
      let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
      let w = panel;
      for (let k = 0; k < K; k++) {
        const u = v128.load32_splat(x0 + (<usize>k << 2));
        a0 = madd(u, v128.load(w), a0); a1 = madd(u, v128.load(w, 16), a1);
        a2 = madd(u, v128.load(w, 32), a2); a3 = madd(u, v128.load(w, 48), a3);
        w += 64;
      }
      v128.store(y0, a0); v128.store(y0, a1, 16); v128.store(y0, a2, 32); v128.store(y0, a3, 48);
    }
  }
}
