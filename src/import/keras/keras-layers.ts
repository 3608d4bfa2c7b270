// A chain of Keras layers (topology.ts) and its weights → the core model config, plus where each
// of the last layer's Keras outputs comes from. LSTM / GRU / SimpleRNN through fromKeras;
// Bidirectional as one bidirectional layer (merge modes; None = concat split in two); Embedding,
// Masking, Dense and TimeDistributed(Dense), Activation and Softmax; Dropout-like layers are
// identities at inference. Weights are matched by name: the path component equal to the layer
// name, then kernel / recurrent_kernel / bias / embeddings, and forward_… / backward_… inside a
// Bidirectional (TF.js "lstm_LSTM1/kernel", tf.keras "lstm/lstm_cell/kernel" alike).
import { ModelFormatError, ShapeError, UnsupportedError } from "../../errors.js";
import type { ActivationInput } from "../../layers/activations.js";
import { fromKeras, kerasActivation } from "../../layers/keras-weights.js";
import type { RecurrentLayerSpec } from "../../layers/spec.js";
import type { ModelConfig, StageConfig } from "../../model/config.js";
import type { KerasGraph, KerasLayer, Producer } from "./topology.js";
import { isObject } from "./topology.js";
import type { NamedTensor } from "./weights-manifest.js";

/** Where a Keras output comes from in the core model's results. */
export type OutputSource =
  | { kind: "output" }
  | { kind: "half"; half: 0 | 1 }
  | { kind: "state"; layer: number; dir: 0 | 1; which: "h" | "c" };

export interface KerasOutput {
  name: string;
  source: OutputSource;
}

export interface BuiltKeras {
  config: ModelConfig;
  /** Per stage of config.layers, the Keras layer it came from. */
  stageNames: string[];
  /** The model's outputs in Keras order. */
  outputs: KerasOutput[];
}

const NOOPS = new Set(["Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"]);
const RECURRENT = new Set(["LSTM", "GRU", "SimpleRNN"]);
const SUPPORTED = ["InputLayer", "Embedding", "Masking", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "Dense", "TimeDistributed", "Activation", "Softmax", ...NOOPS];

type Json = Record<string, unknown>;

