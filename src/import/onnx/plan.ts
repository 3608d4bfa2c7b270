// Turns a decoded ONNX model into an executable plan, once, at load time:
//   1. opset and operator support (every unsupported op listed in one UnsupportedError);
//   2. topological order, dangling inputs and cycles (ModelFormatError);
//   3. constant folding: a node whose inputs are all constant runs now, with the same op code
//      the executor uses, and its outputs become constants (torch's weight reordering at opset
//      7–8, Constant nodes, shape arithmetic on constants);
//   4. MatMul + Add(bias) fusion, dead-node removal;
//   5. one runner per remaining node; kernel-backed runners pack their constant weights now.
// What depends on the input's dims only (Shape → Gather → Concat → ConstantOfShape: torch's
// zero initial states) cannot fold at load when B and T are free; the executor computes it once
// per input shape instead (ShapeCache in executor.ts).
import { ModelFormatError, ResourceLimitError, RnnWasmError, RuntimeFailureError, UnsupportedError } from "../../errors.js";
import type { Runtime } from "../../runtime/runtime.js";
import { type IndexedNode, fuseBias, liveNodes, nodeLabel, shapeOnlyValues, topologicalOrder } from "./fold.js";
import { Attributes, type NodeRunner, type OpContext } from "./ops/op.js";
import { MAX_OPSET, MIN_OPSET, checkSupport, isDefaultDomain, nodeName, opFor } from "./ops/registry.js";
import type { OnnxModel, OnnxNode, OnnxValueInfo } from "./proto.js";
import { type Value, isFloat, valueFromTensor } from "./value.js";

export interface Step {
  node: OnnxNode;
  /** The node's name, or #index when it has none. */
  name: string;
  label: string;
  runner: NodeRunner;
  /** Input positions whose constant the runner took over at load (packed weights): not passed at run time. */
  packed: ReadonlySet<number>;
  /** Float elements of the constant inputs the node keeps (an embedding table, a bias). */
  hostParameters: number;
}

export interface Plan {
  opset: number;
  runtime: Runtime;
  /** Graph inputs that are not initializers: what runNamed() takes. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  constants: Map<string, Value>;
  steps: Step[];
  /** Values computed from the inputs' dims alone (see fold.ts): cached per input shape. */
  shapeOnly: ReadonlySet<string>;
}

/** The default-domain opset the model imports; UnsupportedError outside 7–22. */
export function modelOpset(model: OnnxModel): number {
  const imp = model.opsetImports.find((o) => isDefaultDomain(o.domain));
  // IR version < 3 models had no opset_import: they are opset 1.
  const opset = imp?.version ?? 1;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new UnsupportedError(
      `ONNX opset ${opset}: rnn-wasm reads opsets ${MIN_OPSET}–${MAX_OPSET}` +
        (opset < MIN_OPSET ? ` (re-export with opset_version ≥ ${MIN_OPSET})` : " (newer than the newest ONNX operator set it knows)"),
    );
  }
  return opset;
}

export function buildPlan(model: OnnxModel, runtime: Runtime): Plan {
  const opset = modelOpset(model);
  const { graph } = model;
  checkSupport(graph.nodes, opset);

  const constants = new Map<string, Value>();
  for (const t of graph.initializers) {
    if (constants.has(t.name)) throw new ModelFormatError(`initializer "${t.name}" appears twice`);
    constants.set(t.name, valueFromTensor(t, `initializer "${t.name}"`));
  }
  // Before IR version 4, initializers were also listed as graph inputs; they stay constants.
  const inputs = graph.inputs.filter((i) => !constants.has(i.name));
  const known = new Set([...constants.keys(), ...inputs.map((i) => i.name)]);
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const order = topologicalOrder(graph.nodes, known);
  const produced = new Set(order.flatMap((n) => n.node.outputs));
  const undefinedOutputs = [...outputNames].filter((o) => !known.has(o) && !produced.has(o));
  if (undefinedOutputs.length) throw new ModelFormatError(`graph outputs ${undefinedOutputs.map((o) => `"${o}"`).join(", ")}: no node produces them`);

  const context = (n: IndexedNode, folding: boolean): OpContext => {
    const label = nodeLabel(n.node, n.index);
    return {
      node: n.node, opset, label, attrs: new Attributes(n.node, label), folding, runtime,
      constant: (i) => (n.node.inputs[i] ? constants.get(n.node.inputs[i]) : undefined),
    };
  };

  // 3. Fold every node whose inputs are all constant.
  const remaining: IndexedNode[] = [];
  for (const n of order) {
    const def = opFor(n.node, opset)!;
    if (def.noFold || !n.node.inputs.every((x) => x === "" || constants.has(x))) {
      remaining.push(n);
      continue;
    }
    const ctx = context(n, true);
    const outs = atLoad(ctx.label, () => def.create(ctx).run(n.node.inputs.map((x) => (x === "" ? undefined : constants.get(x)))));
    n.node.outputs.forEach((name, k) => {
      if (name !== "" && outs[k]) constants.set(name, outs[k]);
    });
  }

  // 4. Fuse, drop dead nodes; 5. build the runners.
  const fused = fuseBias(remaining, constants, outputNames);
  const live = liveNodes(fused, outputNames);
  const steps: Step[] = [];
  const plan: Plan = { opset, runtime, inputs, outputs: graph.outputs, constants, steps, shapeOnly: new Set() };
  try {
    for (const n of fused) {
      if (!live.has(n)) continue;
      const ctx = context(n, false);
      const runner = atLoad(ctx.label, () => opFor(n.node, opset)!.create(ctx));
      const packed = new Set(runner.packed ?? []);
      let hostParameters = 0;
      n.node.inputs.forEach((x, i) => {
        const c = x === "" || packed.has(i) ? undefined : constants.get(x);
        if (c && isFloat(c.dtype)) hostParameters += c.data.length;
      });
      steps.push({ node: n.node, name: nodeName(n.node, n.index), label: ctx.label, runner, packed, hostParameters });
    }
  } catch (e) {
    disposePlan(plan);
    throw e;
  }
  plan.shapeOnly = shapeOnlyValues(
    steps.map((s) => ({ node: s.node, kernel: !!(s.runner.kernels || s.runner.recurrent) })), (x) => constants.has(x), inputs.map((i) => i.name),
  );
  // Constants only packed weights used are no longer needed in JavaScript.
  const used = new Set(outputNames);
  for (const s of steps) s.node.inputs.forEach((x, i) => !s.packed.has(i) && used.add(x));
  for (const name of [...constants.keys()]) if (!used.has(name)) constants.delete(name);
  return plan;
}

/** Runs load-time op code; an error that is not one of ours (a bug) names the node. */
function atLoad<T>(label: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ResourceLimitError) throw new ResourceLimitError(`${label}: ${e.message}`);
    if (e instanceof RnnWasmError) throw e;
    throw new RuntimeFailureError(`${label}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

export function disposePlan(plan: Plan): void {
  for (const s of plan.steps) s.runner.dispose?.();
  plan.steps.length = 0;
}
