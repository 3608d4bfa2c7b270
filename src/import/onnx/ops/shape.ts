// Shape ONNX ops: Shape, Reshape, Squeeze, Unsqueeze, Flatten, Expand, Transpose, Identity
// (and Dropout, an identity at inference). Reshape-like ops share the input's data; Transpose
// and Expand copy. Opset differences: Squeeze/Unsqueeze take axes as an attribute before 13
// and as an input from 13; Shape takes start/end from 15; Reshape allowzero from 14.
import { ModelFormatError, ShapeError } from "../../../errors.js";
import { type Value, allocData, int64Vector, numbersOf, sizeOf } from "../value.js";
import { broadcastDims, broadcastTo } from "./elementwise.js";
import { type NodeRunner, type OpContext, type OpDef, expectDType, normalizeAxis, required, stridesOf } from "./op.js";

const dimsText = (d: readonly number[]) => `[${d.join(", ")}]`;

function shapeOp({ attrs, label }: OpContext): NodeRunner {
  const start = attrs.int("start", 0);
  const end = attrs.int("end");
  return {
    run: (inputs) => {
      const dims = required(inputs, 0, label, "data").dims;
      const r = dims.length;
      const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
      return [int64Vector(dims.slice(clamp(start), end === undefined ? r : clamp(end)))];
    },
  };
}

/** Reshape's target dims: 0 copies the input dim (unless allowzero), one −1 is inferred. */
function reshapeDims(input: readonly number[], shape: readonly number[], allowZero: boolean, label: string): number[] {
  const out = shape.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  if (out.some((d) => d === undefined || d < -1 || !Number.isInteger(d))) {
    throw new ShapeError(`${label}: cannot reshape ${dimsText(input)} to ${dimsText(shape)} (invalid target dims)`);
  }
  const free = out.filter((d) => d === -1).length;
  const total = sizeOf(input);
  if (free > 1) throw new ShapeError(`${label}: target shape ${dimsText(shape)} has more than one −1`);
  if (free === 1) {
    const known = out.reduce((n, d) => (d === -1 ? n : n * d), 1);
    if (known === 0 || total % known !== 0) throw new ShapeError(`${label}: cannot reshape ${dimsText(input)} (${total} values) to ${dimsText(shape)}`);
    out[out.indexOf(-1)] = total / known;
  }
  if (sizeOf(out) !== total) throw new ShapeError(`${label}: cannot reshape ${dimsText(input)} (${total} values) to ${dimsText(shape)} (${sizeOf(out)} values)`);
  return out;
}

const reshaped = (v: Value, dims: number[]): Value => ({ dtype: v.dtype, dims, data: v.data });

/** Axes from the attribute (before `inputSince`) or from input 1 (an int64 tensor, optional). */
function axesOf(ctx: OpContext, inputs: readonly (Value | undefined)[], inputSince: number): number[] | undefined {
  if (ctx.opset < inputSince) return ctx.attrs.ints("axes");
  const a = inputs[1];
  if (!a) return undefined;
  expectDType(a, ["int64"], ctx.label, "axes");
  return numbersOf(a);
}

function squeeze(ctx: OpContext): NodeRunner {
  return {
    run: (inputs) => {
      const x = required(inputs, 0, ctx.label, "data");
      const r = x.dims.length;
      const given = axesOf(ctx, inputs, 13);
      const axes = given ? given.map((a) => normalizeAxis(a, r, ctx.label)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : []));
      for (const a of axes) {
        if (x.dims[a] !== 1) throw new ShapeError(`${ctx.label}: cannot squeeze axis ${a} of ${dimsText(x.dims)}: its size is ${x.dims[a]}, not 1`);
      }
      return [reshaped(x, x.dims.filter((_, i) => !axes.includes(i)))];
    },
  };
}

function unsqueeze(ctx: OpContext): NodeRunner {
  return {
    run: (inputs) => {
      const x = required(inputs, 0, ctx.label, "data");
      const given = axesOf(ctx, inputs, 13);
      if (!given) throw new ModelFormatError(`${ctx.label}: expected axes, found none`);
      const r = x.dims.length + given.length;
      const axes = given.map((a) => normalizeAxis(a, r, ctx.label));
      if (new Set(axes).size !== axes.length) throw new ShapeError(`${ctx.label}: axes [${given.join(", ")}] repeat an axis`);
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) dims.push(axes.includes(i) ? 1 : x.dims[k++]);
      return [reshaped(x, dims)];
    },
  };
}

