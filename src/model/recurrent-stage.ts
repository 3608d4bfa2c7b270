// One recurrent stage of a model over a whole sequence: runs the layer on the incoming flow,
// then shapes its output the way the stage asks (Keras last output, go_backwards order,
// Bidirectional merge). Returns the outgoing flow and the layer's final states.
import type { SequenceBuffers } from "../layers/recurrent-layer.js";
import { ceil4 } from "../layers/pack.js";
import type { Arena } from "../runtime/arena.js";
import type { Workspace } from "../runtime/workspace.js";
import type { Tensor } from "../tensor.js";
import { type Flow, compact, mergeDirections, reverseTime } from "./flow.js";
import type { Stage } from "./stage.js";

export interface LayerState {
  /** [dirs, B, S], S = projSize || H */
  h: Tensor;
  /** LSTM only: [dirs, B, H] */
  c?: Tensor;
}

export interface SequenceContext {
  arena: Arena;
  ws: Workspace;
  B: number;
  /** [B] int32 lengths in memory, and the same values in JavaScript. */
  lensPtr: number;
  lens: Int32Array;
  /** 0, or [T·B] mask bytes. */
  mask: number;
}

export function runRecurrentStage(
  stage: Extract<Stage, { kind: "recurrent" }>, i: number, flowIn: Flow, ctx: SequenceContext, init: Partial<LayerState> | undefined,
): { flow: Flow; state: LayerState } {
  const { layer } = stage;
  const { arena, ws, B } = ctx;
  const { dirs, hiddenSize: H, stateSize: S } = layer.spec;
  const flow = compact(arena, ws, flowIn, B, `k${i}`);
  const T = flow.steps;
  const bufs: SequenceBuffers = {
    x: flow.ptr, y: ws.get(`y${i}`, T * B * dirs * S), lens: ctx.lensPtr, hp: [],
    mask: ctx.mask, maskZero: stage.maskZero, h0: [], c: [],
  };
  for (let d = 0; d < dirs; d++) {
    bufs.hp.push(ws.get(`hp${i}.${d}`, B));
    bufs.h0.push(ws.get(`h${i}.${d}`, B * S));
    bufs.c.push(ws.get(`c${i}.${d}`, B * ceil4(H)));
  }
  const f32 = arena.f32;
  f32.fill(0, bufs.y >> 2, (bufs.y >> 2) + T * B * dirs * S);
  layer.loadStates(f32, bufs, { initialH: init?.h, initialC: init?.c }, B, 0);
  layer.forward(bufs, T, B);
  const final = layer.finalStates(arena.f32, bufs, ctx.lens, B, 0);
  const state: LayerState = final.Y_c ? { h: final.Y_h, c: final.Y_c } : { h: final.Y_h };
  let out: Flow = { ptr: bufs.y, ld: dirs * S, features: dirs * S, steps: T };
  if (!stage.returnSequences) out = lastOutputs(arena, ws, out, B, ctx.lens, dirs, layer.spec.direction === "reverse", `s${i}`);
  else if (stage.goBackwards) out = reverseTime(arena, ws, out, B, `r${i}`);
  return { flow: dirs === 2 ? mergeDirections(arena, ws, out, B, stage.merge, `m${i}`) : out, state };
}

/**
 * Each row's output at its last step — t = len − 1 forward, t = 0 for a reverse pass — per
 * direction: Keras's last output (with masks, the output carried to that step).
 */
function lastOutputs(arena: Arena, ws: Workspace, y: Flow, B: number, lens: Int32Array, dirs: number, reverse: boolean, name: string): Flow {
  const S = y.features / dirs;
  const out = ws.get(name, B * y.features);
  const f32 = arena.f32;
  f32.fill(0, out >> 2, (out >> 2) + B * y.features);
  for (let b = 0; b < B; b++) {
    if (lens[b] === 0) continue;
    for (let d = 0; d < dirs; d++) {
      const t = reverse || d === 1 ? 0 : lens[b] - 1;
      const from = (y.ptr >> 2) + (t * B + b) * y.ld + d * S;
      f32.copyWithin((out >> 2) + b * y.features + d * S, from, from + S);
    }
  }
  return { ptr: out, ld: y.features, features: y.features, steps: 1 };
}