export function buildKeras(graph: KerasGraph, weights: Map<string, NamedTensor>, producerOption?: Producer): BuiltKeras {
  checkSupported(graph.layers);
  const producer = producerOption ?? graph.producer;
  const owned = weightsByLayer(graph.layers, weights);
  const layers: StageConfig[] = [];
  const stageNames: string[] = [];
  let features: number | undefined = graph.inputShape?.[1] ?? undefined;
  let masked = false;
  let recurrentCount = 0;
  let tensors: KerasOutput[] = [];
  const add = (s: StageConfig, name: string) => {
    layers.push(s);
    stageNames.push(name);
  };
  for (const [i, layer] of graph.layers.entries()) {
    const { className: cls, name, config: cfg } = layer;
    const where = `layer ${name} (${cls})`;
    const w = owned.get(name) ?? new Map<string, NamedTensor>();
    const last = i === graph.layers.length - 1;
    tensors = [{ name, source: { kind: "output" } }];
    if (NOOPS.has(cls)) continue;
    if (["Dense", "TimeDistributed", "Activation", "Softmax"].includes(cls) && recurrentCount === 0) {
      throw new UnsupportedError(`${where}: comes before the first recurrent layer; rnn-wasm models are [Embedding | Masking] → recurrent layers → Dense / Activation`);
    }
    switch (cls) {
      case "Embedding": {
        if (layers.length > 0) throw new UnsupportedError(`${where}: an Embedding must be the first layer`);
        const V = int(cfg.input_dim, `${where}: input_dim`);
        const D = int(cfg.output_dim, `${where}: output_dim`);
        add({ type: "embedding", vocabSize: V, dim: D, weight: need(w, "embeddings", [V, D], where), maskZero: cfg.mask_zero === true }, name);
        masked ||= cfg.mask_zero === true;
        features = D;
        break;
      }
      case "Masking":
        if (recurrentCount > 0) throw new UnsupportedError(`${where}: Masking must come before the first recurrent layer`);
        add({ type: "masking", maskValue: typeof cfg.mask_value === "number" ? cfg.mask_value : 0 }, name);
        masked = true;
        break;
      case "LSTM":
      case "GRU":
      case "SimpleRNN": {
        const spec = recurrentSpec(cls, cfg, w, features, producer, where);
        const goBackwards = cfg.go_backwards === true;
        add({ type: "recurrent", ...spec, direction: goBackwards ? "reverse" : "forward", goBackwards, returnSequences: cfg.return_sequences === true, maskedOutput: "previous" }, name);
        features = spec.hiddenSize;
        if (last && cfg.return_state === true) tensors.push(...states(name, recurrentCount, cls, [""]));
        recurrentCount++;
        break;
      }
      case "Bidirectional": {
        const inner = cfg.layer as { class_name: string; config: Json };
        const back = isObject(cfg.backward_layer) ? (cfg.backward_layer as { class_name: string; config: Json }) : undefined;
        const ic = inner.config;
        if (ic.go_backwards === true) throw new UnsupportedError(`${where}: a Bidirectional around a go_backwards layer`);
        const fw = recurrentSpec(inner.class_name, ic, sub(w, "forward"), features, producer, `${where} forward`);
        const bw = recurrentSpec(back?.class_name ?? inner.class_name, back?.config ?? ic, sub(w, "backward"), features, producer, `${where} backward`);
        if (fw.hiddenSize !== bw.hiddenSize || fw.cell !== bw.cell || !!fw.linearBeforeReset !== !!bw.linearBeforeReset) {
          throw new UnsupportedError(`${where}: forward and backward layers differ in type, units or reset_after`);
        }
        const mode = cfg.merge_mode === undefined ? "concat" : cfg.merge_mode;
        if (mode !== null && !["concat", "sum", "mul", "ave"].includes(mode as string)) throw new UnsupportedError(`${where}: merge_mode ${JSON.stringify(mode)}`);
        if (mode === null && !last) throw new UnsupportedError(`${where}: merge_mode None gives two outputs, so it must be the last layer`);
        const sequences = ic.return_sequences === true;
        if (masked && sequences && producer === undefined) {
          throw new ModelFormatError(`${where}: masked steps inside Bidirectional give zeros in Keras and the previous output in TF.js, and model.json does not say which wrote it; pass options.producer`);
        }
        add({
          type: "recurrent", ...joinDirections(fw, bw), direction: "bidirectional", merge: (mode ?? "concat") as "concat", returnSequences: sequences,
          maskedOutput: sequences && producer !== "tfjs" ? "zero" : "previous",
        }, name);
        features = (mode === "concat" || mode === null ? 2 : 1) * fw.hiddenSize;
        if (mode === null) tensors = [{ name: `${name}/forward`, source: { kind: "half", half: 0 } }, { name: `${name}/backward`, source: { kind: "half", half: 1 } }];
        if (last && ic.return_state === true) tensors.push(...states(name, recurrentCount, inner.class_name, ["/forward", "/backward"]));
        recurrentCount++;
        break;
      }
      case "Dense":
      case "TimeDistributed": {
        const dc = cls === "Dense" ? cfg : ((cfg.layer as Json).config as Json);
        const units = int(dc.units, `${where}: units`);
        const kernel = need(w, "kernel", [features ?? -1, units], where, "[input features, units]");
        const bias = dc.use_bias === false ? undefined : need(w, "bias", [units], where, "[units]");
        const act = activationStages(dc.activation, producer, where);
        add({ type: "dense", inputSize: features!, outputSize: units, weight: transpose(kernel, features!, units), bias, activation: act.pointwise }, name);
        if (act.softmax) add({ type: act.softmax }, name);
        features = units;
        break;
      }
      case "Activation": {
        const act = activationStages(cfg.activation, producer, where);
        if (act.pointwise) add({ type: "activation", activation: act.pointwise }, name);
        if (act.softmax) add({ type: act.softmax }, name);
        break;
      }
      case "Softmax":
        if (cfg.axis !== undefined && cfg.axis !== -1 && !(Array.isArray(cfg.axis) && cfg.axis.length === 1 && cfg.axis[0] === -1)) {
          throw new UnsupportedError(`${where}: axis ${JSON.stringify(cfg.axis)}: only the last axis is supported`);
        }
        add({ type: "softmax" }, name);
    }
  }
  if (recurrentCount === 0) throw new UnsupportedError(`model.json: no recurrent layer (LSTM, GRU, SimpleRNN or Bidirectional)`);
  const outputs = graph.outputs.map((k) => {
    if (!tensors[k]) throw new ModelFormatError(`model.json: output ${k} of layer ${graph.layers.at(-1)!.name} does not exist (it has ${tensors.length})`);
    return tensors[k];
  });
  return { config: { layers, batchFirst: true }, stageNames, outputs };
}

