// A recurrent layer (LSTM, GRU or RNN; forward, reverse or bidirectional) with ONNX semantics:
// sequence_lens per batch row, initial states, layout 0/1, outputs Y, Y_h, Y_c in ONNX shapes.
// Hot path: run() → forward() → project (f32_gemm_2x16 over all steps) → recur (the cell's sequence kernel).
import { DisposedError, InvalidArgumentError, ShapeError } from "../errors.js";
import { type Runtime, defaultRuntime } from "../runtime/runtime.js";
import { guardKernel, kernelError } from "../runtime/guard.js";
import type { PreparedPhase } from "../runtime/thread-pool.js";
import type { Kernels } from "../runtime/kernels.js";
import { Workspace } from "../runtime/workspace.js";
import { type Tensor, checkTensor, expectDims } from "../tensor.js";
import { type CellKernel, type DirectionRun, type PackedDirection, gateStride } from "./cell.js";
import { type PlanHost, type UnitShare, planForward, prepareStep, unitSlices } from "./parallel-plan.js";
import { gruCell } from "./gru.js";
import { lstmCell } from "./lstm.js";
import { ceil4 } from "./pack.js";
import { rnnCell } from "./rnn.js";
import { copyIn, writeLens, writeMask } from "./sequence-input.js";
import { type NormalizedSpec, type RecurrentLayerSpec, normalizeSpec } from "./spec.js";
import { LayerStream, type StepBuffers, type StepFn, type StreamOptions } from "./stream.js";

const CELLS: Record<NormalizedSpec["cell"], CellKernel> = { lstm: lstmCell, gru: gruCell, rnn: rnnCell };
const NO_WEIGHTS = new Float32Array(0);

export interface RunOptions {
  /** Steps per batch row (ONNX sequence_lens), each in [0, T]; default T for every row. */
  sequenceLens?: ArrayLike<number>;
  /**
   * Keras-style mask, T·B values in X's order ([T, B] for layout 0, [B, T] for layout 1):
   * 0/false = skip that step — the row keeps its state and outputs its previous output (zero
   * before any), or zero with maskedOutput "zero" (as Keras's Bidirectional does).
   */
  mask?: ArrayLike<number | boolean>;
  maskedOutput?: "previous" | "zero";
  /** [dirs, B, S] (layout 0) or [B, dirs, S] (layout 1), S = projSize || H; default zeros. */
  initialH?: Tensor;
  /** LSTM only, [dirs, B, H] or [B, dirs, H]; default zeros. */
  initialC?: Tensor;
}

export interface RecurrentOutputs {
  /** [T, dirs, B, S] (layout 0) or [B, T, dirs, S] (layout 1); zero past each row's length. */
  Y: Tensor;
  /** [dirs, B, S] or [B, dirs, S]: the last state of each row (zero for rows of length 0). */
  Y_h: Tensor;
  /** LSTM only: the last cell state, [dirs, B, H] or [B, dirs, H]. */
  Y_c?: Tensor;
}

/** Where one forward pass reads and writes in linear memory (byte offsets). */
export interface SequenceBuffers {
  /** X rows (t, b) of inputSize floats at x + (t·B + b)·inputSize. */
  x: number;
  /** Y rows (t, b) of dirs·S floats (directions side by side), zero-filled by the caller. */
  y: number;
  /** [B] int32 steps per row. */
  lens: number;
  /** Per direction, [B] words for the rows' state pointers (see DirectionRun.hp). */
  hp: number[];
  /** 0, or [T·B] bytes, 0 = masked step (Keras masking); maskZero: masked outputs are 0. */
  mask: number;
  maskZero: boolean;
  /** Per direction: initial h [B × S] and (LSTM) cell state [B × ceil4(H)], updated in place. */
  h0: number[];
  c: number[];
}

