// MatMul and Gemm. With a constant 2-D weight (nn.Linear as torch and tf2onnx export it) they
// run through the model's Dense stage (f32_gemm_2x16): the weight is reordered at load time
// into Dense's [N, K] layout (transB, alpha folded in), and a constant bias — Gemm's C, or the
// Add that follows a MatMul (fused by the loader) — becomes Dense's bias. Anything else (both
// operands computed, batched weights) runs here in TypeScript with float64 accumulation.
import { ModelFormatError, ShapeError } from "../../../errors.js";
import { Dense } from "../../../model/dense.js";
import type { Runtime } from "../../../runtime/runtime.js";
import { Workspace } from "../../../runtime/workspace.js";
import { type Value, sizeOf, toFloat32 } from "../value.js";
import { broadcastDims, broadcastIndex } from "./elementwise.js";
import { type NodeRunner, type OpContext, type OpDef, required } from "./op.js";
import { transpose } from "./shape.js";

const dimsText = (d: readonly number[]) => `[${d.join(", ")}]`;

function expectFloat(v: Value, label: string, name: string): void {
  if (v.dtype !== "float32" && v.dtype !== "float64") throw new ModelFormatError(`${label}: ${name} must be float, found ${v.dtype}`);
}

/** y[m, n] = Σ_k x[m, k]·W[n, k] + bias[n] for M rows, through the Dense kernel. */
class DenseRows {
  readonly dense: Dense;
  private readonly ws: Workspace;

  constructor(
    private readonly runtime: Runtime,
    readonly K: number,
    readonly N: number,
    weight: Float32Array,
    bias: Float32Array | undefined,
  ) {
    this.dense = new Dense(runtime, { type: "dense", inputSize: K, outputSize: N, weight, bias });
    this.ws = new Workspace(runtime.arena);
  }

  apply(x: Float32Array, M: number): Float32Array {
    const { K, N } = this;
    const out = new Float32Array(M * N);
    if (M === 0) return out;
    const ld = this.dense.ld;
    const xp = this.ws.get("x", M * K);
    const yp = this.ws.get("y", M * ld);
    this.runtime.arena.f32.set(x, xp >> 2);
    this.dense.forward(xp, K, M, yp);
    const f32 = this.runtime.arena.f32;
    for (let m = 0; m < M; m++) out.set(f32.subarray((yp >> 2) + m * ld, (yp >> 2) + m * ld + N), m * N);
    return out;
  }

  info(): Pick<NodeRunner, "parameters" | "bytes" | "kernels"> {
    return { parameters: this.dense.parameters, bytes: this.dense.weightBytes, kernels: ["f32_gemm_2x16"] };
  }

  dispose(): void {
    this.ws.release();
    this.dense.dispose();
  }
}

/** numpy matmul of float tensors (1-D operands promoted, batch dims broadcast). */
function matmul(a: Value, b: Value, label: string): Value {
  expectFloat(a, label, "A");
  expectFloat(b, label, "B");
  if (a.dims.length === 0 || b.dims.length === 0) throw new ShapeError(`${label}: MatMul needs operands of rank ≥ 1, found ${dimsText(a.dims)} and ${dimsText(b.dims)}`);
  const ad = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = ad.slice(-2);
  const [K2, N] = bd.slice(-2);
  if (K !== K2) throw new ShapeError(`${label}: cannot multiply ${dimsText(a.dims)} by ${dimsText(b.dims)} (inner sizes ${K} and ${K2})`);
  const batch = broadcastDims([ad.slice(0, -2), bd.slice(0, -2)], label);
  const nb = sizeOf(batch);
  const ia = broadcastIndex(ad.slice(0, -2), batch);
  const ib = broadcastIndex(bd.slice(0, -2), batch);
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const dtype = a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32";
  const out = dtype === "float64" ? new Float64Array(nb * M * N) : new Float32Array(nb * M * N);
  for (let p = 0; p < nb; p++) {
    const ao = (ia ? ia[p] : p) * M * K;
    const bo = (ib ? ib[p] : p) * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ao + m * K + k] * B[bo + k * N + n];
        out[(p * M + m) * N + n] = s;
      }
    }
  }
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [M]), ...(b.dims.length === 1 ? [] : [N])];
  return { dtype, dims, data: out };
}

/** A constant bias as a length-N row (dims [N], [1, N] or one element), scaled; undefined when it is more than a row. */
function biasRow(c: Value, N: number, scale: number): Float32Array | undefined {
  const n = c.data.length;
  const rowLike = n === 1 || (n === N && c.dims[c.dims.length - 1] === N);
  if (!rowLike) return undefined;
  const src = toFloat32(c);
  return Float32Array.from({ length: N }, (_, i) => scale * src[n === 1 ? 0 : i]);
}