function checkSupported(layers: KerasLayer[]): void {
  const bad = layers.flatMap((l) => {
    const inner = isObject(l.config.layer) ? String(l.config.layer.class_name) : undefined;
    if (l.className === "Bidirectional" && !RECURRENT.has(inner!)) return [`${l.name} (Bidirectional(${inner}))`];
    if (l.className === "TimeDistributed" && inner !== "Dense") return [`${l.name} (TimeDistributed(${inner}))`];
    return SUPPORTED.includes(l.className) ? [] : [`${l.name} (${l.className})`];
  });
  if (bad.length) throw new UnsupportedError(`model.json: unsupported layer${bad.length > 1 ? "s" : ""} ${bad.join(", ")}; supported are ${SUPPORTED.join(", ")}, Bidirectional(LSTM | GRU | SimpleRNN), TimeDistributed(Dense)`);
}

/** Per chain layer, its weights keyed by the rest of the path after the layer's own name. */
function weightsByLayer(layers: KerasLayer[], weights: Map<string, NamedTensor>): Map<string, Map<string, NamedTensor>> {
  const names = new Set(layers.map((l) => l.name));
  const out = new Map<string, Map<string, NamedTensor>>();
  for (const [full, t] of weights) {
    const parts = full.replace(/:\d+$/, "").split("/");
    const k = parts.findIndex((p) => names.has(p));
    if (k < 0) continue; // not a chain layer's (e.g. optimizer state)
    if (!out.has(parts[k])) out.set(parts[k], new Map());
    out.get(parts[k])!.set(parts.slice(k + 1).join("/"), t);
  }
  return out;
}

/** The weights of one direction of a Bidirectional (paths with a forward_… / backward_… part). */
function sub(w: Map<string, NamedTensor>, dir: "forward" | "backward"): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [path, t] of w) if (path.split("/").some((p) => p.startsWith(`${dir}_`))) out.set(path, t);
  return out;
}

/** The weight whose path ends in `leaf`, checked against dims (−1 = any). */
function need(w: Map<string, NamedTensor>, leaf: string, dims: number[], where: string, formula = ""): Float32Array {
  const hits = [...w].filter(([path]) => path === leaf || path.endsWith(`/${leaf}`));
  if (hits.length !== 1) {
    throw new ModelFormatError(`${where}: ${hits.length ? `${hits.length} weights named` : "missing weight"} ${leaf}${hits.length ? ` (${hits.map((h) => h[0]).join(", ")})` : ` (expected shape [${dims.map((d) => (d < 0 ? "?" : d))}])`}`);
  }
  const [path, t] = hits[0];
  if (t.dims.length !== dims.length || t.dims.some((d, i) => dims[i] >= 0 && d !== dims[i])) {
    throw new ShapeError(`${where}: weight ${path}: expected shape [${dims.map((d) => (d < 0 ? "?" : d))}]${formula ? ` = ${formula}` : ""}, found [${t.dims}]`);
  }
  return t.data;
}

