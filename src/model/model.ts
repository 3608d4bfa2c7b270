// A sequential model: [Embedding | Masking] → recurrent layers → [Dense | Activation …] →
// [(Log)Softmax] (config.ts). Stages chain inside linear memory; JavaScript only copies the
// input in and the output out.
import { DisposedError, InvalidArgumentError, ShapeError } from "../errors.js";
import { ACTIVATION_IDS, type Activation, normalizeActivation } from "../layers/activations.js";
import { RecurrentLayer } from "../layers/recurrent-layer.js";
import { copyIn, writeLens } from "../layers/sequence-input.js";
import { type Runtime, defaultRuntime } from "../runtime/runtime.js";
import { guardKernel } from "../runtime/guard.js";
import { Workspace } from "../runtime/workspace.js";
import { type Tensor, checkTensor, describe, isArrayLike } from "../tensor.js";
import { type ModelConfig, validateModelConfig } from "./config.js";
import { Dense } from "./dense.js";
import { Embedding } from "./embedding.js";
import { type Flow, maskByValue, padded } from "./flow.js";
import { ModelStream, type ModelStreamOptions } from "./model-stream.js";
import { type LayerState, type SequenceContext, runRecurrentStage } from "./recurrent-stage.js";
import { sequentialInfo } from "./model-info.js";
import type { Feeds, ModelInfo, RnnModel, TokenTensor } from "./rnn-model.js";
import type { Stage, StageSource } from "./stage.js";

export type { LayerState } from "./recurrent-stage.js";

export interface ModelRunOptions {
  /** Steps per batch row, each in [0, T]; every recurrent layer uses them. Default T. */
  sequenceLens?: ArrayLike<number>;
  /** Initial states per recurrent layer, in order ([dirs, B, S] and [dirs, B, H]); default zeros. */
  initialStates?: (Partial<LayerState> | undefined)[];
}

export interface ModelOutputs {
  /** [T, B, F] ([B, T, F] when batchFirst), or [B, F] after a returnSequences: false layer. */
  output: Tensor;
  /** Final states of each recurrent layer, in order (zero for rows of length 0). */
  states: LayerState[];
}

/** A sequential model; token ids for a model with an embedding are [T, B] ([B, T] batchFirst). */
export class Model implements StageSource, RnnModel {
  readonly runtime: Runtime;
  readonly batchFirst: boolean;
  readonly stages: readonly Stage[];
  /** Stage names for info(): config names, else the stage index. */
  readonly names: readonly string[];
  readonly format: string;
  private readonly ws: Workspace;
  /** Live streams: dispose() disposes them too. */
  private readonly streams = new Set<ModelStream>();
  private disposed = false;