function addScaled(y: Value, c: Value, beta: number, label: string): Value {
  const dims = broadcastDims([y.dims, c.dims], label);
  if (dims.length !== y.dims.length || dims.some((d, i) => d !== y.dims[i])) {
    throw new ShapeError(`${label}: C ${dimsText(c.dims)} does not broadcast to the output ${dimsText(y.dims)}`);
  }
  const idx = broadcastIndex(c.dims, dims);
  const out = new Float32Array(y.data as Float32Array);
  const cd = c.data as Float32Array;
  for (let i = 0; i < out.length; i++) out[i] += beta * cd[idx ? idx[i] : i];
  return { dtype: "float32", dims, data: out };
}

function matmulOp(ctx: OpContext): NodeRunner {
  const { label, runtime } = ctx;
  const W = ctx.constant(1);
  const bias = ctx.node.inputs.length > 2 ? ctx.constant(2) : undefined; // the Add the loader fused in
  if (ctx.folding || !W || W.dims.length !== 2 || W.dtype !== "float32" || (bias && bias.dtype !== "float32")) {
    return {
      run: (inputs) => {
        const y = matmul(required(inputs, 0, label, "A"), required(inputs, 1, label, "B"), label);
        return [inputs[2] ? addScaled(y, inputs[2], 1, label) : y];
      },
    };
  }
  const [K, N] = W.dims;
  const row = bias && biasRow(bias, N, 1);
  if (bias && !row) throw new ModelFormatError(`${label}: a fused bias must be a row of ${N}, found ${dimsText(bias.dims)}`);
  const rows = new DenseRows(runtime, K, N, toFloat32(transpose(W, [1, 0], label)), row);
  return {
    ...rows.info(),
    detail: `${K} → ${N}${row ? ", with bias" : ""}`,
    packed: [1, 2],
    run: (inputs) => {
      const x = required(inputs, 0, label, "A");
      expectFloat(x, label, "A");
      if (x.dims.length === 0 || x.dims[x.dims.length - 1] !== K) {
        throw new ShapeError(`${label}: expected A of shape [..., ${K}] (the weight is [${K}, ${N}]), found ${dimsText(x.dims)}`);
      }
      const lead = x.dims.slice(0, -1);
      return [{ dtype: "float32", dims: [...lead, N], data: rows.apply(toFloat32(x), sizeOf(lead)) }];
    },
    dispose: () => rows.dispose(),
  };
}

function gemmOp(ctx: OpContext): NodeRunner {
  const { attrs, label, runtime } = ctx;
  const alpha = attrs.float("alpha", 1);
  const beta = attrs.float("beta", 1);
  const transA = attrs.int("transA", 0) !== 0;
  const transB = attrs.int("transB", 0) !== 0;
  const W = ctx.constant(1);
  const C = ctx.constant(2);
  const twoD = (v: Value, name: string) => {
    if (v.dims.length !== 2) throw new ShapeError(`${label}: ${name} must be 2-D, found ${dimsText(v.dims)}`);
    return v;
  };
  const host = (inputs: readonly (Value | undefined)[]) => {
    let a = twoD(required(inputs, 0, label, "A"), "A");
    let b = twoD(required(inputs, 1, label, "B"), "B");
    if (transA) a = transpose(a, [1, 0], label);
    if (transB) b = transpose(b, [1, 0], label);
    let y = matmul(a, b, label);
    if (alpha !== 1) y = { ...y, data: (y.data as Float32Array).map((v) => alpha * v) };
    return [inputs[2] ? addScaled(y, inputs[2], beta, label) : y];
  };
  if (ctx.folding || !W || W.dtype !== "float32") return { run: host };
  twoD(W, "B");
  const [K, N] = transB ? [W.dims[1], W.dims[0]] : W.dims;
  const weight = toFloat32(transB ? W : transpose(W, [1, 0], label));
  const scaled = alpha === 1 ? weight : weight.map((v) => alpha * v);
  const row = C && beta !== 0 ? biasRow(C, N, beta) : undefined;
  const rows = new DenseRows(runtime, K, N, scaled, row);
  return {
    ...rows.info(),
    detail: `${K} → ${N}${C && beta !== 0 ? ", with bias" : ""}${transA ? ", transA" : ""}`,
    packed: row ? [1, 2] : [1],
    run: (inputs) => {
      let a = twoD(required(inputs, 0, label, "A"), "A");
      expectFloat(a, label, "A");
      if (transA) a = transpose(a, [1, 0], label);
      if (a.dims[1] !== K) throw new ShapeError(`${label}: expected A of shape [M, ${K}]${transA ? " after transA" : ""}, found ${dimsText(a.dims)}`);
      const y: Value = { dtype: "float32", dims: [a.dims[0], N], data: rows.apply(toFloat32(a), a.dims[0]) };
      const c = inputs[2];
      return [c && beta !== 0 && !row ? addScaled(y, c, beta, label) : y];
    },
    dispose: () => rows.dispose(),
  };
}

export const MATMUL_OPS: Record<string, OpDef> = {
  MatMul: { since: 1, create: matmulOp },
  Gemm: { since: 1, create: gemmOp },
};
