// Vectorized activation functions of the ONNX recurrent operators (f32x4, no Math.* calls).
// Ids must match ACTIVATION_IDS in src/layers/activations.ts; test/kernels/activations.test.ts
// checks every id against the scalar reference, so a mismatch fails there.
//
// Accuracy against f64, measured by that test over [-20, 20] plus saturating inputs: sigmoid,
// tanh, softsign, hard sigmoid ≤ 6e-8 absolute (1 ulp near 1); tanh also ≤ 5e-7 relative near
// 0 (expm1, no cancellation); elu, softplus, scaled tanh ≤ 1.2e-7. exp/expm1: Cody–Waite
// reduction and a degree-7 Taylor polynomial on |r| ≤ ln2/2 (truncation < 6e-9).
// NaN propagates through every function; ±Inf saturates. Clamps use pmin/pmax with the variable
// first (pmax(x, c) = x < c ? c : x keeps a NaN x): one instruction each in V8, where min/max
// cost seven (they order NaN and ±0), and equal to min/max for every non-NaN input.

export const ACT_SIGMOID: i32 = 0;
export const ACT_TANH: i32 = 1;
export const ACT_RELU: i32 = 2;
export const ACT_AFFINE: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_THRESHOLDED_RELU: i32 = 5;
export const ACT_SCALED_TANH: i32 = 6;
export const ACT_HARD_SIGMOID: i32 = 7;
export const ACT_ELU: i32 = 8;
export const ACT_SOFTSIGN: i32 = 9;
export const ACT_SOFTPLUS: i32 = 10;

// exp(88) < FLT_MAX and exp(-87) > FLT_MIN: inside this range 2^n is a normal float.
const EXP_HI: f32 = 88.0;
const EXP_LO: f32 = -87.0;
const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so that n·LN2_HI is exact for |n| ≤ 128 (Cody–Waite).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SIGN_MASK: i32 = 0x80000000;

/** expm1(r) for |r| ≤ ln2/2: Taylor to r⁷ (truncation < 6e-9 relative). */
// @ts-ignore: decorator
@inline function expm1Poly(r: v128): v128 {
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  return f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r);
}

