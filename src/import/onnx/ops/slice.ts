// Indexing ONNX ops: Gather (embeddings and shape lookups), Slice, Split and Concat, as block
// copies between typed arrays. Opset differences: Slice takes starts/ends/axes as attributes
// before 10 and as inputs (plus steps) from 10; Split takes `split` as an attribute before 13,
// as an input from 13, and may give num_outputs (uneven last part) from 18.
import { InvalidArgumentError, ModelFormatError, ShapeError } from "../../../errors.js";
import { type Value, allocData, numbersOf, sizeOf } from "../value.js";
import { type NodeRunner, type OpContext, type OpDef, expectDType, normalizeAxis, required, stridesOf } from "./op.js";

const dimsText = (d: readonly number[]) => `[${d.join(", ")}]`;

/** Elements [start, start + len) of `axis` (len may be 0). */
function sliceAxis(x: Value, axis: number, start: number, len: number): Value {
  const outer = sizeOf(x.dims.slice(0, axis));
  const n = x.dims[axis];
  const inner = sizeOf(x.dims.slice(axis + 1));
  const dims = [...x.dims];
  dims[axis] = len;
  if (start === 0 && len === n) return { dtype: x.dtype, dims, data: x.data };
  const out = allocData(x.dtype, outer * len * inner);
  for (let o = 0; o < outer; o++) {
    const from = (o * n + start) * inner;
    (out as Float32Array).set((x.data as Float32Array).subarray(from, from + len * inner), o * len * inner);
  }
  return { dtype: x.dtype, dims, data: out };
}

function gather(data: Value, indices: Value, axis: number, label: string): Value {
  expectDType(indices, ["int64", "int32"], label, "indices");
  const a = normalizeAxis(axis, data.dims.length, label);
  const n = data.dims[a];
  const outer = sizeOf(data.dims.slice(0, a));
  const inner = sizeOf(data.dims.slice(a + 1));
  const idx = indices.data;
  const m = idx.length;
  const out = allocData(data.dtype, outer * m * inner);
  const src = data.data as Float32Array;
  for (let j = 0; j < m; j++) {
    let k = Number(idx[j]);
    if (k < -n || k >= n) {
      throw new InvalidArgumentError(`${label}: index ${idx[j]} at position ${j} is out of range for axis ${a} of size ${n} (expected −${n} ≤ index < ${n})`);
    }
    if (k < 0) k += n;
    for (let o = 0; o < outer; o++) {
      const from = (o * n + k) * inner;
      (out as Float32Array).set(src.subarray(from, from + inner), (o * m + j) * inner);
    }
  }
  return { dtype: data.dtype, dims: [...data.dims.slice(0, a), ...indices.dims, ...data.dims.slice(a + 1)], data: out };
}

