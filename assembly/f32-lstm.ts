// LSTM over a whole sequence (one direction): per step, the recurrent product H_{t-1}·Rᵀ fused
// with the cell, reading the input projection X·Wᵀ + Wb + Rb precomputed by f32_gemm_2x16.
//   i = f(Xi + H·Riᵀ + Pi⊙C_{t-1})    f = f(Xf + H·Rfᵀ + Pf⊙C_{t-1})    c = g(Xc + H·Rcᵀ)
//   C_t = f⊙C_{t-1} + i⊙c             o = f(Xo + H·Roᵀ + Po⊙C_t)        H_t = o⊙h(C_t)
// (X· terms include both biases; clip applies to every pre-activation; input_forget: f = 1 − i.)
// With a projection (PyTorch proj_size): h_t = Wr·H_t, and h_t (K = proj floats) is what Y and
// the next step's recurrent product see; C keeps H units.
import { activate } from "./f32-activations";
import { f32_gemm_2x16 } from "./f32-gemm";
import { clip, fA, fB, fK, flag as inputForget, gA, gB, gK, hA, hB, hK, loadCellConfig } from "./cell-config";
import { ROW_B, ROW_BYTES, ROW_G, ROW_HPREV, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, madd, storeLanes } from "./simd";

/**
 * The cell for 4 units u..u+3 of one row. g: this row's G at unit u (gate stride gs bytes, order
 * i, o, f, c); c: this row's C at u; p: P at u or 0 (same gate stride, order i, o, f); y: Y at u.
 */
// @ts-ignore: decorator
@inline function cell(
  ai: v128, ao: v128, af: v128, ac: v128, g: usize, gs: usize, c: usize, p: usize, y: usize, lanes: i32,
): void {
  const cPrev = v128.load(c);
  let xi = f32x4.add(ai, v128.load(g));
  let xo = f32x4.add(ao, v128.load(g + gs));
  let xf = f32x4.add(af, v128.load(g + 2 * gs));
  const xc = clampAbs(f32x4.add(ac, v128.load(g + 3 * gs)), clip);
  if (p != 0) {
    xi = madd(v128.load(p), cPrev, xi);
    xf = madd(v128.load(p + 2 * gs), cPrev, xf);
  }
  const i = activate(clampAbs(xi, clip), fK, fA, fB);
  const f = inputForget ? f32x4.sub(f32x4.splat(1), i) : activate(clampAbs(xf, clip), fK, fA, fB);
  const cNew = f32x4.add(f32x4.mul(f, cPrev), f32x4.mul(i, activate(xc, gK, gA, gB)));
  v128.store(c, cNew);
  if (p != 0) xo = madd(v128.load(p + gs), cNew, xo);
  const o = activate(clampAbs(xo, clip), fK, fA, fB);
  storeLanes(y, f32x4.mul(o, activate(cNew, hK, hA, hB)), lanes);
}

/**
 * One direction of an ONNX LSTM over all steps.
 * G:     [T·B rows × ldg] input projections, gate-major (i, o, f, c) with gate stride Hp = ceil4(H).
 * Rp:    R [4H × K] packed in groups of 4 units: per group, per k, 16 floats i|o|f|c (pack.ts).
 * P:     [3·Hp] peepholes i, o, f (padded like G), or 0.
 * C:     [B × Hp] cell state, in: initial, out: final (rows with len 0 untouched).
 * H0:    [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy, K floats written.
 * lens:  [B] i32 steps per row.  table: B·16 bytes of scratch for the row schedule.
 * hp:    [B] words of scratch: after the call, row b's final hidden state is at hp[b].
 * mask:  0, or [T·B] bytes (0 = masked step, see seq-schedule.ts); maskZero: masked outputs 0.
 * Wr:    0, or the projection [K × H] in 16-row GEMM panels; then K is the projection size and
 *        scratch holds B·Hp + B·ceil16(K) floats (H_t of each active row, then Wr·H_t).
 * The 2-row and 1-row paths accumulate in the same order, so a row's result never depends on
 * which other rows share the batch.
 */
