// Elementwise ONNX ops with numpy broadcasting (opset 7+): Add, Sub, Mul, Div, Pow, the
// comparisons and logic ops (→ bool), Where, and the unary functions (Relu, Sigmoid, Tanh, …).
// Float math runs in float64 and rounds to float32 on store: for + − × ÷ that is exactly the
// float32 result; for exp/tanh it is the correctly rounded value (within 1 ulp of any f32 libm).
import { InvalidArgumentError, ModelFormatError, ResourceLimitError, ShapeError, UnsupportedError } from "../../../errors.js";
import { MAX_ELEMENTS, type Value, type ValueData, allocData, sizeOf } from "../value.js";
import { type OpDef, required, stridesOf } from "./op.js";

/** The numpy broadcast of several shapes; ShapeError naming them when they disagree. */
export function broadcastDims(shapes: readonly (readonly number[])[], label: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const o = rank - s.length + k;
      const d = s[k];
      if (d === out[o] || d === 1) continue;
      if (out[o] !== 1) throw new ShapeError(`${label}: shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" and ")} do not broadcast (axis ${o}: ${out[o]} vs ${d})`);
      out[o] = d;
    }
  }
  return out;
}

/** For each element of `out`, the flat index into a tensor of dims `dims` broadcast to it; undefined when equal. */
export function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array | undefined {
  if (dims.length === out.length && dims.every((d, i) => d === out[i])) return undefined;
  const r = out.length;
  const off = r - dims.length;
  const inStrides = stridesOf(dims);
  const eff = out.map((_, k) => (k < off || dims[k - off] === 1 ? 0 : inStrides[k - off]));
  const n = sizeOf(out);
  if (!(n <= MAX_ELEMENTS)) throw new ResourceLimitError(`a tensor of ${n} elements is more than the ${MAX_ELEMENTS} one tensor may hold`);
  const idx = new Int32Array(n);
  const c = new Array<number>(r).fill(0);
  let p = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = p;
    for (let k = r - 1; k >= 0; k--) {
      c[k]++;
      p += eff[k];
      if (c[k] < out[k]) break;
      p -= eff[k] * out[k];
      c[k] = 0;
    }
  }
  return idx;
}

/** data broadcast to `out` dims (a copy); Expand and Where use it. */
export function broadcastTo(v: Value, out: readonly number[]): Value {
  const idx = broadcastIndex(v.dims, out);
  if (!idx) return v;
  const data = allocData(v.dtype, idx.length);
  const src = v.data;
  for (let i = 0; i < idx.length; i++) data[i] = src[idx[i]];
  return { dtype: v.dtype, dims: [...out], data };
}

type Num = (a: number, b: number) => number;
type Big = (a: bigint, b: bigint) => bigint;
type Cmp = (a: number | bigint, b: number | bigint) => boolean;

interface Binary {
  since: number;
  /** float32 / float64 (and int32 unless int32 is given) */
  num?: Num;
  int32?: Num;
  big?: Big;
  /** Comparisons and logic ops return bool. */
  cmp?: Cmp;
  /** Logic ops take bool only. */
  logic?: boolean;
}

function intDiv(a: number, b: number): number {
  if (b === 0) throw new InvalidArgumentError("Div: integer division by zero");
  return Math.trunc(a / b);
}
function bigDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new InvalidArgumentError("Div: integer division by zero");
  return a / b; // truncates toward zero, as C++ integer division does
}

const BINARY: Record<string, Binary> = {
  Add: { since: 1, num: (a, b) => a + b, int32: (a, b) => (a + b) | 0, big: (a, b) => BigInt.asIntN(64, a + b) },
  Sub: { since: 1, num: (a, b) => a - b, int32: (a, b) => (a - b) | 0, big: (a, b) => BigInt.asIntN(64, a - b) },
  Mul: { since: 1, num: (a, b) => a * b, int32: Math.imul, big: (a, b) => BigInt.asIntN(64, a * b) },
  Div: { since: 1, num: (a, b) => a / b, int32: intDiv, big: bigDiv },
  Pow: { since: 1, num: (a, b) => a ** b },
  Equal: { since: 1, cmp: (a, b) => a === b },
  Greater: { since: 1, cmp: (a, b) => a > b },
  Less: { since: 1, cmp: (a, b) => a < b },
  GreaterOrEqual: { since: 12, cmp: (a, b) => a >= b },
  LessOrEqual: { since: 12, cmp: (a, b) => a <= b },
  And: { since: 1, cmp: (a, b) => !!a && !!b, logic: true },
  Or: { since: 1, cmp: (a, b) => !!a || !!b, logic: true },
  Xor: { since: 1, cmp: (a, b) => !!a !== !!b, logic: true },
};

