// f32 GEMM with a 2×16 register tile: Y[M × N] = X[M × K] · Wᵀ + bias.
// Used for the input projection of every time step at once (X·Wᵀ + Wb + Rb into the gate
// buffer), for Dense layers, and (gemmRows) for the recurrent product H_{t-1}·Rᵀ of each step.
// KERNEL-NOTES: 2×16 is the widest tile that stays in V8's ≈14 vector registers (8 accumulators
// + 2 splats + 4 weights).
import { ROW_BYTES, ROW_HPREV } from "./seq-schedule";
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
  const panelBytes = <usize>K << 6;
  for (let p = 0; p < N; p += 16) {
    gemmPanel(X, ldx, M, K, Wp + (<usize>(p >> 4)) * panelBytes, bias != 0 ? bias + (<usize>p << 2) : 0, Y + (<usize>p << 2), ldy);
  }
}

/**
 * One 16-column panel of f32_gemm_2x16 for all M rows. A function of its own (Binaryen inlines
 * no function with loops) so that V8 can tier it up between panels: wasm has no on-stack
 * replacement, so a first call that did all the work in one loop nest ran entirely in the
 * baseline compiler's code (≈ 4× slower; W2's input projection took ≈ 7 ms instead of 1.6).
 */
function gemmPanel(X: usize, ldx: i32, M: i32, K: i32, panel: usize, bias: usize, Y: usize, ldy: i32): void {
  const xStride = <usize>ldx << 2;
  const yStride = <usize>ldy << 2;
  let x0 = X;
  let y0 = Y;
  let m = 0;
  for (; m + 2 <= M; m += 2) {
    tile2(x0, x0 + xStride, K, panel, y0, y0 + yStride, bias, false);
    x0 += xStride << 1;
    y0 += yStride << 1;
  }
  if (m < M) tile1(x0, K, panel, y0, bias, false);
}

/**
 * The 2×16 register tile: rows x0, x1 (K floats) times one 16-column panel block (K·64 bytes at
 * w), into y0, y1 (16 floats each). Each sum starts from y (acc), else from bias (16 floats, or
 * 0 for none), then adds k = 0 … K−1 in order: the same order in every caller and tile.
 * A function of its own, shared by gemmPanel and gemmRows: one hot loop for V8 to compile and
 * optimise instead of three near-copies (in a fresh process the first W2 run went from ≈ 13.7 to
 * ≈ 11 ms, as fewer functions wait for the optimising compiler; steady speed is unchanged).
 */
function tile2(x0: usize, x1: usize, K: i32, w: usize, y0: usize, y1: usize, bias: usize, acc: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  if (acc) {
    a0 = v128.load(y0); a1 = v128.load(y0, 16); a2 = v128.load(y0, 32); a3 = v128.load(y0, 48);
  } else if (bias != 0) {
    a0 = v128.load(bias); a1 = v128.load(bias, 16); a2 = v128.load(bias, 32); a3 = v128.load(bias, 48);
  }
  let c0 = a0, c1 = a1, c2 = a2, c3 = a3;
  if (acc) {
    c0 = v128.load(y1); c1 = v128.load(y1, 16); c2 = v128.load(y1, 32); c3 = v128.load(y1, 48);
  }
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
  v128.store(y1, c0); v128.store(y1, c1, 16); v128.store(y1, c2, 32); v128.store(y1, c3, 48);
}

/** tile2 for one row. */
function tile1(x0: usize, K: i32, w: usize, y0: usize, bias: usize, acc: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  if (acc) {
    a0 = v128.load(y0); a1 = v128.load(y0, 16); a2 = v128.load(y0, 32); a3 = v128.load(y0, 48);
  } else if (bias != 0) {
    a0 = v128.load(bias); a1 = v128.load(bias, 16); a2 = v128.load(bias, 32); a3 = v128.load(bias, 48);
  }
  for (let k = 0; k < K; k++) {
    const u = v128.load32_splat(x0 + (<usize>k << 2));
    a0 = madd(u, v128.load(w), a0); a1 = madd(u, v128.load(w, 16), a1);
    a2 = madd(u, v128.load(w, 32), a2); a3 = madd(u, v128.load(w, 48), a3);
    w += 64;
  }
  v128.store(y0, a0); v128.store(y0, a1, 16); v128.store(y0, a2, 32); v128.store(y0, a3, 48);
}

/**
 * K block of the recurrent product: 256 k (a 16 KB panel block) stays in L1 while every row
 * pair passes over it; the partial sums of a tile wait in S between blocks (same k order).
 */
const KC = 256;

/**
 * The recurrent product of one time step, for the rows the step runs (seq-schedule.ts):
 *   S[q] = H_q · Rᵀ   for q < n, H_q = the K floats at table entry q's ROW_HPREV.
 * Rp: R [N × K] in 16-row panels (pack.ts), N a multiple of 16.  S: n rows of lds ≥ N floats.
 * Every element sums k = 0..K−1 in order starting from 0 — in the 2-row and the 1-row tile and
 * across K blocks alike — so a row's result never depends on which rows share the step.
 * Loop order: K blocks, panels, row pairs: a panel block is reused by all rows from L1.
 */
export function gemmRows(table: usize, n: i32, K: i32, Rp: usize, N: i32, S: usize, lds: i32): void {
  const sStride = <usize>lds << 2;
  const panelBytes = <usize>K << 6;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const first = k0 == 0;
    const xOff = <usize>k0 << 2;
    for (let p = 0; p < N; p += 16) {
      const panel = Rp + <usize>(p >> 4) * panelBytes + (<usize>k0 << 6);
      let e = table;
      let y0 = S + (<usize>p << 2);
      let q = 0;
      for (; q + 2 <= n; q += 2) {
        const x0 = load<usize>(e + ROW_HPREV) + xOff;
        const x1 = load<usize>(e + ROW_BYTES + ROW_HPREV) + xOff;
        tile2(x0, x1, kc, panel, y0, y0 + sStride, 0, !first);
        e += ROW_BYTES << 1;
        y0 += sStride << 1;
      }
      if (q < n) tile1(load<usize>(e + ROW_HPREV) + xOff, kc, panel, y0, 0, !first);
    }
  }
}

/**
 * gemmRows for units u0 ≤ u < u1 of every gate (u1 = 0: all N columns at once): the gate-major
 * columns g·Hp + u, in one run of panels per gate. u0 and u1 are multiples of 16 and so is Hp
 * when gates > 1, so each run is whole panels and threads with disjoint units share no panel.
 */
export function gemmRowsUnits(
  table: usize, n: i32, K: i32, Rp: usize, N: i32, S: usize, lds: i32, gates: i32, Hp: i32, u0: i32, u1: i32,
): void {
  if (u1 == 0) {
    gemmRows(table, n, K, Rp, N, S, lds);
    return;
  }
  for (let g = 0; g < gates; g++) {
    const col = g * Hp + u0;
    gemmRows(table, n, K, Rp + (<usize>(col >> 4) * <usize>K << 6), u1 - u0, S + (<usize>col << 2), lds);
  }
}