export class RecurrentLayer {
  /** The layer's description; its weight arrays are empty once packed (see weightBytes). */
  readonly spec: NormalizedSpec;
  readonly runtime: Runtime;
  private readonly cell: CellKernel;
  private readonly packed: PackedDirection[];
  /** Every arena block holding packed weights. */
  private readonly blocks: number[] = [];
  private readonly ws: Workspace;
  /** Live streams: dispose() disposes them too. */
  private readonly streams = new Set<LayerStream>();
  private disposed = false;

  constructor(runtime: Runtime, spec: RecurrentLayerSpec | NormalizedSpec) {
    runtime.check();
    this.runtime = runtime;
    this.spec = "dirs" in spec ? spec : normalizeSpec(spec);
    this.cell = CELLS[this.spec.cell];
    this.ws = new Workspace(runtime.arena);
    this.packed = [];
    try {
      for (let d = 0; d < this.spec.dirs; d++) this.packed.push(this.cell.pack(runtime.arena, this.spec, d, this.blocks, runtime.kernels));
    } catch (e) {
      this.dispose();
      throw e;
    }
    // The packed copies are all the kernels need: let the caller's weight arrays go.
    this.spec = { ...this.spec, W: NO_WEIGHTS, R: NO_WEIGHTS, B: undefined, P: undefined, projection: undefined };
  }

  /** Features per time step of Y in the stacked (PyTorch) layout: dirs · S. */
  get outputSize(): number {
    return this.spec.dirs * this.spec.stateSize;
  }

  /** Bytes of linear memory held by the packed weights. */
  get weightBytes(): number {
    return this.blocks.reduce((n, b) => n + this.runtime.arena.sizeOf(b), 0);
  }

  async run(X: Tensor, options?: RunOptions): Promise<RecurrentOutputs> {
    this.check();
    options ??= {};
    if (typeof options !== "object") throw new InvalidArgumentError(`run options: expected an object, found ${typeof options}`);
    const { spec } = this;
    const { dirs, stateSize: S, inputSize: I, layout } = spec;
    checkTensor(X, "X");
    if (X.dims.length !== 3 || X.dims[2] !== I) {
      const want = layout === 0 ? `[T, B, ${I}] = [seq_length, batch_size, inputSize]` : `[B, T, ${I}] = [batch_size, seq_length, inputSize]`;
      throw new ShapeError(`X: expected shape ${want} (layout ${layout}), found [${X.dims}]`);
    }
    const [T, B] = layout === 0 ? [X.dims[0], X.dims[1]] : [X.dims[1], X.dims[0]];
    const ws = this.ws;
    const arena = this.runtime.arena;
    const bufs = this.sequenceBuffers(ws, T, B);
    const lens = writeLens(arena.i32, bufs.lens >> 2, options.sequenceLens, T, B);
    if (options.mask != null) {
      bufs.mask = ws.get("mask", Math.ceil((T * B) / 4));
      writeMask(arena.u8, bufs.mask, options.mask, T, B, layout);
    }
    if (options.maskedOutput !== undefined && options.maskedOutput !== "previous" && options.maskedOutput !== "zero") {
      throw new InvalidArgumentError(`maskedOutput: expected "previous" or "zero", found ${JSON.stringify(options.maskedOutput)}`);
    }
    bufs.maskZero = options.maskedOutput === "zero";
    const f32 = arena.f32;
    copyIn(f32, bufs.x >> 2, X.data, T, B, I, layout);
    f32.fill(0, bufs.y >> 2, (bufs.y >> 2) + T * B * dirs * S);
    this.loadStates(f32, bufs, options, B, layout);
    this.forward(bufs, T, B);
    return this.outputs(arena.f32, bufs, lens, T, B);
  }

