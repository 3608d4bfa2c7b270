// Maps one ONNX LSTM / GRU / RNN node (opset 7–22) onto the normalised layer spec: attributes,
// weight dims, and the names of its inputs and outputs by position. The spec already uses the
// ONNX weight layout, so weights pass through unchanged.
import { ModelFormatError, ShapeError, UnsupportedError } from "../../errors.js";
import { type Activation, DEFAULT_ACTIVATIONS, fromOnnxLists } from "../../layers/activations.js";
import { type CellType, type Direction, GATES, type RecurrentLayerSpec } from "../../layers/spec.js";
import type { OnnxAttribute, OnnxNode } from "./proto.js";

const CELLS: Record<string, CellType> = { LSTM: "lstm", GRU: "gru", RNN: "rnn" };

const COMMON = ["hidden_size", "direction", "activations", "activation_alpha", "activation_beta", "clip", "layout"];
const KNOWN: Record<CellType, ReadonlySet<string>> = {
  lstm: new Set([...COMMON, "input_forget"]),
  gru: new Set([...COMMON, "linear_before_reset"]),
  rnn: new Set(COMMON),
};

// Inputs and outputs by position; "" (or a missing trailing entry) means absent.
const INPUTS = {
  lstm: ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"],
  gru: ["X", "W", "R", "B", "sequence_lens", "initial_h"],
  rnn: ["X", "W", "R", "B", "sequence_lens", "initial_h"],
} as const;
const OUTPUTS = { lstm: ["Y", "Y_h", "Y_c"], gru: ["Y", "Y_h"], rnn: ["Y", "Y_h"] } as const;

export interface RecurrentInputNames {
  X: string;
  W: string;
  R: string;
  B?: string;
  sequence_lens?: string;
  initial_h?: string;
  initial_c?: string;
  P?: string;
}

export interface RecurrentOutputNames {
  Y?: string;
  Y_h?: string;
  Y_c?: string;
}

export interface RecurrentWeights {
  W: Float32Array;
  R: Float32Array;
  B?: Float32Array;
  P?: Float32Array;
}

/** The dims of the W and R tensors: [dirs, G·H, I] and [dirs, G·H, H]. */
export interface RecurrentWeightDims {
  W: readonly number[];
  R: readonly number[];
}

/** "lstm", "gru" or "rnn" for a node of the default ONNX domain; UnsupportedError for any other node. */
export function recurrentCell(node: OnnxNode): CellType {
  const cell = CELLS[node.opType];
  if (!cell || (node.domain !== "" && node.domain !== "ai.onnx")) {
    const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
    throw new UnsupportedError(`node "${node.name}": expected an ONNX LSTM, GRU or RNN, found ${op}`);
  }
  return cell;
}

/** The names of the node's inputs by ONNX position; absent optional inputs are left out. */
export function recurrentInputNames(node: OnnxNode): RecurrentInputNames {
  const cell = recurrentCell(node);
  const names = byPosition(node, node.inputs, INPUTS[cell], "inputs");
  for (const required of ["X", "W", "R"] as const) {
    if (!names[required]) throw new ModelFormatError(`${label(node)}: expected input ${required}, found none`);
  }
  return names as unknown as RecurrentInputNames;
}

/** The names of the node's outputs by ONNX position; unused outputs are left out. */
export function recurrentOutputNames(node: OnnxNode): RecurrentOutputNames {
  return byPosition(node, node.outputs, OUTPUTS[recurrentCell(node)], "outputs");
}

function byPosition(node: OnnxNode, given: readonly string[], slots: readonly string[], what: string): Record<string, string> {
  if (given.length > slots.length) {
    throw new ModelFormatError(`${label(node)}: expected at most ${slots.length} ${what} (${slots.join(", ")}), found ${given.length}`);
  }
  const out: Record<string, string> = {};
  given.forEach((name, i) => {
    if (name !== "") out[slots[i]] = name;
  });
  return out;
}

