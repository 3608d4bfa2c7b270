// A model fed one time step per call (text generation, voice activity detection, keyword
// spotting): every recurrent layer keeps its state in linear memory between calls. A step
// allocates nothing: buffers and kernel arguments are prepared once.
// Per layer the kernel reads the state buffer and writes the output buffer; rows that ran then
// copy output → state. Masked rows (Keras masks) keep their state and output the previous
// output (zero before any, or in maskZero mode), exactly as a whole-sequence run does.
import { DisposedError, InvalidArgumentError, ShapeError, UnsupportedError } from "../errors.js";
import { ACTIVATION_IDS } from "../layers/activations.js";
import { ceil4 } from "../layers/pack.js";
import type { StepFn } from "../layers/stream.js";
import { guardKernel } from "../runtime/guard.js";
import { isArrayLike } from "../tensor.js";
import { type Flow, maskByValue } from "./flow.js";
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
  state: number;
  out: number;
  c: number;
  /** Units of h and of c. */
  S: number;
  H: number;
  lstm: boolean;
  maskZero: boolean;
  /** Per row: has a step run yet (a masked step before any outputs zero). */
  ran: Uint8Array;
}

export class ModelStream {
  readonly batchSize: number;
  private readonly model: StageSource;
  private readonly blocks: number[] = [];
  private readonly slots: RecurrentSlot[] = [];
  private readonly outputs = new Map<Stage, number>();
  private readonly x: number;
  /** [B] mask bytes for this step, or 0 when the model has no mask. */
  private readonly mask: number;
  private readonly out: number;
  private outView: Float32Array | undefined;
  private disposed = false;

  private readonly onDispose: (() => void) | undefined;

