// Constant-making ONNX ops and Cast: Constant (value, and value_float(s)/value_int(s) from
// opset 12), ConstantOfShape (opset 9), ConstantFill (the experimental op torch.onnx.export
// writes for zero initial states at opsets 7 and 8), Cast. All of them fold at load time
// when their inputs are constant.
import { ModelFormatError, ShapeError, UnsupportedError } from "../../../errors.js";
import { dataTypeName } from "../proto.js";
import { DataType } from "../wire.js";
import { type DType, type Value, allocData, castData, int64Vector, numbersOf, valueFromTensor } from "../value.js";
import { type NodeRunner, type OpContext, type OpDef, expectDType, required } from "./op.js";

// Cast and ConstantFill targets the executor keeps exactly (no narrower storage types).
const CAST_TARGETS: Record<number, DType> = {
  [DataType.FLOAT]: "float32", [DataType.DOUBLE]: "float64", [DataType.INT32]: "int32", [DataType.INT64]: "int64", [DataType.BOOL]: "bool",
};

function castTarget(to: number | undefined, label: string): DType {
  if (to === undefined) throw new ModelFormatError(`${label}: expected a "to" attribute, found none`);
  const dtype = CAST_TARGETS[to];
  if (!dtype) throw new UnsupportedError(`${label}: casting to ${dataTypeName(to)} is not supported (FLOAT, DOUBLE, INT32, INT64 and BOOL are)`);
  return dtype;
}

function constantValue({ attrs, label, node }: OpContext): Value {
  const set = [...node.attributes.keys()];
  if (set.length !== 1) throw new ModelFormatError(`${label}: expected exactly one value attribute, found ${set.length ? set.join(", ") : "none"}`);
  const t = attrs.tensor("value");
  if (t) return valueFromTensor(t, label);
  const f = attrs.float("value_float");
  if (f !== undefined) return { dtype: "float32", dims: [], data: Float32Array.of(f) };
  const fs = attrs.floats("value_floats");
  if (fs) return { dtype: "float32", dims: [fs.length], data: Float32Array.from(fs) };
  const i = attrs.int("value_int");
  if (i !== undefined) return { dtype: "int64", dims: [], data: BigInt64Array.of(BigInt(i)) };
  const is = attrs.ints("value_ints");
  if (is) return int64Vector(is);
  throw new UnsupportedError(`${label}: a constant given as ${set[0]} is not supported (value, value_float(s) and value_int(s) are)`);
}

/** A tensor of `dims` filled with the one element of `fill`. */
function filled(fill: Value, dims: number[], label: string): Value {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`${label}: expected dims ≥ 0, found [${dims.join(", ")}]`);
  const out = allocData(fill.dtype, dims.reduce((a, b) => a * b, 1));
  (out as Float32Array).fill(fill.data[0] as number);
  return { dtype: fill.dtype, dims, data: out };
}

function constantOfShape({ attrs, label }: OpContext): NodeRunner {
  const t = attrs.tensor("value");
  const fill = t ? valueFromTensor(t, label) : { dtype: "float32" as const, dims: [1], data: new Float32Array(1) };
  if (fill.data.length !== 1) throw new ModelFormatError(`${label}: value must hold one element, found ${fill.data.length}`);
  return {
    run: (inputs) => {
      const shape = required(inputs, 0, label, "input");
      expectDType(shape, ["int64"], label, "input");
      return [filled(fill, numbersOf(shape), label)];
    },
  };
}

// Caffe2's ConstantFill as torch writes it: dtype (default FLOAT), value (default 0),
// input_as_shape=1 (the input holds the dims) or else the input's own dims, plus extra_shape.
function constantFill({ attrs, label }: OpContext): NodeRunner {
  const dtype = castTarget(attrs.int("dtype", DataType.FLOAT), label);
  const fill: Value = { dtype, dims: [1], data: castData({ dtype: "float64", dims: [1], data: Float64Array.of(attrs.float("value", 0)) }, dtype) };
  const asShape = attrs.int("input_as_shape", 0) !== 0;
  const extra = attrs.ints("extra_shape") ?? [];
  const fixed = attrs.ints("shape");
  return {
    run: (inputs) => {
      const x = inputs[0];
      const dims = x ? (asShape ? numbersOf(x) : x.dims) : fixed;
      if (!dims) throw new ModelFormatError(`${label}: expected an input or a shape attribute, found neither`);
      return [filled(fill, [...dims, ...extra], label)];
    },
  };
}

export const CONSTANT_OPS: Record<string, OpDef> = {
  Constant: {
    since: 1,
    create: (ctx) => {
      const v = constantValue(ctx);
      return { run: () => [v] };
    },
  },
  ConstantOfShape: { since: 9, create: constantOfShape },
  ConstantFill: { since: 1, create: constantFill },
  Cast: {
    since: 6,
    create: ({ attrs, label }) => {
      const to = castTarget(attrs.int("to"), label);
      return {
        run: (inputs) => {
          const x = required(inputs, 0, label, "input");
          return [{ dtype: to, dims: [...x.dims], data: castData(x, to) }];
        },
      };
    },
  },
};