// y = n·ln2 + r with n = round(y·log2 e), after clamping y to [EXP_LO, EXP_HI].
// @ts-ignore: decorator
@inline function clampExp(y: v128): v128 {
  return f32x4.pmin(f32x4.pmax(y, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
}
/**
 * Rounding by the 1.5·2^23 trick: for |v| < 2^22, (v + ROUNDER) rounds v to the nearest integer
 * (ties to even, exactly as f32x4.nearest) and holds it in its low mantissa bits; − ROUNDER gives
 * it as a float. |y·log2 e| ≤ 128 after clampExp. Cheaper in V8 than nearest + trunc_sat.
 */
const ROUNDER: f32 = 12582912.0;
// @ts-ignore: decorator
@inline function shifted(y: v128): v128 {
  return f32x4.add(f32x4.mul(y, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
}
// @ts-ignore: decorator
@inline function remainder(y: v128, n: v128): v128 {
  return f32x4.sub(f32x4.sub(y, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
}
/**
 * 2^n for integral n in [-126, 127], built in the exponent bits from s = n + ROUNDER, whose bits
 * are those of ROUNDER plus n: bits(s) + 127 ends in the 9 bits n + 127 (ROUNDER's low bits are
 * zero), and the shift by 23 drops everything above them.
 */
// @ts-ignore: decorator
@inline function pow2(s: v128): v128 {
  return i32x4.shl(i32x4.add(s, i32x4.splat(127)), 23);
}

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const y = clampExp(x);
  const s = shifted(y);
  const n = f32x4.sub(s, f32x4.splat(ROUNDER));
  return f32x4.mul(pow2(s), f32x4.add(expm1Poly(remainder(y, n)), f32x4.splat(1.0)));
}

/** exp(x) − 1 without cancellation near 0: 2^n·p + (2^n − 1). */
// @ts-ignore: decorator
@inline export function expm14(x: v128): v128 {
  const y = clampExp(x);
  const s = shifted(y);
  const n = f32x4.sub(s, f32x4.splat(ROUNDER));
  const scale = pow2(s);
  return f32x4.add(f32x4.mul(scale, expm1Poly(remainder(y, n))), f32x4.sub(scale, f32x4.splat(1.0)));
}

// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), exp4(f32x4.neg(x))));
}

/** tanh|x| = e / (e + 2) with e = expm1(2|x|), then the sign of x. |x| ≥ 9 rounds to 1. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(SIGN_MASK));
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(9.0));
  const e = expm14(f32x4.add(a, a));
  return v128.or(f32x4.div(e, f32x4.add(e, f32x4.splat(2.0))), sign);
}

/** log1p(u) for u in [0, 1]: s = u/(u+2) (or (u−1)/(u+3) above √2−1, plus ln 2), atanh series. */
// @ts-ignore: decorator
@inline export function log1pUnit(u: v128): v128 {
  const big = f32x4.gt(u, f32x4.splat(0.41421356));
  const s0 = f32x4.div(u, f32x4.add(u, f32x4.splat(2.0)));
  const s1 = f32x4.div(f32x4.sub(u, f32x4.splat(1.0)), f32x4.add(u, f32x4.splat(3.0)));
  const s = v128.bitselect(s1, s0, big);
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(2.0 / 9.0);
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(2.0 / 7.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(2.0 / 5.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(2.0 / 3.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(2.0));
  const k = v128.and(big, f32x4.splat(0.6931471805599453));
  return f32x4.add(f32x4.mul(p, s), k);
}

/** Every activation but the two hot ones; kept out of line to keep the fused cell loops small. */
function activateAny(x: v128, kind: i32, alpha: v128, beta: v128): v128 {
  const zero = f32x4.splat(0);
  switch (kind) {
    case ACT_SIGMOID: return sigmoid4(x);
    case ACT_TANH: return tanh4(x);
    case ACT_RELU: return f32x4.max(x, zero);
    case ACT_AFFINE: return f32x4.add(f32x4.mul(alpha, x), beta);
    case ACT_LEAKY_RELU: return v128.bitselect(x, f32x4.mul(alpha, x), f32x4.ge(x, zero));
    case ACT_THRESHOLDED_RELU: return v128.and(x, f32x4.gt(x, alpha));
    case ACT_SCALED_TANH: return f32x4.mul(alpha, tanh4(f32x4.mul(beta, x)));
    case ACT_HARD_SIGMOID: {
      const y = f32x4.add(f32x4.mul(alpha, x), beta);
      return f32x4.max(f32x4.min(y, f32x4.splat(1.0)), zero);
    }
    case ACT_ELU: {
      const neg = f32x4.mul(alpha, expm14(f32x4.min(x, zero)));
      return v128.bitselect(x, neg, f32x4.ge(x, zero));
    }
    case ACT_SOFTSIGN: return f32x4.div(x, f32x4.add(f32x4.splat(1.0), f32x4.abs(x)));
    case ACT_SOFTPLUS: {
      const u = exp4(f32x4.neg(f32x4.abs(x)));
      // softplus(x) = max(x, 0) + log1p(exp(−|x|)): no overflow for large |x|.
      return f32x4.add(f32x4.max(x, zero), log1pUnit(u));
    }
    default: return x;
  }
}

/**
 * act(x) over n floats at p, in place (whole vectors: ceil4(n) floats are rewritten). The cells
 * call this once per gate and row rather than per vector: iterations are independent, so the
 * CPU overlaps several ≈ 100-cycle exp/div chains, where a cell evaluated vector by vector
 * waits on each chain in turn (measured: 5.2 µs for W1's 256 units, vs ≈ 1 µs in passes).
 * Sigmoid and tanh, which run in every cell, get loops of their own; the rest go through one call.
 */
export function activateRange(p: usize, n: i32, kind: i32, alpha: f32, beta: f32): void {
  const end = p + (<usize>((n + 3) & ~3) << 2);
  if (kind == ACT_SIGMOID) {
    for (let q = p; q < end; q += 16) v128.store(q, sigmoid4(v128.load(q)));
  } else if (kind == ACT_TANH) {
    for (let q = p; q < end; q += 16) v128.store(q, tanh4(v128.load(q)));
  } else {
    const a = f32x4.splat(alpha), b = f32x4.splat(beta);
    for (let q = p; q < end; q += 16) v128.store(q, activateAny(v128.load(q), kind, a, b));
  }
}

/**
 * Y[i] = act(X[i]) for i < n. X and Y may alias. Used by tests and by the model's Activation
 * layer. Reads and writes whole vectors: both buffers must have room for ceil4(n) floats.
 */
export function f32_activation(X: usize, Y: usize, n: i32, kind: i32, alpha: f32, beta: f32): void {
  const a = f32x4.splat(alpha);
  const b = f32x4.splat(beta);
  for (let i = 0; i < n; i += 4) {
    const off = <usize>i << 2;
    v128.store(Y + off, activateAny(v128.load(X + off), kind, a, b));
  }
}
