// Load-time graph passes: the topological order (with every dangling input and cycle reported
// as a ModelFormatError), the MatMul + Add(bias) fusion, the liveness that drops nodes no
// graph output needs, and the shape-only values (computed from the inputs' dims alone, so the
// executor computes them once per input shape). Constant folding itself happens in plan.ts.
import { ModelFormatError } from "../../errors.js";
import type { OnnxNode } from "./proto.js";
import { isDefaultDomain, nodeName } from "./ops/registry.js";
import type { Value } from "./value.js";

export const nodeLabel = (node: OnnxNode, index: number): string => `${node.opType} node "${nodeName(node, index)}"`;

export interface IndexedNode {
  node: OnnxNode;
  /** Position in the model's node list (names nodes that have no name). */
  index: number;
}

/**
 * The nodes in an order where every input is known before it is used. `known` holds the
 * initializers and graph inputs. Dangling inputs, duplicate outputs and cycles are errors.
 */
export function topologicalOrder(nodes: readonly OnnxNode[], known: ReadonlySet<string>): IndexedNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const out of node.outputs) {
      if (out === "") continue;
      const other = producer.get(out);
      if (other !== undefined || known.has(out)) {
        const what = other !== undefined ? `node ${nodeLabel(nodes[other], other)}` : "an initializer or graph input";
        throw new ModelFormatError(`${nodeLabel(node, i)}: output "${out}" is also produced by ${what}`);
      }
      producer.set(out, i);
    }
  });
  const dangling: string[] = [];
  nodes.forEach((node, i) => {
    for (const name of node.inputs) {
      if (name !== "" && !known.has(name) && !producer.has(name)) dangling.push(`${nodeLabel(node, i)} input "${name}"`);
    }
  });
  if (dangling.length > 0) {
    throw new ModelFormatError(`${dangling.join("; ")}: names no initializer, graph input or node output (a missing weight?)`);
  }
  // Kahn's algorithm, taking ready nodes in file order so that a sorted file stays as it is.
  const waiting = nodes.map((n) => new Set(n.inputs.filter((x) => x !== "" && !known.has(x))).size);
  const users = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    for (const x of new Set(n.inputs)) if (x !== "" && !known.has(x)) users.set(x, [...(users.get(x) ?? []), i]);
  });
  const order: IndexedNode[] = [];
  const ready = nodes.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push({ node: nodes[i], index: i });
    for (const out of nodes[i].outputs) {
      for (const u of users.get(out) ?? []) if (--waiting[u] === 0) ready.push(u);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.flatMap((n, i) => (waiting[i] > 0 ? [nodeLabel(n, i)] : []));
    throw new ModelFormatError(`the graph has a cycle through ${stuck.join(", ")}`);
  }
  return order;
}

/**
 * MatMul(x, W) → Add(·, b) with W a constant [K, N] and b a constant [N] becomes one MatMul
 * node with b as a third input (read by ops/matmul.ts as the Dense bias). torch.onnx.export
 * writes nn.Linear on 3-D inputs this way.
 */
export function fuseBias(order: IndexedNode[], constants: ReadonlyMap<string, Value>, graphOutputs: ReadonlySet<string>): IndexedNode[] {
  const uses = new Map<string, number>();
  for (const { node } of order) for (const x of node.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);
  const byInput = new Map<string, IndexedNode>();
  for (const n of order) for (const x of n.node.inputs) byInput.set(x, n);
  const dropped = new Set<IndexedNode>();
  const out = order.map((m) => {
    const { node } = m;
    if (node.opType !== "MatMul" || !isDefaultDomain(node.domain) || node.inputs.length !== 2) return m;
    const y = node.outputs[0];
    const W = constants.get(node.inputs[1]);
    const add = byInput.get(y);
    if (!W || W.dims.length !== 2 || W.dtype !== "float32" || uses.get(y) !== 1 || graphOutputs.has(y) || !add) return m;
    if (add.node.opType !== "Add" || !isDefaultDomain(add.node.domain) || add.node.inputs.length !== 2) return m;
    const biasName = add.node.inputs[0] === y ? add.node.inputs[1] : add.node.inputs[0];
    const bias = constants.get(biasName);
    if (!bias || bias.dtype !== "float32" || bias.dims.length !== 1 || bias.dims[0] !== W.dims[1]) return m;
    dropped.add(add);
    return { index: m.index, node: { ...node, inputs: [...node.inputs, biasName], outputs: [...add.node.outputs] } };
  });
  return out.filter((n) => !dropped.has(n));
}

/** The nodes some graph output depends on (others are dead code, left out of the plan). */
export function liveNodes<T extends { node: OnnxNode }>(order: readonly T[], graphOutputs: ReadonlySet<string>): Set<T> {
  const needed = new Set(graphOutputs);
  const live = new Set<T>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if (!n.node.outputs.some((o) => o !== "" && needed.has(o))) continue;
    live.add(n);
    for (const x of n.node.inputs) if (x !== "") needed.add(x);
  }
  return live;
}

// Inputs whose data (not only dims) decide an op's output dims.
const SHAPE_INPUTS: Record<string, readonly number[]> = {
  Reshape: [1], Expand: [1], Slice: [1, 2, 3, 4], Split: [1], Squeeze: [1], Unsqueeze: [1], ConstantOfShape: [0], ConstantFill: [0],
};

/**
 * The values that depend on the graph inputs' dims only, never on their data: Shape of a value
 * whose dims follow from the input dims, and host ops over such values and constants (torch's
 * Shape → Gather → Concat → ConstantOfShape zero states, a learned state Expanded to the batch).
 */
export function shapeOnlyValues(
  steps: readonly { node: OnnxNode; kernel: boolean }[], isConstant: (name: string) => boolean, graphInputs: readonly string[],
): Set<string> {
  const shapeOnly = new Set<string>();
  /** Values whose dims follow from the input dims (not so when a shape input holds data). */
  const dimsKnown = new Set<string>(graphInputs);
  const known = (x: string) => x === "" || isConstant(x) || dimsKnown.has(x);
  const only = (x: string) => x === "" || isConstant(x) || shapeOnly.has(x);
  for (const { node, kernel } of steps) {
    const shapeInputs = SHAPE_INPUTS[node.opType] ?? [];
    const dimsFollow = node.inputs.every((x, i) => (shapeInputs.includes(i) ? only(x) : known(x)));
    if (dimsFollow) for (const o of node.outputs) if (o !== "") dimsKnown.add(o);
    const computed = node.inputs.some((x) => x !== "" && !isConstant(x));
    if (!kernel && computed && (node.opType === "Shape" ? dimsFollow : node.inputs.every(only))) {
      for (const o of node.outputs) if (o !== "") shapeOnly.add(o);
    }
  }
  return shapeOnly;
}
