// The tensors the ONNX graph executor passes between nodes: row-major data, dims and an element
// type. Floats are float32 (float64 when the graph asks for DOUBLE); integers are int64
// (BigInt64Array: ONNX's shape and index type) or int32; bool is one byte per element.
// Values are never modified once made: ops write new ones (Reshape and Identity share data).
import { ModelFormatError, ResourceLimitError, UnsupportedError } from "../../errors.js";
import { type OnnxTensor, dataTypeName, tensorToFloat32 } from "./proto.js";
import { DataType } from "./wire.js";

export type DType = "float32" | "float64" | "int32" | "int64" | "bool";
export type ValueData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface Value {
  dtype: DType;
  dims: number[];
  data: ValueData;
}

/** The dtype an ONNX element type runs as, or undefined when the executor has none for it. */
export function dtypeOf(onnxType: number): DType | undefined {
  switch (onnxType) {
    case DataType.FLOAT: case DataType.FLOAT16: case DataType.BFLOAT16: return "float32";
    case DataType.DOUBLE: return "float64";
    case DataType.INT8: case DataType.UINT8: case DataType.INT16: case DataType.UINT16: case DataType.INT32: return "int32";
    case DataType.INT64: case DataType.UINT32: case DataType.UINT64: return "int64";
    case DataType.BOOL: return "bool";
    default: return undefined;
  }
}

export const isFloat = (dtype: DType): boolean => dtype === "float32" || dtype === "float64";

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** The most elements one host tensor may hold (1 GiB of float32, the runtime's default memory cap). */
export const MAX_ELEMENTS = 2 ** 28;

export function allocData(dtype: DType, n: number): ValueData {
  if (!(n <= MAX_ELEMENTS)) throw new ResourceLimitError(`a tensor of ${n} elements is more than the ${MAX_ELEMENTS} one tensor may hold`);
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "int32": return new Int32Array(n);
    case "int64": return new BigInt64Array(n);
    case "bool": return new Uint8Array(n);
  }
}

/** A 1-D int64 value (what Shape returns and shape inputs take). */
export function int64Vector(values: readonly number[]): Value {
  return { dtype: "int64", dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Every element as a number: shape vectors, axes, indices. */
export function numbersOf(v: Value): number[] {
  return Array.from(v.data as ArrayLike<number | bigint>, Number);
}

/** Copies data into another dtype: float → integer truncates toward zero; anything → bool is ≠ 0. */
export function castData(v: Value, to: DType): ValueData {
  const from = v.data;
  const n = from.length;
  if (v.dtype === to) return from;
  const out = allocData(to, n);
  if (to === "int64") {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const x = Number(from[i]);
      o[i] = Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n;
    }
  } else if (to === "bool") {
    for (let i = 0; i < n; i++) out[i] = Number(from[i]) !== 0 ? 1 : 0;
  } else if (to === "int32") {
    for (let i = 0; i < n; i++) out[i] = Math.trunc(Number(from[i]));
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(from[i]);
  }
  return out;
}

/** An ONNX tensor (an initializer or an attribute value) as a Value. */
export function valueFromTensor(t: OnnxTensor, where: string): Value {
  if (t.external) throw new ModelFormatError(`${where}: tensor "${t.name}" still waits for its external data "${t.external.location}"`);
  const dtype = dtypeOf(t.dataType);
  if (!dtype) throw new UnsupportedError(`${where}: tensor "${t.name}" has data type ${dataTypeName(t.dataType)}, which the graph executor does not run`);
  const dims = [...t.dims];
  const d = t.data;
  switch (dtype) {
    case "float32": return { dtype, dims, data: tensorToFloat32(t) };
    case "float64": return { dtype, dims, data: d as Float64Array };
    case "bool": return { dtype, dims, data: d as Uint8Array };
    case "int32": return { dtype, dims, data: d instanceof Int32Array ? d : Int32Array.from(d as ArrayLike<number>) };
    case "int64":
      if (d instanceof BigInt64Array) return { dtype, dims, data: d };
      return { dtype, dims, data: BigInt64Array.from(d as ArrayLike<number | bigint>, (x) => BigInt.asIntN(64, BigInt(x))) };
  }
}

/** Float32 data of a float value (float64 rounded), for the kernels and the public Tensor type. */
export function toFloat32(v: Value): Float32Array {
  return v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number | bigint>, Number);
}

