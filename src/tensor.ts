// The tensor type of the public API: row-major float32 data with its dimensions.
import { ShapeError } from "./errors.js";

export interface Tensor {
  data: Float32Array;
  dims: readonly number[];
}

export function tensor(data: Float32Array | readonly number[], dims: readonly number[]): Tensor {
  const t = { data: data instanceof Float32Array ? data : Float32Array.from(data), dims: [...dims] };
  checkTensor(t, "tensor");
  return t;
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Checks that t is a Tensor whose data length matches its dims. */
export function checkTensor(t: unknown, name: string): asserts t is Tensor {
  const x = t as Tensor | undefined;
  if (!x || typeof x !== "object" || !(x.data instanceof Float32Array) || !Array.isArray(x.dims)) {
    throw new ShapeError(`${name}: expected { data: Float32Array, dims: number[] }, found ${describe(t)}`);
  }
  for (const d of x.dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${name}: dims must be non-negative integers, found [${x.dims}]`);
  }
  if (sizeOf(x.dims) !== x.data.length) {
    throw new ShapeError(`${name}: dims [${x.dims}] hold ${sizeOf(x.dims)} values, data has ${x.data.length}`);
  }
}

/** Checks dims against an expected shape; `formula` explains where the expected sizes come from. */
export function expectDims(name: string, dims: readonly number[], expected: readonly number[], formula: string): void {
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${name}: expected shape [${expected}] (${formula}), found [${dims}]`);
  }
}

/** True for arrays and typed arrays (anything indexable with a numeric length), not strings. */
export function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return (Array.isArray(v) || ArrayBuffer.isView(v)) && typeof (v as { length?: unknown }).length === "number";
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  return typeof v;
}
