// ONNX LSTM, GRU and RNN nodes through RecurrentLayer: the layer is built once, at load time,
// from the node's attributes and its constant W, R, B (and P) — packed into linear memory —
// so those inputs must be initializers or fold to constants. A run copies X in, runs every
// direction (RecurrentLayer.forward: the input-projection GEMM, then the cell's sequence
// kernel) and copies Y, Y_h, Y_c out, in the shapes the node's layout asks for.
import { ShapeError, UnsupportedError } from "../../../errors.js";
import { RecurrentLayer, type SequenceBuffers } from "../../../layers/recurrent-layer.js";
import { copyIn, writeLens } from "../../../layers/sequence-input.js";
import { ceil4 } from "../../../layers/pack.js";
import { Workspace } from "../../../runtime/workspace.js";
import type { Tensor } from "../../../tensor.js";
import { recurrentCell, recurrentSpecFromNode } from "../recurrent-node.js";
import { type Value, numbersOf, toFloat32 } from "../value.js";
import { type NodeRunner, type OpContext, type OpDef, required } from "./op.js";

/** Input positions of ONNX LSTM / GRU / RNN. */
export const REC = { X: 0, W: 1, R: 2, B: 3, sequence_lens: 4, initial_h: 5, initial_c: 6, P: 7 } as const;

const WEIGHT_INPUTS = [["W", REC.W], ["R", REC.R], ["B", REC.B], ["P", REC.P]] as const;

function create(ctx: OpContext): NodeRunner {
  const { node, label, runtime } = ctx;
  const cell = recurrentCell(node);
  const weights: Partial<Record<"W" | "R" | "B" | "P", Value>> = {};
  for (const [name, i] of WEIGHT_INPUTS) {
    const input = node.inputs[i];
    if (!input) continue;
    const v = ctx.constant(i);
    if (!v) {
      throw new UnsupportedError(
        `${label}: ${name} ("${input}") is computed at run time; rnn-wasm packs recurrent weights at load, ` +
          "so W, R, B and P must be initializers or constant expressions",
      );
    }
    if (v.dtype !== "float32" && v.dtype !== "float64") throw new ShapeError(`${label}: ${name} must be float, found ${v.dtype}`);
    weights[name] = v;
  }
  if (!weights.W || !weights.R) throw new ShapeError(`${label}: expected inputs W and R, found ${weights.W ? "no R" : "no W"}`);
  const spec = recurrentSpecFromNode(
    node,
    { W: toFloat32(weights.W), R: toFloat32(weights.R), B: weights.B && toFloat32(weights.B), P: weights.P && toFloat32(weights.P) },
    { W: weights.W.dims, R: weights.R.dims },
  );
  const layer = new RecurrentLayer(runtime, spec);
  const ws = new Workspace(runtime.arena);
  const sp = layer.spec;
  const parts = [sp.direction, `I=${sp.inputSize}`, `H=${sp.hiddenSize}`];
  if (sp.layout === 1) parts.push("layout 1");
  if (sp.cell === "gru") parts.push(`linear_before_reset=${sp.linearBeforeReset ? 1 : 0}`);
  if (sp.clip !== Infinity) parts.push(`clip ${sp.clip}`);
  if (sp.inputForget) parts.push("input_forget");
  if (weights.P) parts.push("peepholes");
  parts.push(sp.activations[0].map((a) => a.name).join("/"));
  return {
    detail: parts.join(", "),
    parameters: sp.parameters,
    bytes: layer.weightBytes,
    kernels: ["f32_gemm_2x16", `f32_${cell}_seq`],
    packed: [REC.W, REC.R, REC.B, REC.P],
    recurrent: { cell, direction: sp.direction, layout: sp.layout },
    run: (inputs) => runSequence(layer, ws, inputs, label),
    dispose: () => {
      ws.release();
      layer.dispose();
    },
  };
}

const asTensor = (v: Value | undefined): Tensor | undefined => v && { data: toFloat32(v), dims: v.dims };

/** One pass over the sequence: [Y, Y_h, Y_c (LSTM)], whichever outputs the node names. */
function runSequence(layer: RecurrentLayer, ws: Workspace, inputs: readonly (Value | undefined)[], label: string): Value[] {
  layer.check();
  const { dirs, stateSize: S, inputSize: I, layout } = layer.spec;
  const X = required(inputs, REC.X, label, "X");
  if (X.dims.length !== 3 || X.dims[2] !== I || (X.dtype !== "float32" && X.dtype !== "float64")) {
    const want = layout === 0 ? `[T, B, ${I}] = [seq_length, batch_size, input_size]` : `[B, T, ${I}] = [batch_size, seq_length, input_size]`;
    throw new ShapeError(`${label}: X: expected float of shape ${want} (layout ${layout}), found ${X.dtype} [${X.dims.join(", ")}]`);
  }
  const [T, B] = layout === 0 ? [X.dims[0], X.dims[1]] : [X.dims[1], X.dims[0]];
  if (B < 1) throw new ShapeError(`${label}: X: batch size must be at least 1, found [${X.dims.join(", ")}]`);
  const bufs: SequenceBuffers = {
    x: ws.get("x", T * B * I), y: ws.get("y", T * B * dirs * S), lens: ws.get("lens", B), hp: [], mask: 0, maskZero: false, h0: [], c: [],
  };
  for (let d = 0; d < dirs; d++) {
    bufs.hp.push(ws.get(`hp.${d}`, B));
    bufs.h0.push(ws.get(`h0.${d}`, B * S));
    bufs.c.push(ws.get(`c.${d}`, B * ceil4(layer.spec.hiddenSize)));
  }
  const arena = layer.runtime.arena;
  const lensValue = inputs[REC.sequence_lens];
  const lens = writeLens(arena.i32, bufs.lens >> 2, lensValue && numbersOf(lensValue), T, B);
  copyIn(arena.f32, bufs.x >> 2, toFloat32(X), T, B, I, layout);
  arena.f32.fill(0, bufs.y >> 2, (bufs.y >> 2) + T * B * dirs * S);
  try {
    layer.loadStates(arena.f32, bufs, { initialH: asTensor(inputs[REC.initial_h]), initialC: asTensor(inputs[REC.initial_c]) }, B, layout);
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${label}: ${e.message}`);
    throw e;
  }
  layer.forward(bufs, T, B);
  const f32 = arena.f32; // after the run: memory may have grown
  const Y = new Float32Array(T * dirs * B * S);
  const y = bufs.y >> 2;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < dirs; d++) {
        const src = y + (t * B + b) * dirs * S + d * S;
        const dst = layout === 0 ? ((t * dirs + d) * B + b) * S : ((b * T + t) * dirs + d) * S;
        Y.set(f32.subarray(src, src + S), dst);
      }
    }
  }
  const { Y_h, Y_c } = layer.finalStates(f32, bufs, lens, B, layout);
  const out: Value[] = [
    { dtype: "float32", dims: layout === 0 ? [T, dirs, B, S] : [B, T, dirs, S], data: Y },
    { dtype: "float32", dims: [...Y_h.dims], data: Y_h.data },
  ];
  if (Y_c) out.push({ dtype: "float32", dims: [...Y_c.dims], data: Y_c.data });
  return out;
}

const def: OpDef = { since: 7, noFold: true, create };

export const RECURRENT_OPS: Record<string, OpDef> = { LSTM: def, GRU: def, RNN: def };
