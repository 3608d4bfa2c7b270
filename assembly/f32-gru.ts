// GRU over a whole sequence (one direction), reading X·Wᵀ + biases from f32_gemm_2x16.
//   z = f(Xz + H·Rzᵀ)    r = f(Xr + H·Rrᵀ)          (Xz, Xr include Wb and Rb)
//   linear_before_reset ≠ 0:  h = g(Xh + r⊙(H·Rhᵀ + Rbh))          (Xh includes Wbh)
//   linear_before_reset = 0:  h = g(Xh + (r⊙H)·Rhᵀ)                (Xh includes Wbh + Rbh)
//   H_t = (1 − z)⊙h + z⊙H_{t-1};  clip applies to each pre-activation.
// With linear_before_reset ≠ 0 all three products use H_{t-1}: one product per step (gemmRows),
// then the cell. With 0 the h product needs r for every unit first: the z/r product and their
// activations, then a GEMM of r⊙H and the rest of the cell.
import { activateRange } from "./f32-activations";
import { clip, fA, fB, fK, flag as linearBeforeReset, gA, gB, gK, loadCellConfig } from "./cell-config";
import { f32_gemm_2x16, gemmRows, gemmRowsUnits } from "./f32-gemm";
import { ROW_BYTES, ROW_G, ROW_HPREV, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, storeLanes } from "./simd";
import { stepBarrier } from "./step-barrier";

// @ts-ignore: decorator
@inline function blend(z: v128, h: v128, hPrev: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), z), h), f32x4.mul(z, hPrev));
}

/**
 * z and r of one row in place: s holds the row's products (z, r at gate stride gs), g its G;
 * Hp units from there (fewer than the stride for a thread's slice of the units).
 */
function zrCell(s: usize, g: usize, gs: usize, Hp: i32): void {
  const end = <usize>Hp << 2;
  for (let u: usize = 0; u < end; u += 16) {
    v128.store(s + u, clampAbs(f32x4.add(v128.load(s + u), v128.load(g + u)), clip));
    v128.store(s + gs + u, clampAbs(f32x4.add(v128.load(s + gs + u), v128.load(g + gs + u)), clip));
  }
  if (end == gs) activateRange(s, 2 * Hp, fK, fA, fB);
  else {
    activateRange(s, Hp, fK, fA, fB);
    activateRange(s + gs, Hp, fK, fA, fB);
  }
}

/**
 * The rest of the cell of one row, once x_h (clipped, at xh) is known: h = g(x_h) in place, then
 * H_t = (1 − z)⊙h + z⊙H_{t-1} to y (lanes: floats of the last vector that are stored).
 */
function hCell(xh: usize, z: usize, hPrev: usize, y: usize, Hp: i32, lanes: i32): void {
  activateRange(xh, Hp, gK, gA, gB);
  const last = (<usize>Hp << 2) - 16;
  for (let u: usize = 0; u < last; u += 16) {
    v128.store(y + u, blend(v128.load(z + u), v128.load(xh + u), v128.load(hPrev + u)));
  }
  storeLanes(y + last, blend(v128.load(z + last), v128.load(xh + last), v128.load(hPrev + last)), lanes);
}

/**
 * One direction of an ONNX GRU over all steps, for batch rows b0 ≤ b < b1 of B.
 * G:       [T·B rows × ldg] input projections, gate-major (z, r, h), gate stride Hp = ceil4(H).
 * Rp:      linear_before_reset ≠ 0: R [3·Hp × K] in 16-row GEMM panels, rows gate-major like
 *          G's columns; = 0: only R's z and r rows [2·Hp × K], the same way (pack.ts).
 * Rh:      = 0 only: R's h rows [H × K] in 16-row GEMM panels. Otherwise unused.
 * Rbh:     [Hp] recurrent h bias (linear_before_reset ≠ 0; zeros if the layer has no bias).
 * H0:      [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy.
 * lens, table, hp, mask, maskZero: the row schedule, as f32_lstm_seq.
 * scratch: n = b1 − b0 rows: ≠ 0: n·ldg floats (the product H·Rᵀ);
 *          = 0: n·(ceil16(2·Hp) + Hp + ceil16(H)) (H·Rzrᵀ, r⊙H, (r⊙H)·Rhᵀ).
 * Rows of H0/Y are read as whole vectors: up to 3 floats past a row's end must be readable.
 * s0, s1:  run steps s0 ≤ s < s1 only (seq-schedule.ts); returns the step count (longest row).
 * u0, u1, bar: a thread's share of the units and the step barrier, as f32_lstm_seq
 *          (linear_before_reset ≠ 0 only: with 0, a step needs every unit's r in the middle).
 */
