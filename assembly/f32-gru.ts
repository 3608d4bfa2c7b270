// GRU over a whole sequence (one direction), reading X·Wᵀ + biases from f32_gemm_2x16.
//   z = f(Xz + H·Rzᵀ)    r = f(Xr + H·Rrᵀ)          (Xz, Xr include Wb and Rb)
//   linear_before_reset ≠ 0:  h = g(Xh + r⊙(H·Rhᵀ + Rbh))          (Xh includes Wbh)
//   linear_before_reset = 0:  h = g(Xh + (r⊙H)·Rhᵀ)                (Xh includes Wbh + Rbh)
//   H_t = (1 − z)⊙h + z⊙H_{t-1};  clip applies to each pre-activation.
// With linear_before_reset ≠ 0 all three products use H_{t-1}: one fused pass per step. With 0
// the h product needs r for every unit first: a fused z/r pass, then a GEMM and an epilogue.
import { activate } from "./f32-activations";
import { clip, fA, fB, fK, flag as linearBeforeReset, gA, gB, gK, loadCellConfig } from "./cell-config";
import { f32_gemm_2x16 } from "./f32-gemm";
import { ROW_BYTES, ROW_G, ROW_HPREV, ROW_Y, maxLength, scheduleStep } from "./seq-schedule";
import { clampAbs, madd, storeLanes } from "./simd";

// @ts-ignore: decorator
@inline function blend(z: v128, h: v128, hPrev: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), z), h), f32x4.mul(z, hPrev));
}

/** linear_before_reset ≠ 0, units u..u+3 of the row in entry e. */
// @ts-ignore: decorator
@inline function cellLbr(az: v128, ar: v128, ah: v128, e: usize, u: i32, gs: usize, Rbh: usize, H: i32): void {
  const uOff = <usize>u << 2;
  const g = load<usize>(e + ROW_G) + uOff;
  const z = activate(clampAbs(f32x4.add(az, v128.load(g)), clip), fK, fA, fB);
  const r = activate(clampAbs(f32x4.add(ar, v128.load(g + gs)), clip), fK, fA, fB);
  const xh = f32x4.add(v128.load(g + 2 * gs), f32x4.mul(r, f32x4.add(ah, v128.load(Rbh + uOff))));
  const h = activate(clampAbs(xh, clip), gK, gA, gB);
  const hPrev = v128.load(load<usize>(e + ROW_HPREV) + uOff);
  storeLanes(load<usize>(e + ROW_Y) + uOff, blend(z, h, hPrev), min(4, H - u));
}

/**
 * One direction of an ONNX GRU over all steps.
 * G:       [T·B rows × ldg] input projections, gate-major (z, r, h), gate stride Hp = ceil4(H).
 * Rp:      linear_before_reset ≠ 0: R packed per 4 units, per k 12 floats z|r|h (pack.ts);
 *          = 0: R's z and r rows packed per 4 units, per k 8 floats z|r.
 * Rh:      = 0 only: R's h rows [H × K] packed in 16-row GEMM panels. Otherwise unused.
 * Rbh:     [Hp] recurrent h bias (linear_before_reset ≠ 0; zeros if the layer has no bias).
 * H0:      [B × K] initial hidden state.  Y: rows (t, b) at Y + (t·B + b)·ldy.
 * lens, table, hp, mask, maskZero: the row schedule, as f32_lstm_seq.
 * scratch: = 0 only: 2·B·Hp + B·ceil16(Hp) floats (z, r⊙H, (r⊙H)·Rhᵀ).
 * Rows of H0/Y are read as whole vectors: up to 3 floats past a row's end must be readable.
 */
export function f32_gru_seq(
  G: usize, ldg: i32, Rp: usize, Rh: usize, Rbh: usize, H0: usize, Y: usize, ldy: i32,
  lens: usize, table: usize, hp: usize, mask: usize, maskZero: i32,
  scratch: usize, B: i32, H: i32, K: i32, reverse: i32, cfg: usize,
): void {
  loadCellConfig(cfg);
  const gs = <usize>((H + 3) & ~3) << 2;
  const steps = maxLength(lens, B);
  for (let s = 0; s < steps; s++) {
    const n = scheduleStep(s, B, lens, reverse != 0, mask, maskZero != 0, G, ldg, H0, K, Y, ldy, hp, table);
    if (linearBeforeReset) stepLbr(Rp, Rbh, table, n, H, K, gs);
    else stepReset(Rp, Rh, table, scratch, n, B, H, K, gs);
  }
}

