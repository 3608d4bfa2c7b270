// Writing a run's inputs into linear memory, validated on the way: sequence lengths, Keras
// masks and X (transposed from layout 1). Shared by RecurrentLayer.run, models and the ONNX importer.
import { ShapeError } from "../errors.js";
import { describe, isArrayLike } from "../tensor.js";

/**
 * Validates sequence lengths (default T) and writes them into the int32 block at word `at`.
 * Returns a JavaScript copy: a view into memory would detach if a later allocation grows it.
 */
export function writeLens(i32: Int32Array, at: number, given: ArrayLike<number> | undefined, T: number, B: number): Int32Array {
  const lens = new Int32Array(B);
  if (given == null) lens.fill(T);
  else {
    if (!isArrayLike(given)) throw new ShapeError(`sequenceLens: expected an array of ${B} lengths, found ${describe(given)}`);
    if (given.length !== B) throw new ShapeError(`sequenceLens: expected ${B} lengths (one per batch row), found ${given.length}`);
    for (let b = 0; b < B; b++) {
      const v = Number(given[b]);
      if (!Number.isInteger(v) || v < 0 || v > T) {
        throw new ShapeError(`sequenceLens[${b}]: expected an integer in [0, ${T}] (T = seq_length), found ${given[b]}`);
      }
      lens[b] = v;
    }
  }
  i32.set(lens, at);
  return lens;
}

/** Validates a mask of T·B values (layout order) and writes it as bytes (t·B + b) at `at`. */
export function writeMask(u8: Uint8Array, at: number, mask: ArrayLike<number | boolean>, T: number, B: number, layout: 0 | 1): void {
  if (!isArrayLike(mask) || mask.length !== T * B) {
    throw new ShapeError(`mask: expected ${T * B} values = T ${T} × B ${B} (${layout === 0 ? "[T, B]" : "[B, T]"}), found ${mask?.length}`);
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) u8[at + t * B + b] = mask[layout === 0 ? t * B + b : b * T + t] ? 1 : 0;
  }
}

/** Copies X into rows (t, b) of I floats; layout 1 input [B, T, I] is transposed on the way. */
export function copyIn(f32: Float32Array, at: number, X: Float32Array, T: number, B: number, I: number, layout: 0 | 1): void {
  if (layout === 0) {
    f32.set(X, at);
    return;
  }
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) f32.set(X.subarray((b * T + t) * I, (b * T + t + 1) * I), at + (t * B + b) * I);
  }
}