  constructor(runtime: Runtime, config: ModelConfig) {
    runtime.check();
    validateModelConfig(config);
    this.runtime = runtime;
    this.batchFirst = !!config.batchFirst;
    this.names = config.layers.map((l, i) => (typeof l.name === "string" && l.name ? l.name : `${i}`));
    this.format = typeof config.format === "string" ? config.format : "rnn-wasm";
    this.ws = new Workspace(runtime.arena);
    const stages: Stage[] = [];
    this.stages = stages;
    try {
      for (const l of config.layers) {
        if (l.type === "embedding") stages.push({ kind: "embedding", embedding: new Embedding(runtime, l), maskZero: !!l.maskZero });
        else if (l.type === "masking") stages.push({ kind: "masking", maskValue: l.maskValue ?? 0 });
        else if (l.type === "recurrent") {
          const { type: _t, returnSequences, merge, goBackwards, maskedOutput, ...spec } = l;
          stages.push({
            kind: "recurrent", layer: new RecurrentLayer(runtime, { ...spec, layout: 0 }), returnSequences: returnSequences !== false,
            merge: merge ?? "concat", goBackwards: !!goBackwards, maskZero: maskedOutput === "zero",
          });
        } else if (l.type === "dense") stages.push({ kind: "dense", dense: new Dense(runtime, l) });
        else if (l.type === "activation") stages.push({ kind: "activation", activation: normalizeActivation(l.activation) });
        else if (l.type === "lastStep") stages.push({ kind: "lastStep" });
        else stages.push({ kind: "softmax", log: l.type === "logSoftmax" });
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** "tokens" when the model starts with an embedding, else "features". */
  get inputKind(): "tokens" | "features" {
    return this.stages[0].kind === "embedding" ? "tokens" : "features";
  }

  /** Features per step of a "features" input (the first recurrent or dense layer's inputSize). */
  get inputSize(): number {
    const first = this.stages.find((s) => s.kind !== "masking")!;
    if (first.kind === "recurrent") return first.layer.spec.inputSize;
    return first.kind === "dense" ? first.dense.inputSize : 1;
  }

  get outputSize(): number {
    let f = 0;
    for (const s of this.stages) {
      if (s.kind === "recurrent") f = s.merge === "concat" ? s.layer.outputSize : s.layer.spec.stateSize;
      else if (s.kind === "dense") f = s.dense.outputSize;
    }
    return f;
  }

  /** True when a stage creates a mask (Embedding with maskZero, or Masking). */
  get masked(): boolean {
    return this.stages.some((s) => (s.kind === "embedding" && s.maskZero) || s.kind === "masking");
  }

  get recurrentLayers(): RecurrentLayer[] {
    return this.stages.flatMap((s) => (s.kind === "recurrent" ? [s.layer] : []));
  }

  async run(input: Tensor | TokenTensor, options?: ModelRunOptions): Promise<ModelOutputs> {
    this.check();
    options ??= {};
    const { T, B } = this.inputShape(input);
    const { arena } = this.runtime;
    const ws = this.ws;
    const lensPtr = ws.get("lens", B);
    const ctx: SequenceContext = { arena, ws, B, lensPtr, lens: writeLens(arena.i32, lensPtr >> 2, options.sequenceLens, T, B), mask: 0 };
    let flow = this.load(input, T, B, ctx);
    const states: LayerState[] = [];
    this.stages.forEach((stage, i) => {
      switch (stage.kind) {
        case "embedding":
          return;
        case "masking":
          if (ctx.mask === 0) ctx.mask = ws.get("mask", Math.ceil((T * B) / 4));
          maskByValue(arena, flow, B, stage.maskValue, ctx.mask);
          return;
        case "recurrent": {
          const r = runRecurrentStage(stage, i, flow, ctx, options.initialStates?.[states.length]);
          flow = r.flow;
          states.push(r.state);
          if (!stage.returnSequences) ctx.mask = 0; // the mask is consumed with the time axis
          return;
        }
        case "dense": {
          const y = ws.get(`y${i}`, flow.steps * B * stage.dense.ld);
          stage.dense.forward(flow.ptr, flow.ld, flow.steps * B, y);
          flow = { ptr: y, ld: stage.dense.ld, features: stage.dense.outputSize, steps: flow.steps };
          return;
        }
        case "activation":
          this.activate(flow, B, stage.activation);
          return;
        case "softmax":
          flow = padded(arena, ws, flow, B, `p${i}`);
          guardKernel(() => this.runtime.kernels.f32_softmax(flow.ptr, flow.ld, flow.steps * B, flow.features, stage.log ? 1 : 0));
          return;
        case "lastStep":
          flow = { ...flow, ptr: flow.ptr + (flow.steps - 1) * B * flow.ld * 4, steps: 1 };
          ctx.mask = 0;
      }
    });
    return { output: this.output(flow, B, T), states };
  }

  info(): ModelInfo {
    this.check();
    return sequentialInfo(this.stages, this.names, this.format, this.batchFirst, this.inputSize, this.outputSize);
  }

  /** run() with inputs and outputs by name: "input" → "output", "state.<k>.h", "state.<k>.c". */
  async runNamed(feeds: Feeds, options: ModelRunOptions = {}): Promise<Record<string, Tensor>> {
    const names = Object.keys(feeds ?? {});
    if (names.length !== 1 || names[0] !== "input") {
      throw new InvalidArgumentError(`runNamed: this model takes one input, "input"; found ${names.length ? names.join(", ") : "none"}`);
    }
    const { output, states } = await this.run(feeds[names[0]], options);
    const out: Record<string, Tensor> = { output };
    states.forEach((s, k) => {
      out[`state.${k}.h`] = s.h;
      if (s.c) out[`state.${k}.c`] = s.c;
    });
    return out;
  }

  stream(options: ModelStreamOptions = {}): ModelStream {
    this.check();
    const stream: ModelStream = new ModelStream(this, options, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  /** Frees every layer's weights, the workspaces and every stream made from this model. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of [...this.streams]) s.dispose();
    this.ws.release();
    for (const s of this.stages) {
      if (s.kind === "embedding") s.embedding.dispose();
      else if (s.kind === "recurrent") s.layer.dispose();
      else if (s.kind === "dense") s.dense.dispose();
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  check(): void {
    if (this.disposed) throw new DisposedError("Model");
    this.runtime.check();
  }

  private inputShape(input: Tensor | TokenTensor): { T: number; B: number } {
    const tokens = this.inputKind === "tokens";
    const order = this.batchFirst ? "[B, T" : "[T, B";
    if (!input || typeof input !== "object" || !Array.isArray(input.dims)) {
      throw new ShapeError(`input: expected { data, dims } with dims ${order}${tokens ? "]" : ", I]"}, found ${typeof input}`);
    }
    const dims = input.dims;
    if (!isArrayLike(input.data)) throw new ShapeError(`input.data: expected ${tokens ? "token ids (an array or typed array)" : "a Float32Array"}, found ${describe(input.data)}`);
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`input.dims: expected non-negative integers, found [${dims}]`);
    if (tokens) {
      if (dims.length !== 2 || input.data.length !== dims[0] * dims[1]) {
        throw new ShapeError(`input: expected token ids with dims ${order}] and as many ids, found dims [${dims}] with ${input.data.length} ids`);
      }
      (this.stages[0] as { embedding: Embedding }).embedding.check(input.data);
    } else {
      checkTensor(input, "input");
      if (dims.length !== 3 || dims[2] !== this.inputSize) {
        throw new ShapeError(`input: expected dims ${order}, ${this.inputSize}] (inputSize ${this.inputSize}), found [${dims}]`);
      }
    }
    const [T, B] = this.batchFirst ? [dims[1], dims[0]] : [dims[0], dims[1]];
    if (B < 1) throw new ShapeError(`input: batch size must be at least 1, found dims [${dims}]`);
    return { T, B };
  }

  /** Copies the input into linear memory as rows (t, b): embedded tokens or raw features. */
  private load(input: Tensor | TokenTensor, T: number, B: number, ctx: SequenceContext): Flow {
    const first = this.stages[0];
    if (first.kind === "embedding") {
      const D = first.embedding.dim;
      const x = this.ws.get("x", T * B * D);
      // rows are (t, b); batch-first ids are [B, T]
      const index = this.batchFirst ? (r: number) => (r % B) * T + Math.floor(r / B) : (r: number) => r;
      first.embedding.gather(input.data, T * B, x, index);
      if (first.maskZero) {
        ctx.mask = this.ws.get("mask", Math.ceil((T * B) / 4));
        const u8 = this.runtime.arena.u8;
        for (let r = 0; r < T * B; r++) u8[ctx.mask + r] = input.data[index(r)] === 0 ? 0 : 1;
      }
      return { ptr: x, ld: D, features: D, steps: T };
    }
    const I = this.inputSize;
    const x = this.ws.get("x", T * B * I);
    copyIn(this.runtime.arena.f32, x >> 2, input.data as Float32Array, T, B, I, this.batchFirst ? 1 : 0);
    return { ptr: x, ld: I, features: I, steps: T };
  }

  /** A pointwise activation over every row, in place (whole rows: padding lanes are harmless). */
  private activate(flow: Flow, B: number, a: Activation): void {
    const n = flow.steps * B * flow.ld;
    guardKernel(() => this.runtime.kernels.f32_activation(flow.ptr, flow.ptr, n, ACTIVATION_IDS[a.name], a.alpha, a.beta));
  }

  private output(flow: Flow, B: number, T: number): Tensor {
    const F = flow.features;
    const steps = flow.steps;
    const data = new Float32Array(steps * B * F);
    const f32 = this.runtime.arena.f32;
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < B; b++) {
        const from = (flow.ptr >> 2) + (t * B + b) * flow.ld;
        const to = this.batchFirst ? (b * steps + t) * F : (t * B + b) * F;
        data.set(f32.subarray(from, from + F), to);
      }
    }
    if (steps !== T || (steps === 1 && this.collapsed())) return { data, dims: [B, F] };
    return { data, dims: this.batchFirst ? [B, T, F] : [T, B, F] };
  }

  /** True when a stage drops the time axis (returnSequences: false, lastStep). */
  private collapsed(): boolean {
    return this.stages.some((s) => (s.kind === "recurrent" && !s.returnSequences) || s.kind === "lastStep");
  }
}

export async function createModel(config: ModelConfig, options: { runtime?: Runtime } = {}): Promise<Model> {
  if (!config || typeof config !== "object") throw new InvalidArgumentError(`createModel: expected a model config object, found ${typeof config}`);
  return new Model(options.runtime ?? (await defaultRuntime()), config);
}