  /** onDispose: called once when the stream is disposed (its model stops tracking it). */
  constructor(model: StageSource, options: ModelStreamOptions, onDispose?: () => void) {
    this.onDispose = onDispose;
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
      this.mask = model.stages.some((s) => (s.kind === "embedding" && s.maskZero) || s.kind === "masking") ? alloc(B, "stream mask") : 0;
      for (const s of model.stages) {
        if (s.kind === "recurrent") {
          const { layer } = s;
          const { hiddenSize: H, stateSize: S } = layer.spec;
          const sizes = layer.stepFloats(B);
          const lens = alloc(B, "stream lengths");
          arena.i32.fill(1, lens >> 2, (lens >> 2) + B);
          const run = layer.makeStep(B, {
            lens, hp: alloc(B, "stream state pointers"), table: alloc(4 * B, "stream schedule"), G: alloc(sizes.G, "stream gates"),
            scratch: sizes.scratch > 0 ? alloc(sizes.scratch, "stream scratch") : 0, mask: this.mask, maskZero: s.maskZero,
          });
          this.slots.push({
            run, state: alloc(B * S, "stream state"), out: alloc(B * S, "stream output"), c: alloc(B * ceil4(H), "stream cell state"),
            S, H, lstm: layer.spec.cell === "lstm", maskZero: s.maskZero, ran: new Uint8Array(B),
          });
        } else if (s.kind === "dense") this.outputs.set(s, alloc(B * s.dense.ld, "stream dense output"));
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
    const { arena, kernels } = model.runtime;
    let flow = this.load(input);
    let slot = 0;
    for (const s of model.stages) {
      switch (s.kind) {
        case "embedding":
          break;
        case "masking":
          maskByValue(arena, flow, B, s.maskValue, this.mask);
          break;
        case "recurrent": {
          const r = this.slots[slot++];
          r.run(flow.ptr, r.state, r.c, r.out);
          this.carry(r);
          flow = { ptr: r.out, ld: r.S, features: r.S, steps: 1 };
          break;
        }
        case "dense": {
          const y = this.outputs.get(s)!;
          s.dense.forward(flow.ptr, flow.ld, B, y);
          flow = { ptr: y, ld: s.dense.ld, features: s.dense.outputSize, steps: 1 };
          break;
        }
        case "activation": {
          const a = s.activation;
          guardKernel(() => kernels.f32_activation(flow.ptr, flow.ptr, B * flow.ld, ACTIVATION_IDS[a.name], a.alpha, a.beta));
          break;
        }
        case "lastStep": // one step at a time: every step is the last so far
          break;
        case "softmax": {
          if (flow.ld < ceil4(flow.features)) flow = this.copyOut(flow);
          const f = flow;
          guardKernel(() => kernels.f32_softmax(f.ptr, f.ld, B, f.features, s.log ? 1 : 0));
        }
      }
    }
    if (flow.ptr !== this.out) flow = this.copyOut(flow);
    return this.view(flow.features);
  }

  /** Copies of every recurrent layer's state, in layer order. */
  getState(): StreamLayerState[] {
    this.check();
    const f32 = this.model.runtime.arena.f32;
    const B = this.batchSize;
    return this.slots.map((r) => {
      const h = f32.slice(r.state >> 2, (r.state >> 2) + B * r.S);
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
      f32.set(s.h, r.state >> 2);
      if (s.c) for (let b = 0; b < B; b++) f32.set(s.c.subarray(b * r.H, (b + 1) * r.H), (r.c >> 2) + b * ceil4(r.H));
      r.ran.fill(1); // a given state counts as a previous output
    });
  }

  /** Zeros every state. */
  reset(): void {
    this.check();
    const f32 = this.model.runtime.arena.f32;
    const B = this.batchSize;
    for (const r of this.slots) {
      f32.fill(0, r.state >> 2, (r.state >> 2) + B * r.S);
      f32.fill(0, r.c >> 2, (r.c >> 2) + B * ceil4(r.H));
      r.ran.fill(0);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.blocks) this.model.runtime.arena.release(b);
    this.blocks.length = 0;
    this.onDispose?.();
  }

  private check(): void {
    if (this.disposed) throw new DisposedError("ModelStream");
    this.model.check();
  }

  /** Validates the step input and writes it (embedded, with its mask) to this.x. */
  private load(input: ArrayLike<number>): Flow {
    const { model, batchSize: B } = this;
    const first = model.stages[0];
    const arena = model.runtime.arena;
    if (first.kind === "embedding") {
      if (!isArrayLike(input) || input.length !== B) throw new ShapeError(`step(tokens): expected ${B} token ids (batchSize), found ${input?.length}`);
      first.embedding.check(input);
      first.embedding.gather(input, B, this.x);
      if (first.maskZero) for (let b = 0; b < B; b++) arena.u8[this.mask + b] = input[b] === 0 ? 0 : 1;
      return { ptr: this.x, ld: first.embedding.dim, features: first.embedding.dim, steps: 1 };
    }
    const n = B * model.inputSize;
    if (!isArrayLike(input) || input.length !== n) throw new ShapeError(`step(x): expected ${n} values = batchSize ${B} × inputSize ${model.inputSize}, found ${input?.length}`);
    arena.f32.set(input, this.x >> 2);
    return { ptr: this.x, ld: model.inputSize, features: model.inputSize, steps: 1 };
  }

  /** After a step: rows that ran keep their output as state; masked rows output as a run would. */
  private carry(r: RecurrentSlot): void {
    const arena = this.model.runtime.arena;
    const f32 = arena.f32;
    const B = this.batchSize;
    const n = B * r.S;
    if (this.mask === 0) {
      f32.copyWithin(r.state >> 2, r.out >> 2, (r.out >> 2) + n);
      return;
    }
    for (let b = 0; b < B; b++) {
      const o = (r.out >> 2) + b * r.S;
      const st = (r.state >> 2) + b * r.S;
      if (arena.u8[this.mask + b]) {
        f32.copyWithin(st, o, o + r.S);
        r.ran[b] = 1;
      } else if (r.maskZero || !r.ran[b]) f32.fill(0, o, o + r.S);
      else f32.copyWithin(o, st, st + r.S);
    }
  }

  /** Rows of the flow → this.out, at stride ceil4(features). */
  private copyOut(flow: Flow): Flow {
    const f32 = this.model.runtime.arena.f32;
    const to = ceil4(flow.features);
    for (let b = 0; b < this.batchSize; b++) {
      const from = (flow.ptr >> 2) + b * flow.ld;
      f32.copyWithin((this.out >> 2) + b * to, from, from + flow.features);
    }
    return { ptr: this.out, ld: to, features: flow.features, steps: 1 };
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