function recurrentSpec(cls: string, cfg: Json, w: Map<string, NamedTensor>, features: number | undefined, producer: Producer | undefined, where: string): RecurrentLayerSpec {
  if (cfg.time_major === true) throw new UnsupportedError(`${where}: time_major inputs`);
  const units = int(cfg.units, `${where}: units`);
  const G = cls === "LSTM" ? 4 : cls === "GRU" ? 3 : 1;
  const kernel = need(w, "kernel", [features ?? -1, G * units], where, `[input features, ${G}·units]`);
  const resetAfter = cls === "GRU" ? (typeof cfg.reset_after === "boolean" ? cfg.reset_after : producer !== "tfjs") : undefined;
  const biasDims = resetAfter ? [2, G * units] : [G * units];
  const bias = cfg.use_bias === false ? undefined : need(w, "bias", biasDims, where, resetAfter ? "[2, 3·units] (reset_after)" : `[${G}·units]`);
  const activation = activationName(cfg.activation, "tanh", where);
  // Serialized configs name recurrent_activation; when absent, the producer's default applies.
  const recurrentActivation = cls === "SimpleRNN" ? undefined : activationName(cfg.recurrent_activation, producer === "tfjs" ? "hard_sigmoid" : "sigmoid", where);
  const hard = activation === "hard_sigmoid" || recurrentActivation === "hard_sigmoid";
  if (hard && producer === undefined) {
    throw new ModelFormatError(`${where}: hard_sigmoid is clip(0.2x + 0.5) in TF.js / Keras 2 and clip(x/6 + 0.5) in Keras 3, and model.json does not say which wrote it; pass options.producer`);
  }
  return fromKeras({
    cell: cls as "LSTM", units, kernel, bias, activation, recurrentActivation, resetAfter,
    recurrentKernel: need(w, "recurrent_kernel", [units, G * units], where, `[units, ${G}·units]`),
    hardSigmoid: hard ? (producer === "keras3" ? "keras3" : "tfjs") : undefined,
  });
}

function joinDirections(fw: RecurrentLayerSpec, bw: RecurrentLayerSpec): RecurrentLayerSpec {
  const cat = (a?: Float32Array, b?: Float32Array, n = 0) => {
    if (!a && !b) return undefined;
    const out = new Float32Array(2 * n);
    if (a) out.set(a);
    if (b) out.set(b, n);
    return out;
  };
  return {
    ...fw, W: cat(fw.W, bw.W, fw.W.length)!, R: cat(fw.R, bw.R, fw.R.length)!, B: cat(fw.B, bw.B, 2 * (fw.W.length / fw.inputSize)),
    activations: [...(fw.activations ?? []), ...(bw.activations ?? [])],
  };
}

/** Keras output tensors for a last layer's final states: h (and c for LSTM) per direction. */
function states(name: string, layer: number, cls: string, dirs: string[]): KerasOutput[] {
  return dirs.flatMap((d, dir) => (cls === "LSTM" ? (["h", "c"] as const) : (["h"] as const)).map((which) => ({
    name: `${name}${d}/${which}`, source: { kind: "state" as const, layer, dir: dir as 0 | 1, which },
  })));
}

/** A Keras activation name: a string, or Keras 3's serialized { config: name } form. */
function activationName(v: unknown, fallback: string, where: string): string {
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string") return v;
  if (isObject(v) && typeof v.config === "string") return v.config;
  if (isObject(v) && typeof v.class_name === "string") return v.class_name;
  throw new ModelFormatError(`${where}: activation ${JSON.stringify(v)} is not a name`);
}

function activationStages(v: unknown, producer: Producer | undefined, where: string): { pointwise?: ActivationInput; softmax?: "softmax" | "logSoftmax" } {
  const name = activationName(v, "linear", where);
  if (name === "linear") return {};
  if (name === "softmax") return { softmax: "softmax" };
  if (name === "log_softmax") return { softmax: "logSoftmax" };
  if (name === "hard_sigmoid" && producer === undefined) {
    throw new ModelFormatError(`${where}: hard_sigmoid differs between TF.js / Keras 2 and Keras 3, and model.json does not say which wrote it; pass options.producer`);
  }
  try {
    return { pointwise: kerasActivation(name, producer === "keras3" ? "keras3" : "tfjs") };
  } catch (e) {
    throw new UnsupportedError(`${where}: ${(e as Error).message}`);
  }
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

function int(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new ModelFormatError(`${what} must be a positive integer, found ${JSON.stringify(v)}`);
  return v as number;
}
