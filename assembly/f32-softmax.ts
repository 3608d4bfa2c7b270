// Row-wise softmax and log-softmax, in place, for the model's output layer.
//   softmax(x)_j = exp(x_j − m) / Σ exp(x_k − m),   log_softmax(x)_j = x_j − m − log Σ exp(x_k − m)
// with m = max_k x_k, so nothing overflows.
import { exp4, log1pUnit } from "./f32-activations";

/** log(s) for s ≥ 1 (s = Σ exp(x − m) ≥ 1): s = 2^e·(1 + u), u in [0, 1). */
function logAtLeastOne(s: f32): f32 {
  const bits = reinterpret<i32>(s);
  const e = (bits >> 23) - 127;
  const u = reinterpret<f32>((bits & 0x007fffff) | 0x3f800000) - 1.0;
  return f32x4.extract_lane(log1pUnit(f32x4.splat(u)), 0) + <f32>e * 0.6931471805599453;
}

/**
 * X: M rows of N floats at stride ld ≥ ceil4(N) floats; every row is rewritten in place.
 * Lanes between N and ceil4(N) are read and overwritten (they belong to the row's padding).
 * log ≠ 0 gives log-softmax.
 */
export function f32_softmax(X: usize, ld: i32, M: i32, N: i32, log: i32): void {
  const full = N & ~3;
  // Lanes at or past N in the last partial vector: they must not count.
  const tailMask = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(N - full));
  const negInf = f32x4.splat(-Infinity);
  for (let m = 0; m < M; m++) {
    const row = X + ((<usize>m * <usize>ld) << 2);
    let vmax = negInf;
    for (let j = 0; j < full; j += 4) vmax = f32x4.max(vmax, v128.load(row + (<usize>j << 2)));
    const tail = row + (<usize>full << 2);
    if (full < N) vmax = f32x4.max(vmax, v128.bitselect(v128.load(tail), negInf, tailMask));
    const mx = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
      max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    const vm = f32x4.splat(mx);
    let vsum = f32x4.splat(0);
    for (let j = 0; j < full; j += 4) {
      vsum = f32x4.add(vsum, exp4(f32x4.sub(v128.load(row + (<usize>j << 2)), vm)));
    }
    if (full < N) vsum = f32x4.add(vsum, v128.and(exp4(f32x4.sub(v128.load(tail), vm)), tailMask));
    const sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) +
      (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
    const end = (N + 3) & ~3;
    if (log != 0) {
      const logSum = f32x4.splat(logAtLeastOne(sum));
      for (let j = 0; j < end; j += 4) {
        const p = row + (<usize>j << 2);
        v128.store(p, f32x4.sub(f32x4.sub(v128.load(p), vm), logSum));
      }
    } else {
      const vs = f32x4.splat(sum);
      for (let j = 0; j < end; j += 4) {
        const p = row + (<usize>j << 2);
        v128.store(p, f32x4.div(exp4(f32x4.sub(v128.load(p), vm)), vs));
      }
    }
  }
}
