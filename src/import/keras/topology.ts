// The Keras model config inside a TF.js model.json → one chain of layers from the input to the
// outputs. Accepted: Sequential (config.layers, or the older bare list) and functional models
// ("Model", "Functional") that are a linear chain, in both inbound_nodes forms (Keras 2
// [[["name", node, tensor, {}]]] and Keras 3 [{ args: [{ config: { keras_history } }] }]), with
// any outputs of the last layer (return_state, Bidirectional merge_mode None).
// modelTopology is { class_name, config, keras_version } (TF.js model.save) or { keras_version,
// model_config: { class_name, config } } (tensorflowjs_converter).
//
// The producer decides two things Keras versions do differently (see ../shared/SEMANTICS.md):
//   hard_sigmoid   TF.js and Keras ≤ 2.x: clip(0.2x + 0.5, 0, 1); Keras 3: clip(x/6 + 0.5, 0, 1)
//   masked steps inside Bidirectional(return_sequences): TF.js repeats the previous output;
//                  Python Keras (2 and 3) outputs zeros (it forces zero_output_for_mask there)
// Rule: keras_version "tfjs-layers …" → TF.js; "3.…" or later → Keras 3; "2.…" (or 1.x) → Keras 2.
// Without keras_version: generatedBy "TensorFlow.js tfjs-layers …" → TF.js, "keras v3…" → Keras 3,
// "keras v2…" → Keras 2; else Keras 3 if the layer entries carry Keras 3's "module" keys. When
// none of these says, the model loads if it needs neither decision (else options.producer).
import { ModelFormatError, UnsupportedError } from "../../errors.js";

export type Producer = "tfjs" | "keras2" | "keras3";

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export interface KerasGraph {
  /** The layers from input to output, without InputLayer. */
  layers: KerasLayer[];
  inputName: string;
  /** Per-sample input shape without the batch axis (null = free), when the config says. */
  inputShape: (number | null)[] | undefined;
  /** The model's outputs: which output tensor of the last layer, in order. */
  outputs: number[];
  producer: Producer | undefined;
}

type Json = Record<string, unknown>;

export function parseTopology(modelJson: Json): KerasGraph {
  const topo = modelJson.modelTopology;
  if (!isObject(topo)) throw new ModelFormatError(`model.json: modelTopology must be an object, found ${kind(topo)}`);
  const model = isObject(topo.model_config) ? topo.model_config : topo;
  const className = model.class_name;
  if (typeof className !== "string" || !isObject(model.config) && !Array.isArray(model.config)) {
    throw new ModelFormatError(`model.json: modelTopology needs class_name and config (a Keras model config)`);
  }
  const entries = layerEntries(model.config);
  const producer = detectProducer(topo, modelJson, [model, ...entries]);
  if (className === "Sequential") return sequential(entries, producer);
  if (className === "Model" || className === "Functional") return functional(entries, model.config as Json, producer);
  throw new UnsupportedError(`model.json: model class ${JSON.stringify(className)}; supported are Sequential and functional Model / Functional`);
}

function layerEntries(config: unknown): Json[] {
  const list = Array.isArray(config) ? config : (config as Json).layers;
  if (!Array.isArray(list) || list.length === 0) throw new ModelFormatError(`model.json: the model config has no layers`);
  list.forEach((l, i) => {
    if (!isObject(l) || typeof l.class_name !== "string" || !isObject(l.config)) {
      throw new ModelFormatError(`model.json: layers[${i}] must be { class_name, config }, found ${JSON.stringify(l)?.slice(0, 80)}`);
    }
  });
  return list as Json[];
}

function toLayer(e: Json): KerasLayer {
  const config = e.config as Json;
  const name = (typeof e.name === "string" ? e.name : config.name) as unknown;
  if (typeof name !== "string") throw new ModelFormatError(`model.json: a ${e.class_name} layer has no name`);
  return { className: e.class_name as string, name, config };
}

function sequential(entries: Json[], producer: Producer | undefined): KerasGraph {
  const layers = entries.map(toLayer);
  const input = layers[0].className === "InputLayer" ? layers[0] : undefined;
  const shapeSource = input?.config ?? layers[0].config;
  const name = input?.name ?? "input";
  return { layers: layers.filter((l) => l.className !== "InputLayer"), inputName: name, inputShape: inputShape(shapeSource), outputs: [0], producer };
}

