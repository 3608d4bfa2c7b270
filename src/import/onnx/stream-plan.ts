// Can this graph stream, one time step per call, and how? The way users stream an exported
// model: run the graph with T = 1 and carry every recurrent node's final states into its
// initial states at the next call. That needs every recurrent node to run forward without
// sequence_lens, and one graph input to feed per step. The nodes that only compute initial
// states (torch's Shape → … → ConstantOfShape zeros, a learned state, h0 inputs) run at the
// first step only; the step input's time and batch axes are found by following its axes
// through the graph to the first recurrent node's X (Transpose, Gather, elementwise ops,
// MatMul, Squeeze/Unsqueeze, …).
import { isElementwise } from "./ops/elementwise.js";
import { REC } from "./ops/recurrent.js";
import { type Schedule, schedule } from "./executor.js";
import type { Plan, Step } from "./plan.js";
import type { OnnxValueInfo } from "./proto.js";
import { numbersOf } from "./value.js";

export interface StreamPlan {
  /** Steps after the first: every recurrent node's initial states are the carried ones. */
  schedule: Schedule;
  /**
   * The first step (and the first after reset()): initial states computed as the graph
   * computes them (torch's zeros, a learned state expanded to the batch, or the `given`
   * graph inputs such as h0), except those needing a graph input not given, which start at zero.
   */
  first(given: ReadonlySet<string>): Schedule;
  /** The input fed at every step. */
  input: OnnxValueInfo;
  /** Its time and batch axes, when the graph shows them. */
  timeAxis: number | undefined;
  batchAxis: number | undefined;
}

/** The plan of a stream, or the reason the graph cannot stream. */
export function streamPlan(plan: Plan): StreamPlan | string {
  for (const s of plan.steps) {
    const r = s.runner.recurrent;
    if (!r) continue;
    if (r.direction !== "forward") return `${s.label} is ${r.direction}: it needs the whole sequence; only forward recurrent nodes can stream`;
    if (s.node.inputs[REC.sequence_lens]) return `${s.label} takes sequence_lens, which a stream of single steps cannot give`;
  }
  // The steps the outputs need when recurrent initial states come from the carried state.
  const needed = new Set(plan.outputs.map((o) => o.name));
  const kept = liveSteps(plan.steps, needed, () => true);
  const fed = plan.inputs.filter((i) => needed.has(i.name));
  if (fed.length !== 1) {
    return fed.length === 0
      ? "no graph input reaches the outputs once initial states are carried"
      : `every step would need inputs ${fed.map((i) => `"${i.name}"`).join(", ")}; a stream feeds one`;
  }
  const input = fed[0];
  const axes = trackAxes(plan, kept, input);
  const outputs = new Set(plan.outputs.map((o) => o.name));
  return { schedule: schedule(kept, outputs), first: (given) => firstSchedule(plan, input.name, given, outputs), input, ...axes };
}

function firstSchedule(plan: Plan, input: string, given: ReadonlySet<string>, outputs: ReadonlySet<string>): Schedule {
  // Values that depend on a graph input the stream does not have.
  const tainted = new Set(plan.inputs.filter((i) => i.name !== input && !given.has(i.name)).map((i) => i.name));
  for (const s of plan.steps) {
    if (s.node.inputs.some((x, i) => x !== "" && !s.packed.has(i) && tainted.has(x))) s.node.outputs.forEach((o) => tainted.add(o));
  }
  return schedule(liveSteps(plan.steps, new Set(outputs), (x) => tainted.has(x)), outputs);
}

/**
 * The steps that produce a value in `needed` (which grows with their inputs), in order, walking
 * back from the last. A recurrent step's initial state x is left out when carried(x): the stream
 * supplies it from its state instead.
 */
function liveSteps(steps: readonly Step[], needed: Set<string>, carried: (x: string) => boolean): Step[] {
  const kept: Step[] = [];
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k];
    if (!s.node.outputs.some((o) => o !== "" && needed.has(o))) continue;
    kept.unshift(s);
    s.node.inputs.forEach((x, i) => {
      if (x === "" || s.packed.has(i)) return;
      if (s.runner.recurrent && (i === REC.initial_h || i === REC.initial_c) && carried(x)) return;
      needed.add(x);
    });
  }
  return kept;
}