export function f32_lstm_seq(
  G: usize, ldg: i32, Rp: usize, P: usize, C: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  B: i32, H: i32, K: i32, reverse: i32, cfg: usize, Wr: usize, scratch: usize,
): void {
  loadCellConfig(cfg);
  const Hp = (H + 3) & ~3;
  const gs = <usize>Hp << 2;
  projHT = Wr != 0 ? scratch : 0;
  projTable = table;
  const K16 = (K + 15) & ~15;
  const S = scratch + <usize>B * gs;
  const groupBytes = <usize>K << 6;
  const steps = maxLength(lens, B);
  for (let s = 0; s < steps; s++) {
    const n = scheduleStep(s, B, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table);
    for (let u = 0; u < H; u += 8) {
      const panel = Rp + <usize>(u >> 2) * groupBytes;
      const two = u + 4 < H; // a second group of 4 units exists in this block
      let q = 0;
      // Two rows × one group: 8 accumulators share each weight load.
      for (; q + 2 <= n; q += 2) {
        const e0 = table + <usize>q * ROW_BYTES;
        const e1 = e0 + ROW_BYTES;
        for (let j = 0, nj = two ? 2 : 1; j < nj; j++) {
          const uj = u + (j << 2);
          const h0 = load<usize>(e0 + ROW_HPREV), h1 = load<usize>(e1 + ROW_HPREV);
          let i0 = f32x4.splat(0), o0 = i0, f0 = i0, c0 = i0, i1 = i0, o1 = i0, f1 = i0, c1 = i0;
          let w = panel + <usize>j * groupBytes;
          for (let k = 0; k < K; k++) {
            const off = <usize>k << 2;
            const x0 = v128.load32_splat(h0 + off), x1 = v128.load32_splat(h1 + off);
            const wi = v128.load(w), wo = v128.load(w, 16), wf = v128.load(w, 32), wc = v128.load(w, 48);
            i0 = madd(x0, wi, i0); o0 = madd(x0, wo, o0); f0 = madd(x0, wf, f0); c0 = madd(x0, wc, c0);
            i1 = madd(x1, wi, i1); o1 = madd(x1, wo, o1); f1 = madd(x1, wf, f1); c1 = madd(x1, wc, c1);
            w += 64;
          }
          rowCell(i0, o0, f0, c0, e0, uj, gs, C, P, H);
          rowCell(i1, o1, f1, c1, e1, uj, gs, C, P, H);
        }
      }
      if (q < n) {
        const e0 = table + <usize>q * ROW_BYTES;
        const h0 = load<usize>(e0 + ROW_HPREV);
        if (two) {
          // One row × two groups: 8 independent accumulator chains for latency.
          let i0 = f32x4.splat(0), o0 = i0, f0 = i0, c0 = i0, i1 = i0, o1 = i0, f1 = i0, c1 = i0;
          let w = panel;
          for (let k = 0; k < K; k++) {
            const x = v128.load32_splat(h0 + (<usize>k << 2));
            const v = w + groupBytes;
            i0 = madd(x, v128.load(w), i0); o0 = madd(x, v128.load(w, 16), o0);
            f0 = madd(x, v128.load(w, 32), f0); c0 = madd(x, v128.load(w, 48), c0);
            i1 = madd(x, v128.load(v), i1); o1 = madd(x, v128.load(v, 16), o1);
            f1 = madd(x, v128.load(v, 32), f1); c1 = madd(x, v128.load(v, 48), c1);
            w += 64;
          }
          rowCell(i0, o0, f0, c0, e0, u, gs, C, P, H);
          rowCell(i1, o1, f1, c1, e0, u + 4, gs, C, P, H);
        } else {
          let i0 = f32x4.splat(0), o0 = i0, f0 = i0, c0 = i0;
          let w = panel;
          for (let k = 0; k < K; k++) {
            const x = v128.load32_splat(h0 + (<usize>k << 2));
            i0 = madd(x, v128.load(w), i0); o0 = madd(x, v128.load(w, 16), o0);
            f0 = madd(x, v128.load(w, 32), f0); c0 = madd(x, v128.load(w, 48), c0);
            w += 64;
          }
          rowCell(i0, o0, f0, c0, e0, u, gs, C, P, H);
        }
      }
    }
    if (Wr != 0) {
      // h_t = Wr·H_t for the active rows, then into their Y rows.
      f32_gemm_2x16(scratch, Hp, n, H, Wr, 0, S, K16, K16);
      for (let q = 0; q < n; q++) {
        const y = load<usize>(table + <usize>q * ROW_BYTES + ROW_Y);
        const src = S + ((<usize>q * <usize>K16) << 2);
        for (let j = 0; j < K; j++) store<f32>(y + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
  }
}

// With a projection, H_t goes to row q of a scratch block (not to Y) until Wr·H_t is known.
let projHT: usize = 0;
let projTable: usize = 0;

/** Resolves one schedule entry's pointers for units u..u+3 and runs the cell. */
// @ts-ignore: decorator
@inline function rowCell(
  ai: v128, ao: v128, af: v128, ac: v128, e: usize, u: i32, gs: usize, C: usize, P: usize, H: i32,
): void {
  const uOff = <usize>u << 2;
  const b = <usize>load<i32>(e + ROW_B);
  const y = projHT != 0 ? projHT + (e - projTable) / ROW_BYTES * gs + uOff : load<usize>(e + ROW_Y) + uOff;
  cell(ai, ao, af, ac, load<usize>(e + ROW_G) + uOff, gs, C + b * gs + uOff,
    P != 0 ? P + uOff : 0, y, projHT != 0 ? 4 : min(4, H - u));
}