  /** Blocks of `ws` for a forward pass over T steps of B rows (contents unspecified). */
  sequenceBuffers(ws: Workspace, T: number, B: number): SequenceBuffers {
    const { dirs, stateSize: S, hiddenSize: H, inputSize: I } = this.spec;
    const bufs: SequenceBuffers = {
      x: ws.get("x", T * B * I), y: ws.get("y", T * B * dirs * S), lens: ws.get("lens", B), hp: [], mask: 0, maskZero: false, h0: [], c: [],
    };
    for (let d = 0; d < dirs; d++) {
      bufs.hp.push(ws.get(`hp.${d}`, B));
      bufs.h0.push(ws.get(`h0.${d}`, B * S));
      bufs.c.push(ws.get(`c.${d}`, B * ceil4(H)));
    }
    return bufs;
  }

  /**
   * Runs every direction over a sequence already in memory. Used by run() and by models,
   * which chain layers without copying through JavaScript.
   */
  forward(bufs: SequenceBuffers, T: number, B: number): void {
    // Only work that could be split asks for the workers (which starts them on first need).
    const { spec } = this;
    const k = this.runtime.kernels;
    const flops = 2 * T * B * gateStride(spec) * (spec.inputSize + spec.stateSize) * spec.dirs;
    const splittable = (spec.dirs === 2 || B >= 2 || unitSlices(spec, 2)) && flops >= PARALLEL_MIN_FLOPS;
    const pool = splittable ? this.runtime.workers() : undefined;
    const host: PlanHost = {
      spec,
      project: (k, d, m0, m1) => this.project(k, d, bufs, T, B, m0, m1),
      recur: (k, d, b0, b1, slice, share) => this.recur(k, d, bufs, T, B, b0, b1, slice, share),
    };
    const plan = pool && pool.size > 0 ? planForward(host, k, pool, T, B) : undefined;
    if (plan) return pool!.runPhases(k, plan);
    for (let d = 0; d < spec.dirs; d++) {
      guardKernel(() => {
        this.project(k, d, bufs, T, B, 0, T * B);
        this.recur(k, d, bufs, T, B, 0, B, 0);
      });
    }
  }

