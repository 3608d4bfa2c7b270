// Plain RNN over a whole sequence (one direction): H_t = f(Xt·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb),
// the input part precomputed by f32_gemm_2x16, the recurrent product fused with f and clip.
import { activate } from "./f32-activations";
import { clip, fA, fB, fK, loadCellConfig } from "./cell-config";
import { ROW_BYTES, ROW_G, ROW_HPREV, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, madd, storeLanes } from "./simd";

/** f(clip(acc + G)) for 4 units at u of the row in entry e. Out of line: 12 call sites. */
function cell(acc: v128, e: usize, u: i32, H: i32): void {
  if (u >= H) return;
  const uOff = <usize>u << 2;
  const x = clampAbs(f32x4.add(acc, v128.load(load<usize>(e + ROW_G) + uOff)), clip);
  storeLanes(load<usize>(e + ROW_Y) + uOff, activate(x, fK, fA, fB), min(4, H - u));
}

/**
 * One direction of an ONNX RNN over all steps.
 * G:  [T·B rows × ldg] input projections (+ Wb + Rb), Hp = ceil4(H) used floats per row.
 * Rp: R [H × K] packed in 16-row GEMM panels (pack.ts), so 4 accumulators per row.
 * H0: [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy.
 * lens, table, hp, mask, maskZero: the row schedule, as f32_lstm_seq.
 */
export function f32_rnn_seq(
  G: usize, ldg: i32, Rp: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  B: i32, H: i32, K: i32, reverse: i32, cfg: usize,
): void {
  loadCellConfig(cfg);
  const panelBytes = <usize>K << 6;
  const steps = maxLength(lens, B);
  for (let s = 0; s < steps; s++) {
    const n = scheduleStep(s, B, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table);
    for (let u = 0; u < H; u += 16) {
      const panel = Rp + <usize>(u >> 4) * panelBytes;
      let q = 0;
      for (; q + 2 <= n; q += 2) {
        const e0 = table + <usize>q * ROW_BYTES, e1 = e0 + ROW_BYTES;
        const h0 = load<usize>(e0 + ROW_HPREV), h1 = load<usize>(e1 + ROW_HPREV);
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        let w = panel;
        for (let k = 0; k < K; k++) {
          const off = <usize>k << 2;
          const x0 = v128.load32_splat(h0 + off), x1 = v128.load32_splat(h1 + off);
          const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
          a0 = madd(x0, w0, a0); a1 = madd(x0, w1, a1); a2 = madd(x0, w2, a2); a3 = madd(x0, w3, a3);
          c0 = madd(x1, w0, c0); c1 = madd(x1, w1, c1); c2 = madd(x1, w2, c2); c3 = madd(x1, w3, c3);
          w += 64;
        }
        cell(a0, e0, u, H); cell(a1, e0, u + 4, H); cell(a2, e0, u + 8, H); cell(a3, e0, u + 12, H);
        cell(c0, e1, u, H); cell(c1, e1, u + 4, H); cell(c2, e1, u + 8, H); cell(c3, e1, u + 12, H);
      }
      if (q < n) {
        const e0 = table + <usize>q * ROW_BYTES;
        const h0 = load<usize>(e0 + ROW_HPREV);
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        let w = panel;
        for (let k = 0; k < K; k++) {
          const x = v128.load32_splat(h0 + (<usize>k << 2));
          a0 = madd(x, v128.load(w), a0); a1 = madd(x, v128.load(w, 16), a1);
          a2 = madd(x, v128.load(w, 32), a2); a3 = madd(x, v128.load(w, 48), a3);
          w += 64;
        }
        cell(a0, e0, u, H); cell(a1, e0, u + 4, H); cell(a2, e0, u + 8, H); cell(a3, e0, u + 12, H);
      }
    }
  }
}
