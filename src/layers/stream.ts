// Streaming: one time step per call with the state carried in linear memory — what a voice
// activity or keyword-spotting app calls every 10–30 ms. A step copies x in, runs two kernel
// calls and returns a view of h; it allocates nothing (buffers and call arguments are
// prepared once, and the hidden state ping-pongs between two buffers).
import { DisposedError, InvalidArgumentError, ShapeError, UnsupportedError } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { type Tensor, checkTensor, describe, isArrayLike } from "../tensor.js";
import { ceil4 } from "./pack.js";
import type { NormalizedSpec } from "./spec.js";

/** Buffers (byte offsets) a step runs on; the stream owns them. */
export interface StepBuffers {
  lens: number;
  hp: number;
  /** 0, or [B] mask bytes for the step (0 = masked row), and whether masked rows output 0. */
  mask?: number;
  maskZero?: boolean;
  table: number;
  G: number;
  scratch: number;
}

/** Runs one step: input rows at x, h_prev at h0, LSTM cell state at c (in place), new h at y. */
export type StepFn = (x: number, h0: number, c: number, y: number) => void;

/** What a stream needs from its layer (implemented by RecurrentLayer). */
export interface StepSource {
  readonly spec: NormalizedSpec;
  readonly runtime: Runtime;
  check(): void;
  /** Floats of G and scratch a B-row step needs. */
  stepFloats(B: number): { G: number; scratch: number };
  makeStep(B: number, bufs: StepBuffers): StepFn;
}

export interface StreamOptions {
  /** Rows processed per step (default 1). */
  batchSize?: number;
  /** Initial state [1, B, S] (or B·S floats), S = projSize || H; default zeros. reset() returns to it. */
  initialH?: Tensor | Float32Array;
  /** LSTM initial cell state [1, B, H] (or B·H floats). */
  initialC?: Tensor | Float32Array;
}

export interface StreamState {
  /** [B × S] */
  h: Float32Array;
  /** LSTM only: [B × H] */
  c?: Float32Array;
}

export class LayerStream {
  readonly batchSize: number;
  private readonly source: StepSource;
  private readonly run: StepFn;
  private readonly blocks: number[] = [];
  private readonly bufs: StepBuffers;
  private readonly x: number;
  private readonly h: [number, number];
  private readonly c: number;
  private readonly initial: StreamState;
  private cur = 0;
  private views: [Float32Array, Float32Array] | undefined;
  private viewBuffer: ArrayBufferLike | undefined;
  private disposed = false;

  private readonly onDispose: (() => void) | undefined;

