// LSTM over a whole sequence (one direction): per step, the recurrent product H_{t-1}·Rᵀ
// (gemmRows) and then the cell for every unit of every row, reading the input projection
// X·Wᵀ + Wb + Rb precomputed by f32_gemm_2x16.
//   i = f(Xi + H·Riᵀ + Pi⊙C_{t-1})    f = f(Xf + H·Rfᵀ + Pf⊙C_{t-1})    c = g(Xc + H·Rcᵀ)
//   C_t = f⊙C_{t-1} + i⊙c             o = f(Xo + H·Roᵀ + Po⊙C_t)        H_t = o⊙h(C_t)
// (X· terms include both biases; clip applies to every pre-activation; input_forget: f = 1 − i.)
// With a projection (PyTorch proj_size): h_t = Wr·H_t, and h_t (K = proj floats) is what Y and
// the next step's recurrent product see; C keeps H units.
// The cell runs after the whole product (not in its registers), in passes over the units
// (activateRange): their activation chains are independent, so the CPU overlaps them instead of
// waiting on each (measured on W1: a cell fused into the product's registers cost ≈ 6.5 µs of
// ≈ 28, a cell vector by vector ≈ 5.2 µs, in passes ≈ 1 µs).
import { activateRange } from "./f32-activations";
import { f32_gemm_2x16, gemmRowsUnits } from "./f32-gemm";
import { clip, fA, fB, fK, flag as inputForget, gA, gB, gK, hA, hB, hK, loadCellConfig } from "./cell-config";
import { ROW_B, ROW_BYTES, ROW_G, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, madd, storeLanes } from "./simd";
import { stepBarrier } from "./step-barrier";

/**
 * The cell of one row, in passes over its units. s: the row's recurrent product (gate-major
 * i, o, f, c, gate stride gs bytes), rewritten in place; g: its input projection (same layout);
 * c: its C; y: where H_t goes (lanes: floats of the last vector that are stored).
 */
function rowCell(s: usize, g: usize, gs: usize, c: usize, P: usize, y: usize, H: i32, lanes: i32): void {
  const Hp = (H + 3) & ~3;
  const end = <usize>Hp << 2;
  // A thread's slice of the units (H < the gate stride) is not contiguous across gates.
  const whole = end == gs;
  // Pre-activations; x_o waits for C_t when there are peepholes.
  for (let u: usize = 0; u < end; u += 16) {
    const cPrev = v128.load(c + u);
    let xi = f32x4.add(v128.load(s + u), v128.load(g + u));
    const xo = f32x4.add(v128.load(s + gs + u), v128.load(g + gs + u));
    let xf = f32x4.add(v128.load(s + 2 * gs + u), v128.load(g + 2 * gs + u));
    const xc = f32x4.add(v128.load(s + 3 * gs + u), v128.load(g + 3 * gs + u));
    if (P != 0) {
      xi = madd(v128.load(P + u), cPrev, xi);
      xf = madd(v128.load(P + 2 * gs + u), cPrev, xf);
    }
    v128.store(s + u, clampAbs(xi, clip));
    v128.store(s + gs + u, P != 0 ? xo : clampAbs(xo, clip));
    v128.store(s + 2 * gs + u, clampAbs(xf, clip));
    v128.store(s + 3 * gs + u, clampAbs(xc, clip));
  }
  // i, o, f share the activation f and lie side by side: one pass unless o must wait.
  if (P != 0) {
    activateRange(s, Hp, fK, fA, fB);
    if (!inputForget) activateRange(s + 2 * gs, Hp, fK, fA, fB);
  } else if (whole) activateRange(s, (inputForget ? 2 : 3) * Hp, fK, fA, fB);
  else {
    activateRange(s, Hp, fK, fA, fB);
    activateRange(s + gs, Hp, fK, fA, fB);
    if (!inputForget) activateRange(s + 2 * gs, Hp, fK, fA, fB);
  }
  activateRange(s + 3 * gs, Hp, gK, gA, gB);
  // C_t = f⊙C_{t-1} + i⊙c (input_forget: f = 1 − i); C_t replaces c, for h(C_t).
  for (let u: usize = 0; u < end; u += 16) {
    const i = v128.load(s + u);
    const f = inputForget ? f32x4.sub(f32x4.splat(1), i) : v128.load(s + 2 * gs + u);
    const cNew = f32x4.add(f32x4.mul(f, v128.load(c + u)), f32x4.mul(i, v128.load(s + 3 * gs + u)));
    v128.store(c + u, cNew);
    v128.store(s + 3 * gs + u, cNew);
    if (P != 0) v128.store(s + gs + u, clampAbs(madd(v128.load(P + gs + u), cNew, v128.load(s + gs + u)), clip));
  }
  if (P != 0) activateRange(s + gs, Hp, fK, fA, fB);
  activateRange(s + 3 * gs, Hp, hK, hA, hB);
  // H_t = o⊙h(C_t)
  const last = end - 16;
  for (let u: usize = 0; u < last; u += 16) v128.store(y + u, f32x4.mul(v128.load(s + gs + u), v128.load(s + 3 * gs + u)));
  storeLanes(y + last, f32x4.mul(v128.load(s + gs + last), v128.load(s + 3 * gs + last)), lanes);
}

