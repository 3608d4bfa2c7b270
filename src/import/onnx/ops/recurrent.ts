// ONNX LSTM, GRU and RNN nodes through RecurrentLayer: the layer is built once, at load time,
// from the node's attributes and its constant W, R, B (and P) — packed into linear memory —
// so those inputs must be initializers or fold to constants. A run copies X in, runs every
// direction (RecurrentLayer.forward: the input-projection GEMM, then the cell's sequence
// kernel, split between threads as for any layer) and copies Y, Y_h, Y_c out
// (RecurrentLayer.outputs), in the shapes the node's layout asks for.
import { ShapeError, UnsupportedError } from "../../../errors.js";
import { RecurrentLayer } from "../../../layers/recurrent-layer.js";
import { copyIn, writeLens } from "../../../layers/sequence-input.js";
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
  const { inputSize: I, layout } = layer.spec;
  const X = required(inputs, REC.X, label, "X");
  if (X.dims.length !== 3 || X.dims[2] !== I || (X.dtype !== "float32" && X.dtype !== "float64")) {
    const want = layout === 0 ? `[T, B, ${I}] = [seq_length, batch_size, input_size]` : `[B, T, ${I}] = [batch_size, seq_length, input_size]`;
    throw new ShapeError(`${label}: X: expected float of shape ${want} (layout ${layout}), found ${X.dtype} [${X.dims.join(", ")}]`);
  }
  const [T, B] = layout === 0 ? [X.dims[0], X.dims[1]] : [X.dims[1], X.dims[0]];
  if (B < 1) throw new ShapeError(`${label}: X: batch size must be at least 1, found [${X.dims.join(", ")}]`);
  const bufs = layer.sequenceBuffers(ws, T, B);
  const arena = layer.runtime.arena;
  const lensValue = inputs[REC.sequence_lens];
  const lens = writeLens(arena.i32, bufs.lens >> 2, lensValue && numbersOf(lensValue), T, B);
  copyIn(arena.f32, bufs.x >> 2, toFloat32(X), T, B, I, layout);
  arena.f32.fill(0, bufs.y >> 2, (bufs.y >> 2) + T * B * layer.outputSize);
  try {
    layer.loadStates(arena.f32, bufs, { initialH: asTensor(inputs[REC.initial_h]), initialC: asTensor(inputs[REC.initial_c]) }, B, layout);
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${label}: ${e.message}`);
    throw e;
  }
  layer.forward(bufs, T, B);
  const { Y, Y_h, Y_c } = layer.outputs(arena.f32, bufs, lens, T, B); // arena.f32 after the run: memory may have grown
  const out: Value[] = [
    { dtype: "float32", dims: [...Y.dims], data: Y.data },
    { dtype: "float32", dims: [...Y_h.dims], data: Y_h.data },
  ];
  if (Y_c) out.push({ dtype: "float32", dims: [...Y_c.dims], data: Y_c.data });
  return out;
}

const def: OpDef = { since: 7, noFold: true, create };

export const RECURRENT_OPS: Record<string, OpDef> = { LSTM: def, GRU: def, RNN: def };
