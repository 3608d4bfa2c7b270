// Plain RNN over a whole sequence (one direction): H_t = f(Xt·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb),
// the input part precomputed by f32_gemm_2x16; per step the recurrent product (gemmRows), then
// f and clip for every unit.
import { activateRange } from "./f32-activations";
import { clip, fA, fB, fK, loadCellConfig } from "./cell-config";
import { gemmRowsUnits } from "./f32-gemm";
import { ROW_BYTES, ROW_G, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, storeLanes } from "./simd";
import { stepBarrier } from "./step-barrier";

/**
 * One direction of an ONNX RNN over all steps, for batch rows b0 ≤ b < b1 of B.
 * G:       [T·B rows × ldg] input projections (+ Wb + Rb), Hp = ceil4(H) used floats per row.
 * Rp:      R [H × K] packed in 16-row GEMM panels (pack.ts).
 * H0:      [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy.
 * lens, table, hp, mask, maskZero: the row schedule, as f32_lstm_seq.
 * scratch: (b1 − b0)·ldg floats: the recurrent product of a step (gemmRows).
 * s0, s1:  run steps s0 ≤ s < s1 only (seq-schedule.ts); returns the step count (longest row).
 * u0, u1, bar: a thread's share of the units and the step barrier, as f32_lstm_seq.
 */
export function f32_rnn_seq(
  G: usize, ldg: i32, Rp: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  B: i32, b0: i32, b1: i32, H: i32, K: i32, reverse: i32, cfg: usize, scratch: usize,
  s0: i32, s1: i32, u0: i32, u1: i32, bar: usize,
): i32 {
  loadCellConfig(cfg);
  const N = (H + 15) & ~15;
  const v0: usize = <usize>u0 << 2;
  const Hs = u1 != 0 ? min(u1, H) - u0 : H; // this call's units
  const end = <usize>((Hs + 3) & ~3) << 2;
  const steps = maxLength(lens, b0, b1);
  for (let s = max(s0, 0), last = min(s1, steps); s < last; s++) {
    if (bar != 0 && s > 0) stepBarrier(bar);
    const n = scheduleStep(s, B, b0, b1, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table, u0, u1 != 0 ? min(u1, K) : K);
    gemmRowsUnits(table, n, K, Rp, N, scratch, ldg, 1, 0, u0, u1);
    for (let q = 0; q < n; q++) {
      const e = table + <usize>q * ROW_BYTES;
      const sq = scratch + (<usize>q * <usize>ldg << 2) + v0;
      const g = load<usize>(e + ROW_G) + v0, y = load<usize>(e + ROW_Y) + v0;
      for (let u: usize = 0; u < end; u += 16) v128.store(sq + u, clampAbs(f32x4.add(v128.load(sq + u), v128.load(g + u)), clip));
      activateRange(sq, Hs, fK, fA, fB);
      for (let u: usize = 0; u < end - 16; u += 16) v128.store(y + u, v128.load(sq + u));
      storeLanes(y + end - 16, v128.load(sq + end - 16), Hs - (((Hs + 3) & ~3) - 4));
    }
  }
  return steps;
}