/**
 * One direction of an ONNX LSTM over all steps, for batch rows b0 ≤ b < b1 of B.
 * G:       [T·B rows × ldg] input projections, gate-major (i, o, f, c), gate stride Hp = ceil4(H).
 * Rp:      R [4·Hp × K] in 16-row GEMM panels, rows gate-major like G's columns (pack.ts).
 * P:       [3·Hp] peepholes i, o, f (padded like G), or 0.
 * C:       [B × Hp] cell state, in: initial, out: final (rows with len 0 untouched).
 * H0:      [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy, K floats written.
 * lens:    [B] i32 steps per row.  table: (b1 − b0)·16 bytes of scratch for the row schedule.
 * hp:      [B] words of scratch: after the call, row b's final hidden state is at hp[b].
 * mask:    0, or [T·B] bytes (0 = masked step, see seq-schedule.ts); maskZero: masked outputs 0.
 * Wr:      0, or the projection [K × H] in 16-row GEMM panels; then K is the projection size.
 * scratch: (b1 − b0)·ldg floats (the recurrent product), then with Wr (b1 − b0)·(Hp + ceil16(K))
 *          (H_t of each active row, then Wr·H_t).
 * Every row's sums run in the same order whatever rows share a step (gemmRows), so a row's
 * result never depends on the others, nor on how the batch is split between threads.
 * s0, s1:  run steps s0 ≤ s < s1 only (seq-schedule.ts); returns the step count (longest row).
 * u0, u1:  u1 = 0: all units; else only units u0 ≤ u < u1 (multiples of 16, Hp % 16 = 0, no
 *          Wr): one thread's share of a step, table, hp and scratch being its own.
 * bar:     0, or the step barrier all threads sharing the rows meet before each step s > 0.
 */
export function f32_lstm_seq(
  G: usize, ldg: i32, Rp: usize, P: usize, C: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  B: i32, b0: i32, b1: i32, H: i32, K: i32, reverse: i32, cfg: usize, Wr: usize, scratch: usize,
  s0: i32, s1: i32, u0: i32, u1: i32, bar: usize,
): i32 {
  loadCellConfig(cfg);
  const Hp = (H + 3) & ~3;
  const gs = <usize>Hp << 2;
  const N = (4 * Hp + 15) & ~15;
  const v0: usize = <usize>u0 << 2;
  const Hs = u1 != 0 ? min(u1, H) - u0 : H; // this call's units
  const j1 = u1 != 0 ? min(u1, K) : K;
  const S = scratch;
  const HT = S + (<usize>(b1 - b0) * <usize>ldg << 2);
  const K16 = (K + 15) & ~15;
  const PS = HT + (<usize>(b1 - b0) * gs);
  const steps = maxLength(lens, b0, b1);
  for (let s = max(s0, 0), end = min(s1, steps); s < end; s++) {
    if (bar != 0 && s > 0) stepBarrier(bar);
    const n = scheduleStep(s, B, b0, b1, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table, u0, j1);
    gemmRowsUnits(table, n, K, Rp, N, S, ldg, 4, Hp, u0, u1);
    for (let q = 0; q < n; q++) {
      const e = table + <usize>q * ROW_BYTES;
      const sq = S + (<usize>q * <usize>ldg << 2);
      const g = load<usize>(e + ROW_G);
      const c = C + <usize>load<i32>(e + ROW_B) * gs;
      // With a projection, H_t goes to row q of HT until Wr·H_t is known.
      const y = Wr != 0 ? HT + <usize>q * gs : load<usize>(e + ROW_Y);
      rowCell(sq + v0, g + v0, gs, c + v0, P != 0 ? P + v0 : 0, y + v0, Hs, Wr != 0 ? 4 : Hs - (((Hs + 3) & ~3) - 4));
    }
    if (Wr != 0) {
      // h_t = Wr·H_t for the active rows, then into their Y rows.
      f32_gemm_2x16(HT, Hp, n, H, Wr, 0, PS, K16, K16);
      for (let q = 0; q < n; q++) {
        const y = load<usize>(table + <usize>q * ROW_BYTES + ROW_Y);
        const src = PS + ((<usize>q * <usize>K16) << 2);
        for (let j = 0; j < K; j++) store<f32>(y + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
  }
  return steps;
}