/** The layer spec of an ONNX LSTM / GRU / RNN node, given its weights and the dims of W and R. */
export function recurrentSpecFromNode(node: OnnxNode, weights: RecurrentWeights, weightsDims: RecurrentWeightDims): RecurrentLayerSpec {
  const cell = recurrentCell(node);
  const where = label(node);
  const unknown = [...node.attributes.keys()].filter((k) => !KNOWN[cell].has(k));
  if (unknown.length > 0) {
    throw new UnsupportedError(`${where}: unsupported attribute${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (${node.opType} takes ${[...KNOWN[cell]].join(", ")})`);
  }
  const attr = new Attributes(node, where);

  const directionName = attr.string("direction") ?? "forward";
  if (directionName !== "forward" && directionName !== "reverse" && directionName !== "bidirectional") {
    throw new ModelFormatError(`${where}: direction: expected "forward", "reverse" or "bidirectional", found "${directionName}"`);
  }
  const direction: Direction = directionName;
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  const { inputSize, hiddenSize } = sizesFromDims(where, attr.int("hidden_size"), weightsDims, dirs, G);

  const spec: RecurrentLayerSpec = {
    cell, inputSize, hiddenSize, direction, W: weights.W, R: weights.R,
    activations: activationsFrom(attr, cell, dirs, where),
  };
  if (weights.B !== undefined) spec.B = weights.B;
  if (weights.P !== undefined) spec.P = weights.P;

  const clip = attr.float("clip");
  if (clip !== undefined) {
    if (!(clip > 0)) throw new ModelFormatError(`${where}: clip: expected a positive number, found ${clip}`);
    spec.clip = clip;
  }
  const layout = attr.int("layout") ?? 0;
  if (layout !== 0 && layout !== 1) throw new ModelFormatError(`${where}: layout: expected 0 or 1, found ${layout}`);
  spec.layout = layout;
  if (cell === "lstm") spec.inputForget = (attr.int("input_forget") ?? 0) !== 0;
  if (cell === "gru") spec.linearBeforeReset = (attr.int("linear_before_reset") ?? 0) !== 0;
  return spec;
}

// W [dirs, G·H, I] and R [dirs, G·H, H]; hidden_size, when given, must agree with them.
function sizesFromDims(where: string, hiddenAttr: number | undefined, dims: RecurrentWeightDims, dirs: number, G: number) {
  const W = dims.W;
  const R = dims.R;
  const shapes = (H: number) => `W [${dirs}, ${G}·${H}, input_size] and R [${dirs}, ${G}·${H}, ${H}]`;
  if (hiddenAttr !== undefined && !(hiddenAttr >= 1)) {
    throw new ModelFormatError(`${where}: hidden_size: expected a positive integer, found ${hiddenAttr}`);
  }
  const H = hiddenAttr ?? (R.length === 3 ? R[2] : undefined);
  if (H === undefined) throw new ModelFormatError(`${where}: expected a hidden_size attribute or R of rank 3, found neither`);
  const ok =
    W.length === 3 && R.length === 3 && W[0] === dirs && R[0] === dirs && W[1] === G * H && R[1] === G * H && R[2] === H && W[2] >= 1;
  if (!ok) {
    const why = `${dirs} direction${dirs > 1 ? "s" : ""}, hidden_size ${hiddenAttr ?? `${H} (from R)`}`;
    throw new ShapeError(`${where}: expected ${shapes(H)} (${why}), found W [${W.join(", ")}] and R [${R.join(", ")}]`);
  }
  return { inputSize: W[2], hiddenSize: H };
}

// ONNX lists the names of every direction (f, g, h for LSTM; forward first), and hands the
// alpha/beta lists out in order across all of them; a list that runs short leaves defaults.
// onnxruntime rejects a bidirectional node that names one direction's worth; so do we.
function activationsFrom(attr: Attributes, cell: CellType, dirs: number, where: string): Activation[] {
  const per = DEFAULT_ACTIVATIONS[cell].length;
  const names = attr.strings("activations") ?? Array.from({ length: dirs }, () => DEFAULT_ACTIVATIONS[cell]).flat();
  if (names.length !== per * dirs) {
    throw new ModelFormatError(
      `${where}: activations: expected ${per * dirs} names (${per} per direction: ${DEFAULT_ACTIVATIONS[cell].join(", ")}), found ${names.length}`,
    );
  }
  try {
    return fromOnnxLists(names, attr.floats("activation_alpha") ?? [], attr.floats("activation_beta") ?? []);
  } catch (e) {
    throw new UnsupportedError(`${where}: ${(e as Error).message}`);
  }
}

function label(node: OnnxNode): string {
  return `${node.opType} node${node.name ? ` "${node.name}"` : ""}`;
}

type AttributeValues = { [A in OnnxAttribute as A["type"]]: A extends { value: infer V } ? V : never };

/** Typed access to a node's attributes; a value of the wrong type is a ModelFormatError. */
class Attributes {
  constructor(
    private readonly node: OnnxNode,
    private readonly where: string,
  ) {}

  private get<K extends keyof AttributeValues>(name: string, type: K): AttributeValues[K] | undefined {
    const a = this.node.attributes.get(name);
    if (a === undefined) return undefined;
    if (a.type !== type) throw new ModelFormatError(`${this.where}: attribute ${name}: expected type ${type}, found ${a.type}`);
    return (a as { value: unknown }).value as AttributeValues[K];
  }

  int(name: string): number | undefined {
    return this.get(name, "int");
  }
  float(name: string): number | undefined {
    return this.get(name, "float");
  }
  string(name: string): string | undefined {
    return this.get(name, "string");
  }
  strings(name: string): string[] | undefined {
    return this.get(name, "strings");
  }
  floats(name: string): number[] | undefined {
    return this.get(name, "floats");
  }
}
