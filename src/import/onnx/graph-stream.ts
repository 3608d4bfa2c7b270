// A stream over an imported graph: each step runs the graph on one time step (T = 1) and
// carries every recurrent node's final states (Y_h, Y_c) into its initial states at the next
// step (see stream-plan.ts for what that needs). Unlike the core's ModelStream, a step
// allocates host arrays: the graph's host ops make new values; the kernels do the same work.
import { DisposedError, InvalidArgumentError, ShapeError, UnsupportedError } from "../../errors.js";
import type { Feeds, StepStream } from "../../model/rnn-model.js";
import type { Tensor } from "../../tensor.js";
import { type Schedule, type ShapeCache, execute } from "./executor.js";
import { prepareFeeds } from "./feeds.js";
import { REC } from "./ops/recurrent.js";
import type { Plan, Step } from "./plan.js";
import type { StreamPlan } from "./stream-plan.js";
import { type Value, toFloat32 } from "./value.js";

export interface GraphStreamOptions {
  /** Rows per step (default 1). */
  batchSize?: number;
  /**
   * Graph inputs besides the stream's own that set initial states (e.g. h0, c0), used at the
   * first step and after reset(). Initial states that need an input not given start at zero.
   */
  inputs?: Feeds;
}

interface Carried {
  h?: Value;
  c?: Value;
}

export class GraphStream implements StepStream {
  readonly batchSize: number;
  private readonly dims: number[];
  private readonly states = new Map<Step, Carried>();
  private readonly first: Schedule;
  private readonly given: Feeds;
  private started = false;
  private last = new Map<string, Value>();
  private out = new Float32Array(0);
  private disposed = false;

  constructor(
    private readonly plan: Plan,
    private readonly sp: StreamPlan,
    private readonly shapes: ShapeCache,
    private readonly check: () => void,
    options: GraphStreamOptions,
  ) {
    const B = options.batchSize ?? 1;
    if (!Number.isInteger(B) || B < 1) throw new InvalidArgumentError(`batchSize: expected a positive integer, found ${B}`);
    this.batchSize = B;
    const { input, timeAxis, batchAxis } = sp;
    if (!input.hasShape) throw new UnsupportedError(`stream(): input "${input.name}" declares no shape, so a step's dims are unknown`);
    if (timeAxis === undefined && B > 1) {
      throw new UnsupportedError(`stream(): cannot tell the time and batch axes of input "${input.name}" from the graph; stream with batchSize 1`);
    }
    // The step input: the declared dims with T = 1 and B = batchSize; other named sizes are
    // free for now (at most one, found from the length of each step's data).
    this.dims = input.dims.map((d, i) => (i === timeAxis ? 1 : i === batchAxis ? B : typeof d === "number" ? d : timeAxis === undefined ? 1 : -1));
    if (this.dims.filter((d) => d === -1).length > 1) {
      throw new UnsupportedError(`stream(): input "${input.name}" has dims [${input.dims.join(", ")}]: more than one size besides T and B is unknown`);
    }
    this.given = { ...(options.inputs ?? {}) };
    const names = Object.keys(this.given);
    const others = plan.inputs.filter((i) => i.name !== input.name);
    const unknown = names.filter((n) => !others.some((i) => i.name === n));
    if (unknown.length) {
      throw new InvalidArgumentError(`stream(): inputs ${unknown.map((n) => `"${n}"`).join(", ")} are not graph inputs besides "${input.name}" (${others.map((i) => `"${i.name}"`).join(", ") || "none"})`);
    }
    this.first = sp.first(new Set(names));
  }

  /**
   * One time step: B token ids, or B × features values, in the input's own order with T = 1.
   * Returns the first graph output of this step; the array is reused by the next step.
   */
  step(input: ArrayLike<number>): Float32Array {
    this.guard();
    const { plan, sp } = this;
    const n = input?.length;
    const known = this.dims.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const dims = this.dims.map((d) => (d === -1 ? n / known : d));
    if (typeof n !== "number" || !dims.every((d) => Number.isInteger(d)) || dims.reduce((a, b) => a * b, 1) !== n) {
      const want = this.dims.includes(-1) ? `a multiple of ${known}` : `${known}`;
      const shown = this.dims.map((d) => (d === -1 ? "?" : d)).join(", ");
      throw new ShapeError(`step(): expected ${want} values for input "${sp.input.name}" (dims [${shown}] with T = 1, B = batchSize ${this.batchSize}), found ${n}`);
    }
    const free = new Map(sp.timeAxis === undefined ? [] : [[sp.input.name, sp.timeAxis]]);
    const infos = [sp.input, ...(this.started ? [] : plan.inputs.filter((i) => i.name in this.given))];
    const feeds = prepareFeeds(infos, { ...(this.started ? {} : this.given), [sp.input.name]: { data: input, dims } }, free);
    const values = execute(plan, this.started ? sp.schedule : this.first, feeds, {
      beforeRecurrent: (step, inputs) => {
        const s = this.states.get(step);
        if (!s) return; // the first step: the graph's own initial states (zero when not computed)
        inputs[REC.initial_h] = s.h;
        inputs[REC.initial_c] = s.c;
      },
      afterRecurrent: (step, outputs) => {
        this.states.set(step, { h: outputs[1], c: outputs[2] });
      },
    }, this.shapes);
    this.last = values;
    this.started = true;
    const first = values.get(plan.outputs[0].name) ?? plan.constants.get(plan.outputs[0].name)!;
    const data = toFloat32(first);
    if (this.out.length !== data.length) this.out = new Float32Array(data.length);
    this.out.set(data);
    return this.out;
  }

  /** Every graph output of the last step, by name. */
  outputs(): Record<string, Tensor> {
    this.guard();
    const out: Record<string, Tensor> = {};
    for (const o of this.plan.outputs) {
      const v = this.last.get(o.name) ?? this.plan.constants.get(o.name);
      if (v) out[o.name] = { data: toFloat32(v).slice(), dims: [...v.dims] };
    }
    return out;
  }

  /** Back to the initial states of the first step. */
  reset(): void {
    this.guard();
    this.states.clear();
    this.started = false;
  }

  dispose(): void {
    this.disposed = true;
    this.states.clear();
    this.last.clear();
  }

  private guard(): void {
    if (this.disposed) throw new DisposedError("GraphStream");
    this.check();
  }
}