/** Which axis of the input each axis of a value came from (−1: none), per value name. */
type Origins = Map<string, number[]>;

function trackAxes(plan: Plan, steps: readonly Step[], input: OnnxValueInfo): { timeAxis: number | undefined; batchAxis: number | undefined } {
  const none = { timeAxis: undefined, batchAxis: undefined };
  if (!input.hasShape) return none;
  const origins: Origins = new Map([[input.name, input.dims.map((_, i) => i)]]);
  const rankOf = (name: string) => origins.get(name)?.length ?? plan.constants.get(name)?.dims.length;
  for (const s of steps) {
    const rec = s.runner.recurrent;
    const x = origins.get(s.node.inputs[0]);
    if (rec) {
      if (!x || x.length !== 3) return none;
      const [t, b] = rec.layout === 0 ? [x[0], x[1]] : [x[1], x[0]];
      return t >= 0 && b >= 0 && t !== b ? { timeAxis: t, batchAxis: b } : none;
    }
    const out = follow(plan, s, origins, rankOf);
    if (out) s.node.outputs.forEach((o) => o !== "" && origins.set(o, out));
  }
  return none;
}

/** The origins of a step's outputs from those of its inputs; undefined when the axes are lost. */
function follow(plan: Plan, s: Step, origins: Origins, rankOf: (name: string) => number | undefined): number[] | undefined {
  const { node } = s;
  const ins = node.inputs;
  const tracked = ins.map((x) => origins.get(x));
  const first = tracked.find((o) => o !== undefined);
  if (!first) return undefined;
  const int = (name: string, fallback: number) => {
    const a = node.attributes.get(name);
    return a?.type === "int" ? a.value : fallback;
  };
  const ints = (name: string, input: number): number[] | undefined => {
    const a = node.attributes.get(name);
    if (a?.type === "ints") return a.value;
    const c = ins[input] ? plan.constants.get(ins[input]) : undefined;
    return c ? numbersOf(c) : undefined;
  };
  const op = node.opType;
  if (isElementwise(op)) {
    const ranks = ins.map((x) => (x === "" ? 0 : rankOf(x)));
    if (ranks.some((r) => r === undefined)) return undefined;
    const R = Math.max(...(ranks as number[]));
    const full = tracked.find((o) => o?.length === R);
    return full ? [...full] : undefined;
  }
  switch (op) {
    case "Identity": case "Cast": case "Dropout": case "Softmax": case "LogSoftmax": case "Slice": case "Split":
      return tracked[0] && [...tracked[0]];
    case "Transpose": {
      const x = tracked[0];
      if (!x) return undefined;
      const perm = ints("perm", -1) ?? x.map((_, i) => x.length - 1 - i);
      return perm.map((p) => x[p] ?? -1);
    }
    case "Concat": {
      const a = int("axis", 0);
      const out = [...first];
      out[a < 0 ? a + out.length : a] = -1;
      return out;
    }
    case "Gather": {
      const a = int("axis", 0);
      const data = ins[0] ? plan.constants.get(ins[0]) : undefined;
      if (!tracked[1] || !data) return undefined;
      const axis = a < 0 ? a + data.dims.length : a;
      return [...new Array<number>(axis).fill(-1), ...tracked[1], ...new Array<number>(data.dims.length - axis - 1).fill(-1)];
    }
    case "Squeeze": case "Unsqueeze": {
      const x = tracked[0];
      const given = ints("axes", 1);
      if (!x || !given) return undefined;
      if (op === "Squeeze") {
        const axes = given.map((g) => (g < 0 ? g + x.length : g));
        return x.filter((_, i) => !axes.includes(i));
      }
      const r = x.length + given.length;
      const axes = given.map((g) => (g < 0 ? g + r : g));
      const out: number[] = [];
      for (let i = 0, k = 0; i < r; i++) out.push(axes.includes(i) ? -1 : x[k++]);
      return out;
    }
    case "MatMul": {
      const x = tracked[0];
      return x && x.length >= 2 && !tracked[1] ? [...x.slice(0, -1), -1] : undefined;
    }
    case "Gemm": {
      const x = tracked[0];
      return x && !tracked[1] ? [int("transA", 0) ? x[1] : x[0], -1] : undefined;
    }
    default:
      return undefined;
  }
}
