// What every cell type (lstm.ts, gru.ts, rnn.ts) provides to the recurrent layer: packed
// weights per direction in linear memory, and one call that runs a direction over a sequence.
// The parts all cells share — the input projection weights and the config block — live here.
import type { Arena } from "../runtime/arena.js";
import type { Kernels } from "../runtime/kernels.js";
import { ACTIVATION_IDS, type Activation } from "./activations.js";
import { ceil16, ceil4, packGateMajor, panelFloats } from "./pack.js";
import type { NormalizedSpec } from "./spec.js";

/** Pointers (byte offsets into linear memory) to one direction's packed weights. */
export interface PackedDirection {
  /** W packed in 16-row panels over the gate-major padded rows: the input projection. */
  Wp: number;
  /** ldg floats: Wb + Rb per packed row (the GRU's recurrent h bias may stay out). */
  bias: number;
  /** Cell-specific recurrent weights and extras (see each cell). */
  Rp: number;
  extra: Record<string, number>;
  cfg: number;
}

/** Buffers for running one direction over a sequence (all byte offsets). */
export interface DirectionRun {
  G: number;
  H0: number;
  /** LSTM cell state [B × Hp], in: initial, out: final. */
  C: number;
  Y: number;
  ldy: number;
  lens: number;
  table: number;
  /** [B] words: each row's current hidden-state pointer (final state after the run). */
  hp: number;
  /** 0, or [T·B] bytes, 0 = masked step (Keras masking). */
  mask: number;
  /** Masked steps output zeros instead of repeating the previous output. */
  maskZero: boolean;
  scratch: number;
  /** Batch size (rows per time step in G, Y and the mask); the call runs rows b0 ≤ b < b1. */
  B: number;
  b0: number;
  b1: number;
  reverse: boolean;
  /**
   * Optional upper bound on the steps (the sequence length T): lets run() plan its chunks
   * without the kernels' return values (which a recording proxy cannot give).
   */
  steps?: number;
  /**
   * Optional share of the units: u1 > 0 runs only units u0 ≤ u < u1 of every step (see
   * unitSplit), meeting the other threads at the step barrier `bar` (a ThreadPool's) before each
   * step but the first. Each thread then needs its own table, hp and scratch.
   */
  u0?: number;
  u1?: number;
  bar?: number;
}

export interface CellKernel {
  /**
   * Packs direction d of the spec's weights into arena blocks, each recorded in `blocks` as
   * soon as it is allocated (so the caller can release them even if packing fails midway).
   * With `kernels` (the runtime's own, called directly), the panels are packed in wasm:
   * ≈ 20× faster than the JavaScript fallback at load time (pack.ts).
   */
  pack(arena: Arena, spec: NormalizedSpec, d: number, blocks: number[], kernels?: Kernels): PackedDirection;
  /** Scratch floats a direction run over `rows` batch rows needs (the step's products). */
  scratchFloats(spec: NormalizedSpec, rows: number): number;
  /** Calls only functions of `kernels` (it may be a recording proxy), possibly several times. */
  run(kernels: Kernels, spec: NormalizedSpec, p: PackedDirection, r: DirectionRun): void;
}

/** Past any sequence length: "to the end". */
const ALL_STEPS = 0x7fffffff;

/**
 * Runs a sequence kernel `call(s0, s1)` (which runs steps s0 ≤ s < s1 and returns the step
 * count) over the whole sequence in chunks of 1, 2, 4, … steps. Why: wasm has no on-stack
 * replacement, so one call runs every step in the code it started with, and a process's first
 * call starts in V8's baseline code; in chunks, the later (longer) ones start in the optimised
 * code V8 compiled in the background meanwhile. The bits are those of one call
 * (assembly/seq-schedule.ts). The chunk ends come from `steps` if known, else from the first
 * call's return value; without either (a recording proxy) the rest runs in one more call.
 */
