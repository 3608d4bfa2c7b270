// Every ONNX operator the importer runs, by op_type (default domain), and the load-time check
// that a model uses only these, at an opset they exist in. The check lists every offending
// node at once, so one error shows all the work a model needs.
import { UnsupportedError } from "../../../errors.js";
import type { OnnxNode } from "../proto.js";
import { CONSTANT_OPS } from "./constant.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import { MATMUL_OPS } from "./matmul.js";
import type { OpDef } from "./op.js";
import { RECURRENT_OPS } from "./recurrent.js";
import { SHAPE_OPS } from "./shape.js";
import { SLICE_OPS } from "./slice.js";
import { SOFTMAX_OPS } from "./softmax.js";

export const OPS: Readonly<Record<string, OpDef>> = {
  ...RECURRENT_OPS, ...MATMUL_OPS, ...ELEMENTWISE_OPS, ...SOFTMAX_OPS, ...SHAPE_OPS, ...SLICE_OPS, ...CONSTANT_OPS,
};

/** The op_types the importer runs (default ONNX domain), sorted. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();

/** The opsets of the default domain the importer reads: 7 (LSTM/GRU/RNN-7) to 22 (their newest schema). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 22;

export const isDefaultDomain = (domain: string): boolean => domain === "" || domain === "ai.onnx";

/** A node's name for messages: its name, or its position when it has none. */
export function nodeName(node: OnnxNode, index: number): string {
  return node.name || `#${index}`;
}

/** The op of a default-domain node, when the importer runs it at this opset. */
export function opFor(node: OnnxNode, opset: number): OpDef | undefined {
  const def = isDefaultDomain(node.domain) && Object.prototype.hasOwnProperty.call(OPS, node.opType) ? OPS[node.opType] : undefined;
  return def && opset >= def.since ? def : undefined;
}

/**
 * Throws one UnsupportedError naming every op the importer cannot run, with its nodes, e.g.
 * `unsupported ONNX ops: Foo (node n3), com.microsoft.Bar (nodes n7, n9)`.
 */
export function checkSupport(nodes: readonly OnnxNode[], opset: number): void {
  const missing = new Map<string, { names: string[]; note: string }>();
  nodes.forEach((node, i) => {
    if (opFor(node, opset)) return;
    const known = isDefaultDomain(node.domain) && Object.prototype.hasOwnProperty.call(OPS, node.opType);
    const op = isDefaultDomain(node.domain) ? node.opType : `${node.domain}.${node.opType}`;
    const note = known ? `; it needs opset ≥ ${OPS[node.opType].since}, the model imports ${opset}` : "";
    const entry = missing.get(op) ?? { names: [], note };
    entry.names.push(nodeName(node, i));
    missing.set(op, entry);
  });
  if (missing.size === 0) return;
  const list = [...missing].map(([op, { names, note }]) => `${op} (node${names.length > 1 ? "s" : ""} ${names.join(", ")}${note})`);
  throw new UnsupportedError(`unsupported ONNX ops: ${list.join(", ")}`);
}