  /** onDispose: called once when the stream is disposed (its owner stops tracking it). */
  constructor(source: StepSource, options: StreamOptions, onDispose?: () => void) {
    this.onDispose = onDispose;
    const { spec } = source;
    if (spec.direction !== "forward") {
      throw new UnsupportedError(`stream(): a ${spec.direction} layer needs the whole sequence; only forward layers can stream`);
    }
    const B = options.batchSize ?? 1;
    if (!Number.isInteger(B) || B < 1) throw new InvalidArgumentError(`batchSize: expected a positive integer, found ${B}`);
    this.source = source;
    this.batchSize = B;
    const { hiddenSize: H, stateSize: S } = spec;
    this.initial = {
      h: stateArray(options.initialH, B, S, "initialH"),
      c: spec.cell === "lstm" ? stateArray(options.initialC, B, H, "initialC") : undefined,
    };
    if (options.initialC !== undefined && spec.cell !== "lstm") {
      throw new ShapeError(`initialC: only an LSTM has a cell state, this layer is ${spec.cell}`);
    }
    const arena = source.runtime.arena;
    const alloc = (floats: number, what: string) => {
      const p = arena.alloc(Math.max(1, floats) * 4, what);
      this.blocks.push(p);
      return p;
    };
    try {
      const sizes = source.stepFloats(B);
      this.x = alloc(B * spec.inputSize, "stream input");
      this.bufs = {
        lens: alloc(B, "stream lengths"),
        hp: alloc(B, "stream state pointers"),
        table: alloc(4 * B, "stream schedule"),
        G: alloc(sizes.G, "stream gates"),
        scratch: sizes.scratch > 0 ? alloc(sizes.scratch, "stream scratch") : 0,
      };
      this.h = [alloc(B * S, "stream state"), alloc(B * S, "stream state")];
      this.c = alloc(B * ceil4(H), "stream cell state");
      arena.i32.fill(1, this.bufs.lens >> 2, (this.bufs.lens >> 2) + B);
      this.run = source.makeStep(B, this.bufs);
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.setState(this.initial);
  }

  /**
   * Feeds x [B × inputSize] (one time step) and returns h [B × S]. The returned array is a
   * view into the runtime's memory, overwritten by the next step: copy it to keep it, or pass
   * `out` to have it copied there.
   */
  step(x: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.check();
    const { spec } = this.source;
    const n = this.batchSize * spec.inputSize;
    if (!isArrayLike(x) || x.length !== n) {
      throw new ShapeError(`step(x): expected ${n} values = batchSize ${this.batchSize} × inputSize ${spec.inputSize}, found ${describe(x)}`);
    }
    const arena = this.source.runtime.arena;
    arena.f32.set(x, this.x >> 2);
    const next = 1 - this.cur;
    this.run(this.x, this.h[this.cur], this.c, this.h[next]);
    this.cur = next;
    const h = this.view(next);
    if (out) {
      if (out.length !== h.length) throw new ShapeError(`step(x, out): out must hold ${h.length} floats, found ${out.length}`);
      out.set(h);
      return out;
    }
    return h;
  }

  /** A copy of the current state. */
  getState(): StreamState {
    this.check();
    const f32 = this.source.runtime.arena.f32;
    const { hiddenSize: H, cell } = this.source.spec;
    const h = this.view(this.cur).slice();
    if (cell !== "lstm") return { h };
    const c = new Float32Array(this.batchSize * H);
    for (let b = 0; b < this.batchSize; b++) {
      const at = (this.c >> 2) + b * ceil4(H);
      c.set(f32.subarray(at, at + H), b * H);
    }
    return { h, c };
  }

  /** Replaces the state: h [B × S] (and c [B × H] for an LSTM). */
  setState(state: StreamState): void {
    this.check();
    const { hiddenSize: H, stateSize: S, cell } = this.source.spec;
    const B = this.batchSize;
    if (!state || !(state.h instanceof Float32Array) || state.h.length !== B * S) {
      throw new ShapeError(`setState: h must be a Float32Array of ${B * S} floats = batchSize ${B} × ${S === H ? "hiddenSize" : "projSize"} ${S}, found ${describeState(state?.h)}`);
    }
    if (cell === "lstm" && (!(state.c instanceof Float32Array) || state.c.length !== B * H)) {
      throw new ShapeError(`setState: an LSTM state needs c, a Float32Array of ${B * H} floats, found ${describeState(state.c)}`);
    }
    const f32 = this.source.runtime.arena.f32;
    f32.set(state.h, this.h[this.cur] >> 2);
    if (state.c) {
      for (let b = 0; b < B; b++) f32.set(state.c.subarray(b * H, (b + 1) * H), (this.c >> 2) + b * ceil4(H));
    }
  }

  /** Back to the initial state given at creation (zeros by default). */
  reset(): void {
    this.setState(this.initial);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const arena = this.source.runtime.arena;
    for (const b of this.blocks) arena.release(b);
    this.blocks.length = 0;
    this.onDispose?.();
  }

  private check(): void {
    if (this.disposed) throw new DisposedError("LayerStream");
    this.source.check();
  }

  /** Cached views of the two state buffers, rebuilt only when memory grew. */
  private view(i: number): Float32Array {
    const buffer = this.source.runtime.arena.memory.buffer;
    if (!this.views || this.viewBuffer !== buffer) {
      const n = this.batchSize * this.source.spec.stateSize;
      this.views = [new Float32Array(buffer, this.h[0], n), new Float32Array(buffer, this.h[1], n)];
      this.viewBuffer = buffer;
    }
    return this.views[i];
  }
}

function stateArray(given: Tensor | Float32Array | undefined, B: number, units: number, name: string): Float32Array {
  if (given === undefined) return new Float32Array(B * units);
  const data = given instanceof Float32Array ? given : (checkTensor(given, name), given.data);
  if (data.length !== B * units) throw new ShapeError(`${name}: expected [1, ${B}, ${units}] = ${B * units} floats (1, batchSize, units), found ${data.length}`);
  return data.slice();
}

function describeState(v: unknown): string {
  return v instanceof Float32Array ? `${v.length} floats` : v === undefined ? "nothing" : typeof v;
}
