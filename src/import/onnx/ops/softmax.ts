// Softmax and LogSoftmax. Before opset 13 the input is seen as 2-D, [prod(dims[:axis]),
// prod(dims[axis:])] with axis default 1, and each row is normalized; from 13 the op works along
// one axis, default −1. Sums run in float64 after subtracting the row maximum.
import { ModelFormatError } from "../../../errors.js";
import { type Value, allocData, sizeOf } from "../value.js";
import { type OpContext, type OpDef, normalizeAxis, required } from "./op.js";

/** Softmax over groups of `n` elements `stride` apart (stride 1: contiguous rows). */
function softmax(x: Value, outer: number, n: number, stride: number, log: boolean): Value {
  const src = x.data as Float32Array | Float64Array;
  const out = allocData(x.dtype, src.length) as Float32Array | Float64Array;
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < stride; s++) {
      const base = o * n * stride + s;
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, src[base + k * stride]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(src[base + k * stride] - max);
      if (log) {
        const lse = Math.log(sum);
        for (let k = 0; k < n; k++) out[base + k * stride] = src[base + k * stride] - max - lse;
      } else {
        for (let k = 0; k < n; k++) out[base + k * stride] = Math.exp(src[base + k * stride] - max) / sum;
      }
    }
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

function create(log: boolean) {
  return ({ opset, attrs, label }: OpContext) => {
    const axis = attrs.int("axis", opset < 13 ? 1 : -1);
    return {
      run: (inputs: readonly (Value | undefined)[]) => {
        const x = required(inputs, 0, label, "input");
        if (x.dtype !== "float32" && x.dtype !== "float64") throw new ModelFormatError(`${label}: expected a float input, found ${x.dtype}`);
        const r = x.dims.length;
        if (opset < 13) {
          const a = normalizeAxis(axis, Math.max(r, 1), label);
          return [softmax(x, sizeOf(x.dims.slice(0, a)), sizeOf(x.dims.slice(a)), 1, log)];
        }
        const a = normalizeAxis(axis, r, label);
        return [softmax(x, sizeOf(x.dims.slice(0, a)), x.dims[a], sizeOf(x.dims.slice(a + 1)), log)];
      },
    };
  };
}

export const SOFTMAX_OPS: Record<string, OpDef> = {
  Softmax: { since: 1, create: create(false) },
  LogSoftmax: { since: 1, create: create(true) },
};