  /** A stream over this layer's weights, with its own state (forward layers only). */
  stream(options: StreamOptions = {}): LayerStream {
    this.check();
    const stream: LayerStream = new LayerStream(this, options, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  stepFloats(B: number): { G: number; scratch: number } {
    return { G: B * gateStride(this.spec), scratch: this.cell.scratchFloats(this.spec, B) };
  }

  /**
   * One-step runner for a stream: the call arguments are built once and updated in place. When
   * the pool is ready and the step is big enough, the step is split by units between threads
   * (parallel-plan.ts), prepared once per state buffer (h ping-pongs between two).
   */
  makeStep(B: number, bufs: StepBuffers): StepFn {
    const { spec, cell } = this;
    const k = this.runtime.kernels;
    const p = this.packed[0];
    const I = spec.inputSize;
    const ldg = gateStride(spec);
    const args: DirectionRun = {
      G: bufs.G, H0: 0, C: 0, Y: 0, ldy: spec.stateSize, lens: bufs.lens, table: bufs.table, hp: bufs.hp,
      mask: bufs.mask ?? 0, maskZero: !!bufs.maskZero, scratch: bufs.scratch, B, b0: 0, b1: B, reverse: false, steps: 1,
    };
    const splittable = !!unitSlices(spec, 2) && 2 * B * ldg * (I + spec.stateSize) >= STEP_SPLIT_MIN_FLOPS;
    // Prepared splits by buffers: a stream uses two (h ping-pongs); searched without allocating.
    const prepared: { size: number; x: number; h0: number; c: number; y: number; phase: PreparedPhase | undefined }[] = [];
    // A thread's share of the step: its own schedule, state pointers and scratch (slice 0: the stream's).
    const share = (h0: number, c: number, y: number) => (r: Kernels, slice: number, units: UnitShare) => {
      const own = slice === 0 ? bufs : {
        table: this.ws.get(`step.${B}.table.${slice}`, 4 * B),
        hp: this.ws.get(`step.${B}.hp.${slice}`, B),
        scratch: this.ws.get(`step.${B}.scratch.${slice}`, cell.scratchFloats(spec, B)),
      };
      cell.run(r, spec, p, { ...args, H0: h0, C: c, Y: y, table: own.table, hp: own.hp, scratch: own.scratch, ...units });
    };
    return (x, h0, c, y) => {
      const pool = splittable ? this.runtime.workers() : undefined;
      if (pool && pool.size > 0) {
        let hit;
        for (const e of prepared) if (e.size === pool.size && e.x === x && e.h0 === h0 && e.c === c && e.y === y) hit = e;
        if (!hit) {
          if (prepared.length >= 8) prepared.length = 0; // bound what callers that move buffers leave
          hit = { size: pool.size, x, h0, c, y, phase: prepareStep(pool, k, spec, p, B, share(h0, c, y), x, bufs.G) };
          prepared.push(hit);
        }
        if (hit.phase) return pool.run(hit.phase);
      }
      args.H0 = h0;
      args.C = c;
      args.Y = y;
      try {
        k.f32_gemm_2x16(x, I, B, I, p.Wp, p.bias, bufs.G, ldg, ldg);
        cell.run(k, spec, p, args);
      } catch (e) {
        throw kernelError(e);
      }
    };
  }

  /** Frees the packed weights, workspaces and every stream made from this layer. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of [...this.streams]) s.dispose();
    this.ws.release();
    for (const b of this.blocks) this.runtime.arena.release(b);
    this.blocks.length = 0;
    this.packed.length = 0;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  check(): void {
    if (this.disposed) throw new DisposedError("RecurrentLayer");
    this.runtime.check();
  }

  /** Direction d's input projection X·Wᵀ + b of rows m0 ≤ m < m1 of the T·B (t, b) rows. */
  private project(k: Kernels, d: number, bufs: SequenceBuffers, T: number, B: number, m0: number, m1: number): void {
    const { inputSize: I } = this.spec;
    const ldg = gateStride(this.spec);
    const p = this.packed[d];
    const G = this.ws.get(`G.${d}`, T * B * ldg);
    k.f32_gemm_2x16(bufs.x + m0 * I * 4, I, m1 - m0, I, p.Wp, p.bias, G + m0 * ldg * 4, ldg, ldg);
  }

  /**
   * Direction d's recurrence for batch rows b0 ≤ b < b1 (after project), or with `share` for
   * one thread's units of every row. Each direction has its own gate buffer, and each slice its
   * own schedule table, state pointers (slice 0: bufs.hp, read by finalStates) and scratch, so
   * directions and slices can run on different threads; the kernels never touch other rows.
   */
  private recur(k: Kernels, d: number, bufs: SequenceBuffers, T: number, B: number, b0: number, b1: number, slice: number, share?: UnitShare): void {
    const { spec } = this;
    const p = this.packed[d];
    const G = this.ws.get(`G.${d}`, 0);
    const table = this.ws.get(`table.${d}.${slice}`, 4 * (b1 - b0));
    const scratch = this.ws.get(`scratch.${d}.${slice}`, this.cell.scratchFloats(spec, b1 - b0));
    const hp = share && slice > 0 ? this.ws.get(`hp.${d}.${slice}`, B) : bufs.hp[d];
    this.cell.run(k, spec, p, {
      G, H0: bufs.h0[d], C: bufs.c[d], Y: bufs.y + d * spec.stateSize * 4, ldy: spec.dirs * spec.stateSize, lens: bufs.lens,
      table, hp, mask: bufs.mask, maskZero: bufs.maskZero, scratch, B, b0, b1, steps: T,
      reverse: spec.direction === "reverse" || d === 1, ...share,
    });
  }

  /** Writes initial states (zeros where absent) into bufs.h0 / bufs.c, validating their shapes. */
  loadStates(f32: Float32Array, bufs: SequenceBuffers, options: Pick<RunOptions, "initialH" | "initialC">, B: number, layout: 0 | 1): void {
    const { dirs, hiddenSize: H, stateSize: S, cell } = this.spec;
    if (options.initialC != null && cell !== "lstm") throw new ShapeError(`initialC: only an LSTM has a cell state, this layer is ${cell}`);
    const order = layout === 0 ? "[dirs, batch_size" : "[batch_size, dirs";
    for (const [name, state, units, stride, ptrs] of [
      ["initialH", options.initialH, S, S, bufs.h0],
      ["initialC", options.initialC, H, ceil4(H), bufs.c],
    ] as const) {
      const shape = layout === 0 ? [dirs, B, units] : [B, dirs, units];
      const formula = `${order}, ${units === H ? "hiddenSize" : "projSize"}]`;
      for (let d = 0; d < dirs; d++) {
        const base = ptrs[d] >> 2;
        if (state == null) {
          f32.fill(0, base, base + B * stride);
          continue;
        }
        checkTensor(state, name);
        expectDims(name, state.dims, shape, formula);
        for (let b = 0; b < B; b++) {
          const src = layout === 0 ? (d * B + b) * units : (b * dirs + d) * units;
          f32.set(state.data.subarray(src, src + units), base + b * stride);
        }
      }
    }
  }

  /** Y, Y_h (and Y_c) after a forward pass, copied out in the layout's ONNX shapes. */
  outputs(f32: Float32Array, bufs: SequenceBuffers, lens: ArrayLike<number>, T: number, B: number): RecurrentOutputs {
    const { dirs, stateSize: S, layout } = this.spec;
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
    const yDims = layout === 0 ? [T, dirs, B, S] : [B, T, dirs, S];
    return { Y: { data: Y, dims: yDims }, ...this.finalStates(f32, bufs, lens, B, layout) };
  }

  /**
   * Y_h (and Y_c) after a forward pass: each row's state after its last run step (the initial
   * state if a mask skipped them all), zero for rows of length 0 (onnxruntime's rule).
   * Layout 0 gives [dirs, B, S]; layout 1 gives [B, dirs, S] (= [B, dirs·S]).
   */
  finalStates(f32: Float32Array, bufs: SequenceBuffers, lens: ArrayLike<number>, B: number, layout: 0 | 1): { Y_h: Tensor; Y_c?: Tensor } {
    const { dirs, hiddenSize: H, stateSize: S, cell } = this.spec;
    const i32 = this.runtime.arena.i32;
    const Y_h = new Float32Array(dirs * B * S);
    const Y_c = cell === "lstm" ? new Float32Array(dirs * B * H) : undefined;
    for (let d = 0; d < dirs; d++) {
      for (let b = 0; b < B; b++) {
        if (lens[b] === 0) continue;
        const row = layout === 0 ? d * B + b : b * dirs + d;
        const src = i32[(bufs.hp[d] >> 2) + b] >> 2;
        Y_h.set(f32.subarray(src, src + S), row * S);
        if (Y_c) {
          const c = (bufs.c[d] >> 2) + b * ceil4(H);
          Y_c.set(f32.subarray(c, c + H), row * H);
        }
      }
    }
    const hDims = layout === 0 ? [dirs, B, S] : [B, dirs, S];
    const cDims = layout === 0 ? [dirs, B, H] : [B, dirs, H];
    return Y_c ? { Y_h: { data: Y_h, dims: hDims }, Y_c: { data: Y_c, dims: cDims } } : { Y_h: { data: Y_h, dims: hDims } };
  }
}

/** Below this many flops a forward pass stays on one thread (hand-offs would cost more). */
const PARALLEL_MIN_FLOPS = 4e6;
/** Below this many flops a stream step stays on one thread (a hand-off costs a few µs). */
const STEP_SPLIT_MIN_FLOPS = 2.5e5;

/** Creates a layer on `runtime` (default: the shared runtime, created on first use). */
export async function createLayer(spec: RecurrentLayerSpec, options: { runtime?: Runtime } = {}): Promise<RecurrentLayer> {
  const runtime = options.runtime ?? (await defaultRuntime());
  return new RecurrentLayer(runtime, spec);
}
