// A sequential model: [Embedding] → recurrent layers → [Dense …] → [(Log)Softmax]. Stages chain
// inside linear memory; JavaScript only copies the input in and the output out.
import { DisposedError, InvalidArgumentError, ShapeError } from "../errors.js";
import { RecurrentLayer, type SequenceBuffers, copyIn, writeLens } from "../layers/recurrent-layer.js";
import { ceil4 } from "../layers/pack.js";
import { type Runtime, defaultRuntime } from "../runtime/runtime.js";
import { kernelError } from "../runtime/guard.js";
import { Workspace } from "../runtime/workspace.js";
import { type Tensor, checkTensor } from "../tensor.js";
import { type ModelConfig, validateModelConfig } from "./config.js";
import { Dense } from "./dense.js";
import { Embedding } from "./embedding.js";
import { ModelStream, type ModelStreamOptions } from "./model-stream.js";
import type { Stage, StageSource } from "./stage.js";

/** Token ids for a model that starts with an embedding: [T, B] (or [B, T] when batchFirst). */
export interface TokenTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}

export interface LayerState {
  /** [dirs, B, S], S = projSize || H */
  h: Tensor;
  /** LSTM only: [dirs, B, H] */
  c?: Tensor;
}

export interface ModelRunOptions {
  /** Steps per batch row, each in [0, T]; every recurrent layer uses them. Default T. */
  sequenceLens?: ArrayLike<number>;
  /** Initial states per recurrent layer, in order ([dirs, B, H] each); default zeros. */
  initialStates?: (Partial<LayerState> | undefined)[];
}

export interface ModelOutputs {
  /** [T, B, F] ([B, T, F] when batchFirst), or [B, F] after a returnSequences: false layer. */
  output: Tensor;
  /** Final states of each recurrent layer, in order (zero for rows of length 0). */
  states: LayerState[];
}

/** The activations flowing between stages: rows of `features` floats, `ld` apart. */
interface Flow {
  ptr: number;
  ld: number;
  features: number;
  steps: number;
}

export class Model implements StageSource {
  readonly runtime: Runtime;
  readonly batchFirst: boolean;
  readonly stages: readonly Stage[];
  private readonly ws: Workspace;
  private disposed = false;

