// What an ONNX operator implementation looks like to the loader and the executor: an OpDef
// reads a node's attributes (and its constant inputs) once at load time and returns a runner,
// a function from input values to output values. Ops that run kernels hold WebAssembly memory
// and say so (kernels, bytes, dispose); the rest are plain TypeScript over typed arrays.
import { ModelFormatError, ShapeError } from "../../../errors.js";
import type { Runtime } from "../../../runtime/runtime.js";
import type { OnnxAttribute, OnnxNode, OnnxTensor } from "../proto.js";
import type { DType, Value } from "../value.js";

export interface OpContext {
  node: OnnxNode;
  /** The opset of the default ONNX domain the model imports. */
  opset: number;
  /** e.g. `Gemm node "/fc/Gemm"`, for messages. */
  label: string;
  attrs: Attributes;
  /** The value of input i when it is known at load time (initializer, Constant, folded), else undefined. */
  constant(i: number): Value | undefined;
  /** True when every input is constant and the node is being evaluated once, at load time. */
  folding: boolean;
  runtime: Runtime;
}

/** A recurrent node's runner also says what it is, for streams and run options. */
export interface RecurrentRole {
  cell: "lstm" | "gru" | "rnn";
  direction: "forward" | "reverse" | "bidirectional";
  layout: 0 | 1;
}

export interface NodeRunner {
  /** Inputs by position (undefined for an absent optional input) → outputs by position. */
  run(inputs: readonly (Value | undefined)[]): Value[];
  /** For info(): sizes and options, weights, packed bytes and the kernels it calls. */
  detail?: string;
  parameters?: number;
  bytes?: number;
  kernels?: string[];
  /** Input positions whose constant values the runner packed at load: the executor leaves them out. */
  packed?: number[];
  /** Set by LSTM / GRU / RNN. */
  recurrent?: RecurrentRole;
  dispose?(): void;
}

export interface OpDef {
  /** The first opset in which the operator exists (as far as rnn-wasm reads it). */
  since: number;
  /** Runs kernels or keeps state: never evaluated at load time. */
  noFold?: boolean;
  create(ctx: OpContext): NodeRunner;
}

/** Typed access to a node's attributes; a value of the wrong type is a ModelFormatError. */
export class Attributes {
  constructor(
    private readonly node: OnnxNode,
    private readonly label: string,
  ) {}

  has(name: string): boolean {
    return this.node.attributes.has(name);
  }

  private get<T>(name: string, type: OnnxAttribute["type"]): T | undefined {
    const a = this.node.attributes.get(name);
    if (a === undefined) return undefined;
    if (a.type !== type) throw new ModelFormatError(`${this.label}: attribute ${name}: expected type ${type}, found ${a.type}`);
    return (a as unknown as { value: T }).value;
  }

  int(name: string): number | undefined;
  int(name: string, fallback: number): number;
  int(name: string, fallback?: number): number | undefined {
    return this.get<number>(name, "int") ?? fallback;
  }
  ints(name: string): number[] | undefined {
    return this.get<number[]>(name, "ints");
  }
  float(name: string): number | undefined;
  float(name: string, fallback: number): number;
  float(name: string, fallback?: number): number | undefined {
    return this.get<number>(name, "float") ?? fallback;
  }
  floats(name: string): number[] | undefined {
    return this.get<number[]>(name, "floats");
  }
  string(name: string): string | undefined {
    return this.get<string>(name, "string");
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.get<OnnxTensor>(name, "tensor");
  }
}

/** An axis in [−rank, rank) normalized to [0, rank); ShapeError outside. */
export function normalizeAxis(axis: number, rank: number, label: string, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${label}: ${what} ${axis} is out of range for rank ${rank} (expected −${rank} ≤ ${what} < ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Throws unless input i is present. */
export function required(inputs: readonly (Value | undefined)[], i: number, label: string, name: string): Value {
  const v = inputs[i];
  if (!v) throw new ModelFormatError(`${label}: expected input ${i} (${name}), found none`);
  return v;
}

/** Throws unless v has one of the dtypes. */
export function expectDType(v: Value, allowed: readonly DType[], label: string, name: string): void {
  if (!allowed.includes(v.dtype)) throw new ModelFormatError(`${label}: ${name} must be ${allowed.join(" or ")}, found ${v.dtype}`);
}

/** Row-major strides of dims. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let n = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= dims[i];
  }
  return s;
}