function stepLbr(Rp: usize, Rbh: usize, table: usize, n: i32, H: i32, K: i32, gs: usize): void {
  const groupBytes = <usize>K * 48;
  for (let u = 0; u < H; u += 8) {
    const panel = Rp + <usize>(u >> 2) * groupBytes;
    const two = u + 4 < H;
    let q = 0;
    for (; q + 2 <= n; q += 2) {
      const e0 = table + <usize>q * ROW_BYTES, e1 = e0 + ROW_BYTES;
      const h0 = load<usize>(e0 + ROW_HPREV), h1 = load<usize>(e1 + ROW_HPREV);
      for (let j = 0, nj = two ? 2 : 1; j < nj; j++) {
        let z0 = f32x4.splat(0), r0 = z0, c0 = z0, z1 = z0, r1 = z0, c1 = z0;
        let w = panel + <usize>j * groupBytes;
        for (let k = 0; k < K; k++) {
          const off = <usize>k << 2;
          const x0 = v128.load32_splat(h0 + off), x1 = v128.load32_splat(h1 + off);
          const wz = v128.load(w), wr = v128.load(w, 16), wh = v128.load(w, 32);
          z0 = madd(x0, wz, z0); r0 = madd(x0, wr, r0); c0 = madd(x0, wh, c0);
          z1 = madd(x1, wz, z1); r1 = madd(x1, wr, r1); c1 = madd(x1, wh, c1);
          w += 48;
        }
        const uj = u + (j << 2);
        cellLbr(z0, r0, c0, e0, uj, gs, Rbh, H);
        cellLbr(z1, r1, c1, e1, uj, gs, Rbh, H);
      }
    }
    if (q < n) {
      const e0 = table + <usize>q * ROW_BYTES;
      const h0 = load<usize>(e0 + ROW_HPREV);
      // One row: two groups at once for 6 independent chains (same order as the 2-row path).
      let z0 = f32x4.splat(0), r0 = z0, c0 = z0, z1 = z0, r1 = z0, c1 = z0;
      let w = panel;
      const v0 = two ? groupBytes : 0;
      for (let k = 0; k < K; k++) {
        const x = v128.load32_splat(h0 + (<usize>k << 2));
        const v = w + v0;
        z0 = madd(x, v128.load(w), z0); r0 = madd(x, v128.load(w, 16), r0); c0 = madd(x, v128.load(w, 32), c0);
        z1 = madd(x, v128.load(v), z1); r1 = madd(x, v128.load(v, 16), r1); c1 = madd(x, v128.load(v, 32), c1);
        w += 48;
      }
      cellLbr(z0, r0, c0, e0, u, gs, Rbh, H);
      if (two) cellLbr(z1, r1, c1, e0, u + 4, gs, Rbh, H);
    }
  }
}

/** linear_before_reset = 0: z and r fused, then (r⊙H)·Rhᵀ as a GEMM over the active rows. */
function stepReset(Rp: usize, Rh: usize, table: usize, scratch: usize, n: i32, B: i32, H: i32, K: i32, gs: usize): void {
  const Z = scratch;
  const RH = Z + <usize>B * gs;
  const S = RH + <usize>B * gs;
  const ls = ((H + 15) & ~15);
  const groupBytes = <usize>K << 5;
  for (let u = 0; u < H; u += 4) {
    const panel = Rp + <usize>(u >> 2) * groupBytes;
    const uOff = <usize>u << 2;
    for (let q = 0; q < n; q++) {
      const e = table + <usize>q * ROW_BYTES;
      const hp = load<usize>(e + ROW_HPREV);
      let az = f32x4.splat(0), ar = az;
      let w = panel;
      for (let k = 0; k < K; k++) {
        const x = v128.load32_splat(hp + (<usize>k << 2));
        az = madd(x, v128.load(w), az); ar = madd(x, v128.load(w, 16), ar);
        w += 32;
      }
      const g = load<usize>(e + ROW_G) + uOff;
      const z = activate(clampAbs(f32x4.add(az, v128.load(g)), clip), fK, fA, fB);
      const r = activate(clampAbs(f32x4.add(ar, v128.load(g + gs)), clip), fK, fA, fB);
      const row = <usize>q * gs + uOff;
      v128.store(Z + row, z);
      v128.store(RH + row, f32x4.mul(r, v128.load(hp + uOff)));
    }
  }
  f32_gemm_2x16(RH, <i32>(gs >> 2), n, K, Rh, 0, S, ls, ls);
  for (let q = 0; q < n; q++) {
    const e = table + <usize>q * ROW_BYTES;
    const hp = load<usize>(e + ROW_HPREV), g = load<usize>(e + ROW_G) + 2 * gs, y = load<usize>(e + ROW_Y);
    for (let u = 0; u < H; u += 4) {
      const uOff = <usize>u << 2;
      const xh = f32x4.add(v128.load(g + uOff), v128.load(S + ((<usize>q * <usize>ls) << 2) + uOff));
      const h = activate(clampAbs(xh, clip), gK, gA, gB);
      const z = v128.load(Z + <usize>q * gs + uOff);
      storeLanes(y + uOff, blend(z, h, v128.load(hp + uOff)), min(4, H - u));
    }
  }
}
