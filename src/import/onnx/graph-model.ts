// An ONNX graph loaded for the kernels: the RnnModel every importer returns. runNamed() runs
// the whole graph on named inputs; stream() runs it one time step per call with recurrent
// states carried (graph-stream.ts); info() describes it (graph-info.ts).
import { DisposedError, UnsupportedError } from "../../errors.js";
import type { Feeds, ModelInfo, RnnModel } from "../../model/rnn-model.js";
import type { Tensor } from "../../tensor.js";
import { type Schedule, ShapeCache, execute, schedule } from "./executor.js";
import { prepareFeeds } from "./feeds.js";
import { graphInfo } from "./graph-info.js";
import { GraphStream, type GraphStreamOptions } from "./graph-stream.js";
import { REC } from "./ops/recurrent.js";
import { type Plan, disposePlan } from "./plan.js";
import { type StreamPlan, streamPlan } from "./stream-plan.js";
import { type Value, toFloat32 } from "./value.js";

export interface GraphRunOptions {
  /**
   * Steps per batch row, given to every recurrent node that has no sequence_lens input of its
   * own (each in [0, T]); default T.
   */
  sequenceLens?: ArrayLike<number>;
}

export class OnnxGraphModel implements RnnModel {
  private readonly whole: Schedule;
  private readonly shapes = new ShapeCache();
  private streaming: StreamPlan | string | undefined;
  private disposed = false;

  constructor(readonly plan: Plan) {
    this.whole = schedule(plan.steps, new Set(plan.outputs.map((o) => o.name)));
  }

  info(): ModelInfo {
    this.check();
    return graphInfo(this.plan, typeof this.streamPlan() !== "string");
  }

  /** Runs the graph on every input of info().inputs; returns every graph output by name (as float32). */
  async runNamed(feeds: Feeds, options: GraphRunOptions = {}): Promise<Record<string, Tensor>> {
    this.check();
    const { plan } = this;
    const values = execute(plan, this.whole, prepareFeeds(plan.inputs, feeds), {
      beforeRecurrent: options.sequenceLens === undefined ? undefined : (step, inputs) => {
        if (!step.node.inputs[REC.sequence_lens]) {
          // float64 keeps non-integers as they are, for writeLens to reject
          inputs[REC.sequence_lens] = { dtype: "float64", dims: [options.sequenceLens!.length], data: Float64Array.from(options.sequenceLens!) };
        }
      },
    }, this.shapes);
    const out: Record<string, Tensor> = {};
    for (const o of plan.outputs) {
      const computed = values.get(o.name);
      const v: Value = computed ?? plan.constants.get(o.name)!;
      // Constants and cached shape-only values are the model's own arrays: hand out copies.
      const own = !computed || plan.shapeOnly.has(o.name);
      const data = v.data instanceof Float32Array ? (own ? v.data.slice() : v.data) : toFloat32(v);
      out[o.name] = { data, dims: [...v.dims] };
    }
    return out;
  }

  /** One time step per call; UnsupportedError when the graph cannot stream (info().streamable). */
  stream(options: GraphStreamOptions = {}): GraphStream {
    this.check();
    const sp = this.streamPlan();
    if (typeof sp === "string") throw new UnsupportedError(`stream(): ${sp}`);
    return new GraphStream(this.plan, sp, this.shapes, () => this.check(), options);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.shapes.clear();
    disposePlan(this.plan);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private check(): void {
    if (this.disposed) throw new DisposedError("ONNX model");
    this.plan.runtime.check();
  }

  private streamPlan(): StreamPlan | string {
    this.streaming ??= streamPlan(this.plan);
    return this.streaming;
  }
}