  constructor(runtime: Runtime, config: ModelConfig) {
    runtime.check();
    validateModelConfig(config);
    this.runtime = runtime;
    this.batchFirst = !!config.batchFirst;
    this.ws = new Workspace(runtime.arena);
    const stages: Stage[] = [];
    this.stages = stages;
    try {
      for (const l of config.layers) {
        if (l.type === "embedding") stages.push({ kind: "embedding", embedding: new Embedding(runtime, l) });
        else if (l.type === "recurrent") {
          const { type: _t, returnSequences, ...spec } = l;
          stages.push({ kind: "recurrent", layer: new RecurrentLayer(runtime, { ...spec, layout: 0 }), returnSequences: returnSequences !== false });
        } else if (l.type === "dense") stages.push({ kind: "dense", dense: new Dense(runtime, l) });
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

  /** Features per step of a "features" input (the first recurrent layer's inputSize). */
  get inputSize(): number {
    const s = this.stages[0];
    return s.kind === "embedding" ? 1 : (s as { layer: RecurrentLayer }).layer.spec.inputSize;
  }

  get outputSize(): number {
    let f = 0;
    for (const s of this.stages) {
      if (s.kind === "recurrent") f = s.layer.outputSize;
      else if (s.kind === "dense") f = s.dense.outputSize;
    }
    return f;
  }

  get recurrentLayers(): RecurrentLayer[] {
    return this.stages.flatMap((s) => (s.kind === "recurrent" ? [s.layer] : []));
  }

  async run(input: Tensor | TokenTensor, options: ModelRunOptions = {}): Promise<ModelOutputs> {
    this.check();
    const { T, B } = this.inputShape(input);
    const arena = this.runtime.arena;
    const lensPtr = this.ws.get("lens", B);
    const lens = writeLens(arena.i32, lensPtr >> 2, options.sequenceLens, T, B);
    let flow = this.load(input, T, B);
    const states: LayerState[] = [];
    this.stages.forEach((stage, i) => {
      if (stage.kind === "embedding") return;
      if (stage.kind === "recurrent") {
        flow = this.runRecurrent(stage, i, flow, B, lensPtr, lens, options.initialStates?.[states.length], states);
      } else if (stage.kind === "dense") {
        const y = this.ws.get(`y${i}`, flow.steps * B * stage.dense.ld);
        stage.dense.forward(flow.ptr, flow.ld, flow.steps * B, y);
        flow = { ptr: y, ld: stage.dense.ld, features: stage.dense.outputSize, steps: flow.steps };
      } else {
        flow = this.padded(flow, B, i);
        try {
          this.runtime.kernels.f32_softmax(flow.ptr, flow.ld, flow.steps * B, flow.features, stage.log ? 1 : 0);
        } catch (e) {
          throw kernelError(e);
        }
      }
    });
    return { output: this.output(flow, B, T), states };
  }

  stream(options: ModelStreamOptions = {}): ModelStream {
    this.check();
    return new ModelStream(this, options);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
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
  private load(input: Tensor | TokenTensor, T: number, B: number): Flow {
    const first = this.stages[0];
    if (first.kind === "embedding") {
      const D = first.embedding.dim;
      const x = this.ws.get("x", T * B * D);
      // rows are (t, b); batch-first ids are [B, T]
      first.embedding.gather(input.data, T * B, x, this.batchFirst ? (r) => (r % B) * T + Math.floor(r / B) : undefined);
      return { ptr: x, ld: D, features: D, steps: T };
    }
    const I = this.inputSize;
    const x = this.ws.get("x", T * B * I);
    copyIn(this.runtime.arena.f32, x >> 2, input.data as Float32Array, T, B, I, this.batchFirst ? 1 : 0);
    return { ptr: x, ld: I, features: I, steps: T };
  }

  private runRecurrent(
    stage: Extract<Stage, { kind: "recurrent" }>, i: number, flowIn: Flow, B: number, lensPtr: number, lens: Int32Array,
    init: Partial<LayerState> | undefined, states: LayerState[],
  ): Flow {
    const { layer } = stage;
    const { dirs, hiddenSize: H, stateSize: S } = layer.spec;
    const flow = flowIn.ld === flowIn.features ? flowIn : this.compact(flowIn, B, i);
    const T = flow.steps;
    const ws = this.ws;
    const bufs: SequenceBuffers = {
      x: flow.ptr, y: ws.get(`y${i}`, T * B * dirs * S), lens: lensPtr, hp: [], mask: 0, maskZero: false, h0: [], c: [],
    };
    for (let d = 0; d < dirs; d++) {
      bufs.hp.push(ws.get(`hp${i}.${d}`, B));
      bufs.h0.push(ws.get(`h${i}.${d}`, B * S));
      bufs.c.push(ws.get(`c${i}.${d}`, B * ceil4(H)));
    }
    const f32 = this.runtime.arena.f32;
    f32.fill(0, bufs.y >> 2, (bufs.y >> 2) + T * B * dirs * S);
    layer.loadStates(f32, bufs, { initialH: init?.h, initialC: init?.c }, B, 0);
    layer.forward(bufs, T, B);
    const final = layer.finalStates(this.runtime.arena.f32, bufs, lens, B, 0);
    states.push(final.Y_c ? { h: final.Y_h, c: final.Y_c } : { h: final.Y_h });
    if (stage.returnSequences) return { ptr: bufs.y, ld: dirs * S, features: dirs * S, steps: T };
    // Only each row's final state goes on: [B, dirs·S] (forward then reverse, as Keras concat).
    const last = layer.finalStates(this.runtime.arena.f32, bufs, lens, B, 1).Y_h.data;
    const s = ws.get(`s${i}`, B * dirs * S);
    this.runtime.arena.f32.set(last, s >> 2);
    return { ptr: s, ld: dirs * S, features: dirs * S, steps: 1 };
  }

  /** Rows copied to stride = features (recurrent layers read packed rows). */
  private compact(flow: Flow, B: number, i: number): Flow {
    const rows = flow.steps * B;
    const out = this.ws.get(`k${i}`, rows * flow.features);
    const f32 = this.runtime.arena.f32;
    for (let r = 0; r < rows; r++) {
      const from = (flow.ptr >> 2) + r * flow.ld;
      f32.copyWithin((out >> 2) + r * flow.features, from, from + flow.features);
    }
    return { ...flow, ptr: out, ld: flow.features };
  }

  /** Rows at a stride with room for whole vectors (the softmax kernel writes ceil4(F) floats). */
  private padded(flow: Flow, B: number, i: number): Flow {
    if (flow.ld >= ceil4(flow.features)) return flow;
    const rows = flow.steps * B;
    const ld = ceil4(flow.features);
    const out = this.ws.get(`p${i}`, rows * ld);
    const f32 = this.runtime.arena.f32;
    for (let r = rows - 1; r >= 0; r--) {
      const from = (flow.ptr >> 2) + r * flow.ld;
      f32.copyWithin((out >> 2) + r * ld, from, from + flow.features);
    }
    return { ...flow, ptr: out, ld };
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

  /** True when a recurrent layer drops the time axis (returnSequences: false). */
  private collapsed(): boolean {
    return this.stages.some((s) => s.kind === "recurrent" && !s.returnSequences);
  }
}

export async function createModel(config: ModelConfig, options: { runtime?: Runtime } = {}): Promise<Model> {
  if (!config || typeof config !== "object") throw new InvalidArgumentError(`createModel: expected a model config object, found ${typeof config}`);
  return new Model(options.runtime ?? (await defaultRuntime()), config);
}