/** out[i] = x[perm-permuted index]: output axis k is input axis perm[k]. */
export function transpose(x: Value, perm: readonly number[], label: string): Value {
  const r = x.dims.length;
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new ShapeError(`${label}: perm [${perm.join(", ")}] is not a permutation of the ${r} axes of ${dimsText(x.dims)}`);
  }
  const dims = perm.map((p) => x.dims[p]);
  const n = x.data.length;
  if (perm.every((p, i) => p === i) || n <= 1) return reshaped(x, dims);
  const inStrides = stridesOf(x.dims);
  const step = perm.map((p) => inStrides[p]);
  const out = allocData(x.dtype, n);
  const src = x.data;
  // The innermost output axis in a tight loop; the outer ones by counters.
  const last = r - 1;
  const inner = dims[last];
  const innerStep = step[last];
  const c = new Array<number>(r).fill(0);
  let p = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, q = p; j < inner; j++, q += innerStep) out[o + j] = src[q];
    for (let k = last - 1; k >= 0; k--) {
      c[k]++;
      p += step[k];
      if (c[k] < dims[k]) break;
      p -= step[k] * dims[k];
      c[k] = 0;
    }
  }
  return { dtype: x.dtype, dims, data: out };
}

const identity: OpDef["create"] = ({ label }) => ({ run: (inputs) => [required(inputs, 0, label, "input")] });

export const SHAPE_OPS: Record<string, OpDef> = {
  Shape: { since: 1, create: shapeOp },
  Reshape: {
    since: 5,
    create: ({ attrs, label }) => {
      const allowZero = attrs.int("allowzero", 0) !== 0;
      return {
        run: (inputs) => {
          const x = required(inputs, 0, label, "data");
          const shape = required(inputs, 1, label, "shape");
          expectDType(shape, ["int64"], label, "shape");
          return [reshaped(x, reshapeDims(x.dims, numbersOf(shape), allowZero, label))];
        },
      };
    },
  },
  Squeeze: { since: 1, create: squeeze },
  Unsqueeze: { since: 1, create: unsqueeze },
  Flatten: {
    since: 1,
    create: ({ attrs, label }) => {
      const axis = attrs.int("axis", 1);
      return {
        run: (inputs) => {
          const x = required(inputs, 0, label, "input");
          const a = normalizeAxis(axis, x.dims.length + 1, label);
          return [reshaped(x, [sizeOf(x.dims.slice(0, a)), sizeOf(x.dims.slice(a))])];
        },
      };
    },
  },
  Expand: {
    since: 8,
    create: ({ label }) => ({
      run: (inputs) => {
        const x = required(inputs, 0, label, "input");
        const shape = required(inputs, 1, label, "shape");
        expectDType(shape, ["int64"], label, "shape");
        const dims = numbersOf(shape);
        if (dims.some((d) => d < 0)) throw new ShapeError(`${label}: shape [${dims.join(", ")}] has a negative size`);
        return [broadcastTo(x, broadcastDims([x.dims, dims], label))];
      },
    }),
  },
  Transpose: {
    since: 1,
    create: ({ attrs, label }) => {
      const perm = attrs.ints("perm");
      return {
        run: (inputs) => {
          const x = required(inputs, 0, label, "data");
          return [transpose(x, perm ?? x.dims.map((_, i) => x.dims.length - 1 - i), label)];
        },
      };
    },
  },
  Identity: { since: 1, create: identity },
  // Dropout at inference passes its input through; the optional mask output is all true.
  Dropout: {
    since: 1,
    create: ({ label, node }) => ({
      run: (inputs) => {
        const x = required(inputs, 0, label, "data");
        return node.outputs.length > 1 ? [x, { dtype: "bool", dims: [...x.dims], data: new Uint8Array(x.data.length).fill(1) }] : [x];
      },
    }),
  },
};
