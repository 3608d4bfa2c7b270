// The activations flowing between a model's stages, and the row operations on them that need
// no kernel: compaction, padding, time reversal, merging directions, masks. All in place in
// linear memory through Float32Array views (these are O(T·B·F) copies, small next to the
// O(T·B·F²) recurrent work).
import type { Arena } from "../runtime/arena.js";
import type { Workspace } from "../runtime/workspace.js";

/** Rows (t, b) of `features` floats, `ld` floats apart, for `steps` time steps. */
export interface Flow {
  ptr: number;
  ld: number;
  features: number;
  steps: number;
}

/** The flow with rows packed at stride = features (what recurrent layers read). */
export function compact(arena: Arena, ws: Workspace, flow: Flow, B: number, name: string): Flow {
  if (flow.ld === flow.features) return flow;
  return copyRows(arena, ws, flow, B, name, flow.features);
}

/** The flow with room for whole vectors per row (the softmax kernel writes ceil4(F) floats). */
export function padded(arena: Arena, ws: Workspace, flow: Flow, B: number, name: string): Flow {
  const ld = (flow.features + 3) & ~3;
  return flow.ld >= ld ? flow : copyRows(arena, ws, flow, B, name, ld);
}

function copyRows(arena: Arena, ws: Workspace, flow: Flow, B: number, name: string, ld: number): Flow {
  const rows = flow.steps * B;
  const out = ws.get(name, rows * ld);
  const f32 = arena.f32;
  for (let r = 0; r < rows; r++) {
    const from = (flow.ptr >> 2) + r * flow.ld;
    f32.copyWithin((out >> 2) + r * ld, from, from + flow.features);
  }
  return { ...flow, ptr: out, ld };
}

/** Rows in reversed time order (Keras go_backwards returns its outputs that way). */
export function reverseTime(arena: Arena, ws: Workspace, flow: Flow, B: number, name: string): Flow {
  const out = ws.get(name, flow.steps * B * flow.ld);
  const f32 = arena.f32;
  const row = B * flow.ld;
  for (let t = 0; t < flow.steps; t++) {
    const from = (flow.ptr >> 2) + (flow.steps - 1 - t) * row;
    f32.copyWithin((out >> 2) + t * row, from, from + row);
  }
  return { ...flow, ptr: out };
}

export type Merge = "concat" | "sum" | "mul" | "ave";

/** Combines the two direction halves of each row (forward ‖ reverse, S floats each). */
export function mergeDirections(arena: Arena, ws: Workspace, flow: Flow, B: number, merge: Merge, name: string): Flow {
  if (merge === "concat") return flow;
  const S = flow.features / 2;
  const rows = flow.steps * B;
  const out = ws.get(name, rows * S);
  const f32 = arena.f32;
  for (let r = 0; r < rows; r++) {
    const a = (flow.ptr >> 2) + r * flow.ld;
    const o = (out >> 2) + r * S;
    for (let j = 0; j < S; j++) {
      const f = f32[a + j];
      const g = f32[a + S + j];
      f32[o + j] = merge === "sum" ? f + g : merge === "mul" ? f * g : (f + g) / 2;
    }
  }
  return { ptr: out, ld: S, features: S, steps: flow.steps };
}

/**
 * Keras Masking: a step is masked (mask byte 0) when every feature equals maskValue; masked
 * rows are zeroed. Writes [T·B] bytes at `mask`.
 */
export function maskByValue(arena: Arena, flow: Flow, B: number, maskValue: number, mask: number): void {
  const f32 = arena.f32;
  const u8 = arena.u8;
  for (let r = 0; r < flow.steps * B; r++) {
    const a = (flow.ptr >> 2) + r * flow.ld;
    let keep = 0;
    for (let j = 0; j < flow.features; j++) {
      if (f32[a + j] !== maskValue) {
        keep = 1;
        break;
      }
    }
    u8[mask + r] = keep;
    if (!keep) f32.fill(0, a, a + flow.features);
  }
}

/** Combines a new mask into an existing one (a step runs only if both allow it). */
export function andMask(arena: Arena, mask: number, other: number, n: number): void {
  const u8 = arena.u8;
  for (let i = 0; i < n; i++) u8[mask + i] &= u8[other + i];
}
