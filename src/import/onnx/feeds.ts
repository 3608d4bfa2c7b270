// The caller's named inputs → executor values: names checked against the graph inputs, data
// converted to each input's element type (token ids to int64), dims checked against the
// declared shape — fixed sizes must match, a named size ("B", "T") must be the same wherever
// it appears — as onnxruntime checks them.
import { InvalidArgumentError, ShapeError } from "../../errors.js";
import type { Feeds } from "../../model/rnn-model.js";
import type { OnnxValueInfo } from "./proto.js";
import { type DType, type Value, type ValueData, dtypeOf, sizeOf } from "./value.js";

const dimsText = (d: readonly (number | string)[]) => `[${d.join(", ")}]`;

/** Converts and checks every feed; `free` names axes whose declared size is not enforced (a stream's time axis). */
export function prepareFeeds(inputs: readonly OnnxValueInfo[], feeds: Feeds, free: ReadonlyMap<string, number> = new Map()): Map<string, Value> {
  if (!feeds || typeof feeds !== "object") throw new InvalidArgumentError(`runNamed: expected an object of named inputs, found ${feeds === null ? "null" : typeof feeds}`);
  const expected = inputs.map((i) => i.name);
  const given = Object.keys(feeds);
  const missing = expected.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !expected.includes(n));
  if (missing.length || unknown.length) {
    const parts = [missing.length && `missing ${missing.map((n) => `"${n}"`).join(", ")}`, unknown.length && `unknown ${unknown.map((n) => `"${n}"`).join(", ")}`];
    throw new InvalidArgumentError(`runNamed: this model takes inputs ${expected.map((n) => `"${n}"`).join(", ")}; ${parts.filter(Boolean).join("; ")}`);
  }
  const bound = new Map<string, { size: number; where: string }>();
  const out = new Map<string, Value>();
  for (const info of inputs) {
    const v = toValue(info, feeds[info.name]);
    checkDims(info, v.dims, bound, free.get(info.name));
    out.set(info.name, v);
  }
  return out;
}

function toValue(info: OnnxValueInfo, t: unknown): Value {
  const where = `input "${info.name}"`;
  const x = t as { data?: ArrayLike<number | bigint>; dims?: unknown } | undefined;
  if (!x || typeof x !== "object" || !Array.isArray(x.dims) || !x.data || typeof x.data.length !== "number") {
    throw new ShapeError(`${where}: expected { data, dims }, found ${t === null ? "null" : typeof t}`);
  }
  const dims = x.dims as number[];
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`${where}: dims must be non-negative integers, found ${dimsText(dims)}`);
  if (sizeOf(dims) !== x.data.length) throw new ShapeError(`${where}: dims ${dimsText(dims)} hold ${sizeOf(dims)} values, data has ${x.data.length}`);
  const dtype: DType = dtypeOf(info.elemType) ?? "float32";
  return { dtype, dims: [...dims], data: convert(x.data, dtype, where) };
}

function convert(data: ArrayLike<number | bigint>, dtype: DType, where: string): ValueData {
  const n = data.length;
  switch (dtype) {
    case "float32":
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>, Number);
    case "float64":
      return data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>, Number);
    case "bool":
      return Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
    case "int32":
    case "int64": {
      if (dtype === "int64" && data instanceof BigInt64Array) return data;
      const out = dtype === "int64" ? new BigInt64Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if (typeof v === "bigint" ? false : !Number.isInteger(v)) {
          throw new InvalidArgumentError(`${where}: expected integers (${dtype}, e.g. token ids), found ${v} at index ${i}`);
        }
        out[i] = (dtype === "int64" ? BigInt(v) : Number(v)) as never;
      }
      return out;
    }
  }
}

function checkDims(info: OnnxValueInfo, dims: readonly number[], bound: Map<string, { size: number; where: string }>, freeAxis: number | undefined): void {
  if (!info.hasShape) return;
  const where = `input "${info.name}"`;
  const want = info.dims;
  if (dims.length !== want.length) throw new ShapeError(`${where}: expected ${want.length} dims ${dimsText(want)}, found ${dimsText(dims)}`);
  want.forEach((w, i) => {
    if (i === freeAxis) return;
    if (typeof w === "number") {
      if (dims[i] !== w) throw new ShapeError(`${where}: expected dims ${dimsText(want)}, found ${dimsText(dims)} (axis ${i} must be ${w})`);
    } else if (w !== "?" && w !== "") {
      const seen = bound.get(w);
      if (seen && seen.size !== dims[i]) {
        throw new ShapeError(`${where}: axis ${i} is "${w}" = ${dims[i]}, but ${seen.where} has "${w}" = ${seen.size}`);
      }
      if (!seen) bound.set(w, { size: dims[i], where });
    }
  });
}