export function f32_gru_seq(
  G: usize, ldg: i32, Rp: usize, Rh: usize, Rbh: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  scratch: usize, B: i32, b0: i32, b1: i32, H: i32, K: i32, reverse: i32, cfg: usize,
  s0: i32, s1: i32, u0: i32, u1: i32, bar: usize,
): i32 {
  loadCellConfig(cfg);
  const Hp = (H + 3) & ~3;
  const gs = <usize>Hp << 2;
  const v0: usize = <usize>u0 << 2;
  const Hs = u1 != 0 ? min(u1, H) - u0 : H; // this call's units
  const Hsp = (Hs + 3) & ~3;
  const steps = maxLength(lens, b0, b1);
  for (let s = max(s0, 0), end = min(s1, steps); s < end; s++) {
    if (bar != 0 && s > 0) stepBarrier(bar);
    const n = scheduleStep(s, B, b0, b1, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table, u0, u1 != 0 ? min(u1, K) : K);
    if (linearBeforeReset) {
      gemmRowsUnits(table, n, K, Rp, (3 * Hp + 15) & ~15, scratch, ldg, 3, Hp, u0, u1);
      for (let q = 0; q < n; q++) {
        const e = table + <usize>q * ROW_BYTES;
        const sq = scratch + (<usize>q * <usize>ldg << 2) + v0;
        const g = load<usize>(e + ROW_G) + v0;
        zrCell(sq, g, gs, Hsp);
        // x_h = X_h + r⊙(H·R_hᵀ + Rb_h)
        const sh = sq + 2 * gs, gh = g + 2 * gs, rb = Rbh + v0;
        for (let u: usize = 0, uEnd = <usize>Hsp << 2; u < uEnd; u += 16) {
          const rh = f32x4.mul(v128.load(sq + gs + u), f32x4.add(v128.load(sh + u), v128.load(rb + u)));
          v128.store(sh + u, clampAbs(f32x4.add(v128.load(gh + u), rh), clip));
        }
        hCell(sh, sq, load<usize>(e + ROW_HPREV) + v0, load<usize>(e + ROW_Y) + v0, Hsp, Hs - (Hsp - 4));
      }
    } else stepReset(Rp, Rh, table, scratch, n, b1 - b0, H, K, gs);
  }
  return steps;
}

/** linear_before_reset = 0: z and r from one product, then (r⊙H)·Rhᵀ as a GEMM over the active rows. */
function stepReset(Rp: usize, Rh: usize, table: usize, scratch: usize, n: i32, rows: i32, H: i32, K: i32, gs: usize): void {
  const Hp = (H + 3) & ~3;
  const lzr = (2 * Hp + 15) & ~15;
  const ls = (H + 15) & ~15;
  const SZR = scratch; // [rows × lzr]: products, then z and r
  const RH = SZR + (<usize>rows * <usize>lzr << 2); // [rows × Hp]: r⊙H
  const S = RH + <usize>rows * gs; // [rows × ls]: (r⊙H)·Rhᵀ, then h
  gemmRows(table, n, K, Rp, lzr, SZR, lzr);
  for (let q = 0; q < n; q++) {
    const e = table + <usize>q * ROW_BYTES;
    const sq = SZR + (<usize>q * <usize>lzr << 2);
    zrCell(sq, load<usize>(e + ROW_G), gs, Hp);
    const hp = load<usize>(e + ROW_HPREV);
    const rh = RH + <usize>q * gs;
    for (let u: usize = 0; u < gs; u += 16) v128.store(rh + u, f32x4.mul(v128.load(sq + gs + u), v128.load(hp + u)));
  }
  f32_gemm_2x16(RH, Hp, n, K, Rh, 0, S, ls, ls);
  for (let q = 0; q < n; q++) {
    const e = table + <usize>q * ROW_BYTES;
    const gh = load<usize>(e + ROW_G) + 2 * gs;
    const sh = S + (<usize>q * <usize>ls << 2);
    for (let u: usize = 0; u < gs; u += 16) v128.store(sh + u, clampAbs(f32x4.add(v128.load(gh + u), v128.load(sh + u)), clip));
    hCell(sh, SZR + (<usize>q * <usize>lzr << 2), load<usize>(e + ROW_HPREV), load<usize>(e + ROW_Y), Hp, H - (Hp - 4));
  }
}