function runBinary(op: string, def: Binary, a: Value, b: Value, label: string): Value {
  if (a.dtype !== b.dtype) throw new ModelFormatError(`${label}: inputs must have one type, found ${a.dtype} and ${b.dtype}`);
  if (def.logic && a.dtype !== "bool") throw new ModelFormatError(`${label}: ${op} takes bool inputs, found ${a.dtype}`);
  const dims = broadcastDims([a.dims, b.dims], label);
  const n = sizeOf(dims);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const A = a.data;
  const B = b.data;
  if (def.cmp) {
    const out = new Uint8Array(n);
    const f = def.cmp;
    for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]) ? 1 : 0;
    return { dtype: "bool", dims, data: out };
  }
  const out = allocData(a.dtype, n);
  if (a.dtype === "int64") {
    const f = def.big;
    if (!f) throw new UnsupportedError(`${label}: ${op} on int64 is not supported`);
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = f(A[ia ? ia[i] : i] as bigint, B[ib ? ib[i] : i] as bigint);
    return { dtype: "int64", dims, data: o };
  }
  const f = a.dtype === "int32" ? def.int32 : a.dtype === "bool" ? undefined : def.num;
  if (!f) throw new UnsupportedError(`${label}: ${op} on ${a.dtype} is not supported`);
  const o = out as Exclude<ValueData, BigInt64Array>;
  for (let i = 0; i < n; i++) o[i] = f(A[ia ? ia[i] : i] as number, B[ib ? ib[i] : i] as number);
  return { dtype: a.dtype, dims, data: o };
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

interface Unary {
  since: number;
  num: (x: number) => number;
  big?: (x: bigint) => bigint;
  /** Also defined on integers (Relu-14, Neg, Abs). */
  ints?: boolean;
  bool?: boolean;
}

const UNARY: Record<string, Unary> = {
  Relu: { since: 1, num: (x) => (x > 0 ? x : 0), big: (x) => (x > 0n ? x : 0n), ints: true },
  Sigmoid: { since: 1, num: sigmoid },
  Tanh: { since: 1, num: Math.tanh },
  Neg: { since: 1, num: (x) => -x, big: (x) => BigInt.asIntN(64, -x), ints: true },
  Abs: { since: 1, num: Math.abs, big: (x) => (x < 0n ? BigInt.asIntN(64, -x) : x), ints: true },
  Exp: { since: 1, num: Math.exp },
  Log: { since: 1, num: Math.log },
  Sqrt: { since: 1, num: Math.sqrt },
  Not: { since: 1, num: (x) => (x ? 0 : 1), bool: true },
};

function runUnary(op: string, def: Unary, x: Value, label: string): Value {
  const ok = def.bool ? x.dtype === "bool" : x.dtype === "float32" || x.dtype === "float64" || (def.ints && (x.dtype === "int32" || x.dtype === "int64"));
  if (!ok) throw new ModelFormatError(`${label}: ${op} is not defined on ${x.dtype}`);
  const n = x.data.length;
  const out = allocData(x.dtype, n);
  if (x.dtype === "int64") {
    const f = def.big!;
    for (let i = 0; i < n; i++) out[i] = f((x.data as BigInt64Array)[i]);
  } else {
    const f = def.num;
    const src = x.data as Exclude<ValueData, BigInt64Array>;
    const o = out as Exclude<ValueData, BigInt64Array>;
    for (let i = 0; i < n; i++) o[i] = f(src[i]);
    if (x.dtype === "int32") for (let i = 0; i < n; i++) o[i] |= 0;
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

function where(c: Value, x: Value, y: Value, label: string): Value {
  if (c.dtype !== "bool") throw new ModelFormatError(`${label}: condition must be bool, found ${c.dtype}`);
  if (x.dtype !== y.dtype) throw new ModelFormatError(`${label}: X and Y must have one type, found ${x.dtype} and ${y.dtype}`);
  const dims = broadcastDims([c.dims, x.dims, y.dims], label);
  const n = sizeOf(dims);
  const [ic, ix, iy] = [c, x, y].map((v) => broadcastIndex(v.dims, dims));
  const out = allocData(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = c.data[ic ? ic[i] : i] ? x.data[ix ? ix[i] : i] : y.data[iy ? iy[i] : i];
  return { dtype: x.dtype, dims, data: out };
}

export const ELEMENTWISE_OPS: Record<string, OpDef> = {
  Where: {
    since: 9,
    create: ({ label }) => ({
      run: (inputs) => [where(required(inputs, 0, label, "condition"), required(inputs, 1, label, "X"), required(inputs, 2, label, "Y"), label)],
    }),
  },
};

for (const [op, def] of Object.entries(BINARY)) {
  ELEMENTWISE_OPS[op] = {
    since: def.since,
    create: ({ label }) => ({ run: (inputs) => [runBinary(op, def, required(inputs, 0, label, "A"), required(inputs, 1, label, "B"), label)] }),
  };
}
for (const [op, def] of Object.entries(UNARY)) {
  ELEMENTWISE_OPS[op] = {
    since: def.since,
    create: ({ label }) => ({ run: (inputs) => [runUnary(op, def, required(inputs, 0, label, "X"), label)] }),
  };
}

/** Whether an op is elementwise (the stream's time-axis tracking treats them alike). */
export function isElementwise(op: string): boolean {
  return op in BINARY || op in UNARY || op === "Where";
}
