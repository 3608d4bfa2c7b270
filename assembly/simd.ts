// Shared f32x4 helpers for every kernel family.
// madd is the only place where the plain and the relaxed-SIMD builds differ.

/** a·b + c. Plain SIMD rounds twice (deterministic everywhere); the relaxed build may fuse. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Stores the first n (1..4) lanes of v at p: rows of H floats end inside a vector when H % 4 ≠ 0. */
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * Clamps to [-clip, clip]; clip = +Inf means "no clip". pmax(x, c) = x < c ? c : x (and pmin
 * alike) keep a NaN x, equal min/max on every other input, and cost one instruction in V8
 * where min/max cost seven.
 */
// @ts-ignore: decorator
@inline export function clampAbs(x: v128, clip: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, f32x4.neg(clip)), clip);
}
