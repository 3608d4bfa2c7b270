// A model fed one time step per call (text generation, voice activity detection, keyword
// spotting): every recurrent layer keeps its state in linear memory between calls. A step
// allocates nothing: buffers and kernel arguments are prepared once; hidden states ping-pong.
import { DisposedError, InvalidArgumentError, ShapeError, UnsupportedError } from "../errors.js";
import { ceil4 } from "../layers/pack.js";
import type { StepFn } from "../layers/stream.js";
import { kernelError } from "../runtime/guard.js";
import type { Stage, StageSource } from "./stage.js";

export interface ModelStreamOptions {
  /** Rows per step (default 1). */
  batchSize?: number;
}

/** One recurrent layer's state: h [B × S] (S = projSize || H) and, for an LSTM, c [B × H]. */
export interface StreamLayerState {
  h: Float32Array;
  c?: Float32Array;
}

interface RecurrentSlot {
  run: StepFn;
  h: [number, number];
  c: number;
  cur: number;
  /** Units of h and of c. */
  S: number;
  H: number;
  lstm: boolean;
}

export class ModelStream {
  readonly batchSize: number;
  private readonly model: StageSource;
  private readonly blocks: number[] = [];
  private readonly slots: RecurrentSlot[] = [];
  private readonly dense = new Map<Stage, number>();
  private readonly x: number;
  private readonly out: number;
  private outView: Float32Array | undefined;
  private disposed = false;

