// Runs a plan: the steps in topological order over a map of named values, each value dropped
// after its last use. Heavy steps call the kernels (recurrent layers, Dense); the rest are
// host ops. Streams pass hooks that swap a recurrent node's initial states for the carried
// ones and read its final states back.
import { ResourceLimitError, RnnWasmError, RuntimeFailureError } from "../../errors.js";
import type { Plan, Step } from "./plan.js";
import type { Value } from "./value.js";

export interface Schedule {
  steps: Step[];
  /** After step k, the values no later step reads. */
  release: string[][];
}

export interface RunHooks {
  /** Before a recurrent step: may replace its inputs (by position) in place. */
  beforeRecurrent?(step: Step, inputs: (Value | undefined)[]): void;
  /** After a recurrent step, with all its outputs by position (Y, Y_h, Y_c), named or not. */
  afterRecurrent?(step: Step, outputs: readonly Value[]): void;
}

/** Lifetimes for running `steps` and keeping `keep` (the graph outputs). */
export function schedule(steps: Step[], keep: ReadonlySet<string>): Schedule {
  const last = new Map<string, number>();
  steps.forEach((s, k) => s.node.inputs.forEach((x) => x !== "" && last.set(x, k)));
  const release = steps.map(() => [] as string[]);
  for (const [name, k] of last) if (!keep.has(name)) release[k].push(name);
  return { steps, release };
}

/**
 * The shape-only values of recent input shapes (plan.shapeOnly): a run whose inputs have the
 * dims of an earlier one skips the steps that compute them. Values are never modified, so
 * they can be shared between runs.
 */
export class ShapeCache {
  private readonly entries = new Map<string, Map<string, Value>>();

  constructor(private readonly capacity = 8) {}

  /** The cached values for these feeds' dims, and the map a miss fills in. */
  lookup(feeds: ReadonlyMap<string, Value>): { hit: boolean; values: Map<string, Value> } {
    const key = JSON.stringify([...feeds].map(([name, v]) => [name, v.dims]));
    const found = this.entries.get(key);
    if (found) return { hit: true, values: found };
    const values = new Map<string, Value>();
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, values);
    return { hit: false, values };
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Runs the schedule on the feeds; returns every value still alive (the graph outputs among them). */
export function execute(plan: Plan, sched: Schedule, feeds: ReadonlyMap<string, Value>, hooks: RunHooks = {}, cache?: ShapeCache): Map<string, Value> {
  const values = new Map(feeds);
  const shapes = cache?.lookup(feeds);
  sched.steps.forEach((step, k) => {
    if (shapes?.hit && step.node.outputs.every((o) => o === "" || shapes.values.has(o))) {
      for (const o of step.node.outputs) if (o !== "") values.set(o, shapes.values.get(o)!);
      for (const name of sched.release[k]) values.delete(name);
      return;
    }
    const inputs = step.node.inputs.map((x, i) => (x === "" || step.packed.has(i) ? undefined : values.get(x) ?? plan.constants.get(x)));
    let outputs: Value[];
    try {
      if (step.runner.recurrent) hooks.beforeRecurrent?.(step, inputs);
      outputs = step.runner.run(inputs);
      if (step.runner.recurrent) hooks.afterRecurrent?.(step, outputs);
    } catch (e) {
      if (e instanceof ResourceLimitError) throw new ResourceLimitError(`${step.label}: ${e.message}`);
      if (e instanceof RnnWasmError) throw e;
      throw new RuntimeFailureError(`${step.label}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    step.node.outputs.forEach((name, j) => {
      if (name === "" || !outputs[j]) return;
      values.set(name, outputs[j]);
      if (shapes && plan.shapeOnly.has(name)) shapes.values.set(name, outputs[j]);
    });
    for (const name of sched.release[k]) values.delete(name);
  });
  return values;
}