export function runSteps(call: (s0: number, s1: number) => unknown, steps?: number): void {
  let total = steps;
  for (let s0 = 0, n = 1; ; s0 += n, n *= 2) {
    const last = total !== undefined && s0 + n >= total;
    const got = call(s0, last ? ALL_STEPS : s0 + n);
    if (last) return;
    if (total === undefined) {
      if (typeof got !== "number") return void call(s0 + n, ALL_STEPS);
      total = got;
      if (s0 + n >= total) return;
    }
  }
}

/**
 * The units a step can be split into threads by (in slices of 16), or 0 when it cannot: each
 * thread takes whole 16-column panels of every gate, which needs Hp = ceil4(H) to be a multiple
 * of 16 when there are several gates; a projection (H_t needed whole for Wr·H_t) and a GRU with
 * linear_before_reset = 0 (r of every unit needed mid-step) would need a second barrier.
 */
export function unitSplit(spec: NormalizedSpec): number {
  const Hp = ceil4(spec.hiddenSize);
  if (spec.projSize || (spec.cell === "gru" && !spec.linearBeforeReset)) return 0;
  if (spec.gates === 1) return ceil16(Hp);
  return Hp % 16 === 0 ? Hp : 0;
}

/** Row stride of the gate buffer G: gates × Hp, padded to the GEMM's 16-column panels. */
export function gateStride(spec: NormalizedSpec): number {
  return ceil16(spec.gates * ceil4(spec.hiddenSize));
}

/** Allocates `floats` zeroed floats, records the block, returns its byte offset. */
export function allocFloats(arena: Arena, blocks: number[], floats: number, what: string): number {
  const ptr = arena.alloc(floats * 4, what);
  blocks.push(ptr);
  return ptr;
}

/**
 * Packs the input projection of direction d: W rows in gate-major order, each gate padded to
 * Hp rows, and the bias row Wb + Rb (gates listed in `recurrentBiasOut` get Wb only).
 */
export function packInputProjection(
  arena: Arena, spec: NormalizedSpec, d: number, blocks: number[], kernels: Kernels | undefined, recurrentBiasOut: readonly number[] = [],
): { Wp: number; bias: number } {
  const { inputSize: I, hiddenSize: H, gates: G } = spec;
  const ldg = gateStride(spec);
  const Wp = allocFloats(arena, blocks, panelFloats(ldg, I), "input weights");
  packGateMajor(arena, kernels, Wp, spec.W, d * G * H * I, I, G, H);
  const bias = allocFloats(arena, blocks, ldg, "bias");
  if (spec.B) {
    const f32 = arena.f32;
    const Hp = ceil4(H);
    const wb = d * 2 * G * H;
    const rb = wb + G * H;
    for (let g = 0; g < G; g++) {
      const withR = !recurrentBiasOut.includes(g);
      for (let u = 0; u < H; u++) {
        f32[(bias >> 2) + g * Hp + u] = spec.B[wb + g * H + u] + (withR ? spec.B[rb + g * H + u] : 0);
      }
    }
  }
  return { Wp, bias };
}

/** Writes the 11-word config block of assembly/cell-config.ts for direction d. */
export function writeCellConfig(arena: Arena, spec: NormalizedSpec, d: number, blocks: number[], flag: boolean): number {
  const cfg = allocFloats(arena, blocks, 11, "cell config");
  const i32 = arena.i32;
  const f32 = arena.f32;
  const acts: Activation[] = spec.activations[d];
  for (let j = 0; j < 3; j++) {
    const a = acts[j];
    if (!a) continue;
    i32[(cfg >> 2) + j * 3] = ACTIVATION_IDS[a.name];
    f32[(cfg >> 2) + j * 3 + 1] = a.alpha;
    f32[(cfg >> 2) + j * 3 + 2] = a.beta;
  }
  f32[(cfg >> 2) + 9] = spec.clip;
  i32[(cfg >> 2) + 10] = flag ? 1 : 0;
  return cfg;
}