  constructor(model: StageSource, options: ModelStreamOptions) {
    const B = options.batchSize ?? 1;
    if (!Number.isInteger(B) || B < 1) throw new InvalidArgumentError(`batchSize: expected a positive integer, found ${B}`);
    this.model = model;
    this.batchSize = B;
    for (const s of model.stages) {
      if (s.kind === "recurrent" && s.layer.spec.direction !== "forward") {
        throw new UnsupportedError(`stream(): a ${s.layer.spec.direction} layer needs the whole sequence; only forward layers can stream`);
      }
    }
    const arena = model.runtime.arena;
    const alloc = (floats: number, what: string) => {
      const p = arena.alloc(Math.max(1, floats) * 4, what);
      this.blocks.push(p);
      return p;
    };
    try {
      const first = model.stages[0];
      this.x = alloc(B * (first.kind === "embedding" ? first.embedding.dim : model.inputSize), "stream input");
      for (const s of model.stages) {
        if (s.kind === "recurrent") {
          const { layer } = s;
          const { hiddenSize: H, stateSize: S } = layer.spec;
          const sizes = layer.stepFloats(B);
          const lens = alloc(B, "stream lengths");
          arena.i32.fill(1, lens >> 2, (lens >> 2) + B);
          const run = layer.makeStep(B, {
            lens, hp: alloc(B, "stream state pointers"), table: alloc(4 * B, "stream schedule"), G: alloc(sizes.G, "stream gates"),
            scratch: sizes.scratch > 0 ? alloc(sizes.scratch, "stream scratch") : 0,
          });
          this.slots.push({
            run, h: [alloc(B * S, "stream state"), alloc(B * S, "stream state")], c: alloc(B * ceil4(H), "stream cell state"),
            cur: 0, S, H, lstm: layer.spec.cell === "lstm",
          });
        } else if (s.kind === "dense") this.dense.set(s, alloc(B * s.dense.ld, "stream dense output"));
      }
      this.out = alloc(B * ceil4(model.outputSize), "stream output");
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * One time step: B token ids (a model with an embedding) or B × inputSize features.
   * Returns [B × outputSize], a view overwritten by the next step (copy it to keep it).
   */
  step(input: ArrayLike<number>): Float32Array {
    this.check();
    const { model, batchSize: B } = this;
    const arena = model.runtime.arena;
    const kernels = model.runtime.kernels;
    const first = model.stages[0];
    let ptr = this.x;
    let ld: number;
    if (first.kind === "embedding") {
      if (input.length !== B) throw new ShapeError(`step(tokens): expected ${B} token ids (batchSize), found ${input.length}`);
      first.embedding.check(input);
      first.embedding.gather(input, B, this.x);
      ld = first.embedding.dim;
    } else {
      const n = B * model.inputSize;
      if (input.length !== n) throw new ShapeError(`step(x): expected ${n} values = batchSize ${B} × inputSize ${model.inputSize}, found ${input.length}`);
      arena.f32.set(input, this.x >> 2);
      ld = model.inputSize;
    }
    let features = ld;
    let slot = 0;
    for (const s of model.stages) {
      if (s.kind === "embedding") continue;
      if (s.kind === "recurrent") {
        const r = this.slots[slot++];
        const next = 1 - r.cur;
        r.run(ptr, r.h[r.cur], r.c, r.h[next]);
        r.cur = next;
        ptr = r.h[next];
        ld = features = r.S;
      } else if (s.kind === "dense") {
        const y = this.dense.get(s)!;
        s.dense.forward(ptr, ld, B, y);
        ptr = y;
        ld = s.dense.ld;
        features = s.dense.outputSize;
      } else {
        if (ld < ceil4(features)) ptr = this.copyOut(ptr, ld, features);
        ld = Math.max(ld, ceil4(features));
        try {
          kernels.f32_softmax(ptr, ld, B, features, s.log ? 1 : 0);
        } catch (e) {
          throw kernelError(e);
        }
      }
    }
    if (ptr !== this.out) this.copyOut(ptr, ld, features);
    return this.view(features);
  }

  /** Copies of every recurrent layer's state, in layer order. */
  getState(): StreamLayerState[] {
    this.check();
    const f32 = this.model.runtime.arena.f32;
    const B = this.batchSize;
    return this.slots.map((r) => {
      const h = f32.slice(r.h[r.cur] >> 2, (r.h[r.cur] >> 2) + B * r.S);
      if (!r.lstm) return { h };
      const c = new Float32Array(B * r.H);
      for (let b = 0; b < B; b++) c.set(f32.subarray((r.c >> 2) + b * ceil4(r.H), (r.c >> 2) + b * ceil4(r.H) + r.H), b * r.H);
      return { h, c };
    });
  }

  setState(states: readonly StreamLayerState[]): void {
    this.check();
    if (!Array.isArray(states) || states.length !== this.slots.length) {
      throw new ShapeError(`setState: expected one state per recurrent layer (${this.slots.length}), found ${Array.isArray(states) ? states.length : typeof states}`);
    }
    const B = this.batchSize;
    states.forEach((s, i) => {
      const r = this.slots[i];
      if (!(s?.h instanceof Float32Array) || s.h.length !== B * r.S) {
        throw new ShapeError(`setState[${i}].h: expected a Float32Array of ${B * r.S} floats (batchSize × state units), found ${s?.h?.length}`);
      }
      if (r.lstm && (!(s.c instanceof Float32Array) || s.c.length !== B * r.H)) {
        throw new ShapeError(`setState[${i}].c: an LSTM needs c, a Float32Array of ${B * r.H} floats, found ${s.c?.length}`);
      }
    });
    const f32 = this.model.runtime.arena.f32;
    states.forEach((s, i) => {
      const r = this.slots[i];
      f32.set(s.h, r.h[r.cur] >> 2);
      if (s.c) for (let b = 0; b < B; b++) f32.set(s.c.subarray(b * r.H, (b + 1) * r.H), (r.c >> 2) + b * ceil4(r.H));
    });
  }

  /** Zeros every state. */
  reset(): void {
    this.check();
    const f32 = this.model.runtime.arena.f32;
    const B = this.batchSize;
    for (const r of this.slots) {
      f32.fill(0, r.h[r.cur] >> 2, (r.h[r.cur] >> 2) + B * r.S);
      f32.fill(0, r.c >> 2, (r.c >> 2) + B * ceil4(r.H));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.blocks) this.model.runtime.arena.release(b);
    this.blocks.length = 0;
  }

  private check(): void {
    if (this.disposed) throw new DisposedError("ModelStream");
    this.model.check();
  }

  /** Rows of `features` floats at `ld` → this.out, packed at stride ceil4(features). */
  private copyOut(ptr: number, ld: number, features: number): number {
    const f32 = this.model.runtime.arena.f32;
    const to = ceil4(features);
    for (let b = 0; b < this.batchSize; b++) f32.copyWithin((this.out >> 2) + b * to, (ptr >> 2) + b * ld, (ptr >> 2) + b * ld + features);
    return this.out;
  }

  /** The output rows compacted to [B × F] (in place when rows are padded), as a cached view. */
  private view(features: number): Float32Array {
    const f32 = this.model.runtime.arena.f32;
    const to = ceil4(features);
    if (to !== features) {
      for (let b = 1; b < this.batchSize; b++) f32.copyWithin((this.out >> 2) + b * features, (this.out >> 2) + b * to, (this.out >> 2) + b * to + features);
    }
    const buffer = this.model.runtime.arena.memory.buffer;
    if (!this.outView || this.outView.buffer !== buffer) this.outView = new Float32Array(buffer, this.out, this.batchSize * features);
    return this.outView;
  }
}