/** ONNX Slice on one tensor: per listed axis a start, end and step, clamped as the spec says. */
function slice(x: Value, starts: number[], ends: number[], axesIn: number[] | undefined, stepsIn: number[] | undefined, label: string): Value {
  const r = x.dims.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normalizeAxis(a, r, label));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError(`${label}: starts, ends, axes and steps must have one length, found ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`);
  }
  const begin = new Array<number>(r).fill(0);
  const step = new Array<number>(r).fill(1);
  const dims = [...x.dims];
  axes.forEach((a, i) => {
    const d = x.dims[a];
    const st = steps[i];
    if (st === 0 || !Number.isFinite(st)) throw new ShapeError(`${label}: step 0 on axis ${a}`);
    let s = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (st > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    begin[a] = s;
    step[a] = st;
    dims[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  const n = sizeOf(dims);
  if (dims.every((d, i) => d === x.dims[i])) return x;
  const strides = stridesOf(x.dims);
  const out = allocData(x.dtype, n);
  const src = x.data;
  const jump = step.map((s, k) => s * strides[k]);
  let p = begin.reduce((acc, b, k) => acc + b * strides[k], 0);
  const c = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    out[i] = src[p];
    for (let k = r - 1; k >= 0; k--) {
      c[k]++;
      p += jump[k];
      if (c[k] < dims[k]) break;
      p -= jump[k] * dims[k];
      c[k] = 0;
    }
  }
  return { dtype: x.dtype, dims, data: out };
}

function sliceOp({ opset, attrs, label }: OpContext): NodeRunner {
  if (opset < 10) {
    const starts = attrs.ints("starts");
    const ends = attrs.ints("ends");
    if (!starts || !ends) throw new ModelFormatError(`${label}: expected attributes starts and ends (opset ${opset}), found ${starts ? "starts only" : "neither"}`);
    const axes = attrs.ints("axes");
    return { run: (inputs) => [slice(required(inputs, 0, label, "data"), starts, ends, axes, undefined, label)] };
  }
  const ints = (v: Value | undefined, name: string) => {
    if (!v) return undefined;
    expectDType(v, ["int64", "int32"], label, name);
    return numbersOf(v);
  };
  return {
    run: (inputs) => {
      const x = required(inputs, 0, label, "data");
      const starts = ints(required(inputs, 1, label, "starts"), "starts")!;
      const ends = ints(required(inputs, 2, label, "ends"), "ends")!;
      return [slice(x, starts, ends, ints(inputs[3], "axes"), ints(inputs[4], "steps"), label)];
    },
  };
}

function splitOp({ opset, attrs, label, node }: OpContext): NodeRunner {
  const axis = attrs.int("axis", 0);
  const numOutputs = opset >= 18 ? attrs.int("num_outputs") : undefined;
  const count = node.outputs.length;
  if (numOutputs !== undefined && numOutputs !== count) {
    throw new ModelFormatError(`${label}: num_outputs ${numOutputs} but the node has ${count} outputs`);
  }
  return {
    run: (inputs) => {
      const x = required(inputs, 0, label, "input");
      const a = normalizeAxis(axis, x.dims.length, label);
      const d = x.dims[a];
      let parts: number[] | undefined;
      if (opset < 13) parts = attrs.ints("split");
      else if (inputs[1]) {
        expectDType(inputs[1], ["int64"], label, "split");
        parts = numbersOf(inputs[1]);
      }
      if (!parts) {
        const size = Math.ceil(d / count);
        if (opset < 18 && d % count !== 0) throw new ShapeError(`${label}: axis ${a} of size ${d} does not split into ${count} equal parts`);
        parts = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(size, d - i * size)));
      }
      if (parts.length !== count || parts.reduce((s, p) => s + p, 0) !== d || parts.some((p) => p < 0)) {
        throw new ShapeError(`${label}: split [${parts.join(", ")}] does not cut axis ${a} of size ${d} into ${count} parts`);
      }
      let start = 0;
      return parts.map((len) => {
        const part = sliceAxis(x, a, start, len);
        start += len;
        return part;
      });
    },
  };
}

function concat(values: Value[], axis: number, label: string): Value {
  const first = values[0];
  const r = first.dims.length;
  const a = normalizeAxis(axis, r, label);
  for (const v of values) {
    if (v.dtype !== first.dtype) throw new ModelFormatError(`${label}: inputs must have one type, found ${first.dtype} and ${v.dtype}`);
    if (v.dims.length !== r || v.dims.some((d, i) => i !== a && d !== first.dims[i])) {
      throw new ShapeError(`${label}: cannot concatenate ${values.map((x) => dimsText(x.dims)).join(", ")} along axis ${a}`);
    }
  }
  const dims = [...first.dims];
  dims[a] = values.reduce((s, v) => s + v.dims[a], 0);
  const outer = sizeOf(first.dims.slice(0, a));
  const inner = sizeOf(first.dims.slice(a + 1));
  const out = allocData(first.dtype, sizeOf(dims));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const v of values) {
      const chunk = v.dims[a] * inner;
      (out as Float32Array).set((v.data as Float32Array).subarray(o * chunk, (o + 1) * chunk), pos);
      pos += chunk;
    }
  }
  return { dtype: first.dtype, dims, data: out };
}

export const SLICE_OPS: Record<string, OpDef> = {
  Gather: {
    since: 1,
    create: ({ attrs, label }) => {
      const axis = attrs.int("axis", 0);
      return { run: (inputs) => [gather(required(inputs, 0, label, "data"), required(inputs, 1, label, "indices"), axis, label)] };
    },
  },
  Slice: { since: 1, create: sliceOp },
  Split: { since: 1, create: splitOp },
  Concat: {
    since: 1,
    create: ({ attrs, label }) => {
      const axis = attrs.int("axis");
      if (axis === undefined) throw new ModelFormatError(`${label}: expected an axis attribute, found none`);
      return {
        run: (inputs) => {
          const values = inputs.filter((v): v is Value => v !== undefined);
          if (values.length === 0) throw new ModelFormatError(`${label}: expected at least one input, found none`);
          return [concat(values, axis, label)];
        },
      };
    },
  },
};