function functional(entries: Json[], config: Json, producer: Producer | undefined): KerasGraph {
  const byName = new Map(entries.map((e) => [toLayer(e).name, e]));
  const inputs = refList(config.input_layers, "input_layers");
  const outputs = refList(config.output_layers, "output_layers");
  if (inputs.length !== 1) throw new UnsupportedError(`model.json: ${inputs.length} inputs (${inputs.map((r) => r[0]).join(", ")}); rnn-wasm models take one input (initial states as inputs are not supported)`);
  const last = outputs[0][0];
  const other = outputs.find((r) => r[0] !== last);
  if (other) throw new UnsupportedError(`model.json: outputs come from layers ${last} and ${other[0]}; rnn-wasm models give the outputs of their last layer only`);
  // Walk back from the output layer through single inbound connections.
  const chain: KerasLayer[] = [];
  const seen = new Set<string>();
  let name = last;
  for (;;) {
    const e = byName.get(name);
    if (!e) throw new ModelFormatError(`model.json: layer ${JSON.stringify(name)} is referenced but not defined`);
    if (seen.has(name)) throw new ModelFormatError(`model.json: layer ${name} feeds itself (a cycle)`);
    seen.add(name);
    const layer = toLayer(e);
    const inbound = inboundOf(e);
    if (inbound.length === 0) {
      if (layer.className !== "InputLayer") throw new ModelFormatError(`model.json: layer ${name} has no inbound layer and is not an InputLayer`);
      if (name !== inputs[0][0]) throw new ModelFormatError(`model.json: the chain starts at ${name}, but input_layers names ${inputs[0][0]}`);
      chain.reverse();
      if (seen.size !== byName.size) {
        const off = [...byName.keys()].filter((n) => !seen.has(n));
        throw new UnsupportedError(`model.json: layers ${off.join(", ")} are off the input → output chain; rnn-wasm takes linear chains of layers only`);
      }
      return { layers: chain, inputName: name, inputShape: inputShape(layer.config), outputs: outputs.map((r) => r[2]), producer };
    }
    if (inbound.length > 1) throw new UnsupportedError(`model.json: layer ${name} (${layer.className}) has ${inbound.length} inputs; rnn-wasm takes linear chains of layers only`);
    if (inbound[0][2] !== 0) throw new UnsupportedError(`model.json: layer ${name} takes output ${inbound[0][2]} of ${inbound[0][0]} (a state); only the main output can feed a layer`);
    chain.push(layer);
    name = inbound[0][0];
  }
}

type Ref = [string, number, number];

/** input_layers / output_layers: [[name, node, tensor], …] or a single [name, node, tensor]. */
function refList(v: unknown, what: string): Ref[] {
  const list = Array.isArray(v) && typeof v[0] === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.some((r) => !Array.isArray(r) || typeof r[0] !== "string")) {
    throw new ModelFormatError(`model.json: ${what} must be a list of [layer name, node index, tensor index], found ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return list.map((r) => [r[0], Number(r[1] ?? 0), Number(r[2] ?? 0)]);
}

/** The [layer, node, tensor] refs a functional layer reads, in either inbound_nodes form. */
function inboundOf(e: Json): Ref[] {
  const nodes = e.inbound_nodes;
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes)) throw new ModelFormatError(`model.json: layer ${toLayer(e).name}: inbound_nodes must be a list`);
  if (nodes.length > 1) throw new UnsupportedError(`model.json: layer ${toLayer(e).name} is called ${nodes.length} times (a shared layer); rnn-wasm takes linear chains of layers only`);
  const node = nodes[0];
  if (Array.isArray(node)) return node.map((r: unknown[]) => [String(r[0]), Number(r[1]), Number(r[2])]);
  if (isObject(node) && Array.isArray(node.args)) {
    const refs: Ref[] = [];
    const visit = (a: unknown) => {
      if (Array.isArray(a)) a.forEach(visit);
      else if (isObject(a) && a.class_name === "__keras_tensor__" && isObject(a.config) && Array.isArray(a.config.keras_history)) {
        const [n, i, t] = a.config.keras_history as unknown[];
        refs.push([String(n), Number(i), Number(t)]);
      }
    };
    visit(node.args);
    return refs;
  }
  throw new ModelFormatError(`model.json: layer ${toLayer(e).name}: unrecognised inbound_nodes entry ${JSON.stringify(node)?.slice(0, 80)}`);
}

function inputShape(config: Json): (number | null)[] | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(shape) ? (shape.slice(1) as (number | null)[]) : undefined;
}

function detectProducer(topo: Json, modelJson: Json, entries: Json[]): Producer | undefined {
  const version = topo.keras_version;
  if (typeof version === "string") {
    if (version.startsWith("tfjs")) return "tfjs";
    const major = Number.parseInt(version, 10);
    if (major >= 3) return "keras3";
    if (major >= 1) return "keras2";
  }
  const by = modelJson.generatedBy;
  if (typeof by === "string") {
    if (by.startsWith("TensorFlow.js")) return "tfjs";
    const m = /^keras v(\d+)/i.exec(by);
    if (m) return Number(m[1]) >= 3 ? "keras3" : "keras2";
  }
  return entries.some((e) => typeof e.module === "string") ? "keras3" : undefined;
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v;
}
