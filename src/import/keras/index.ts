// rnn-wasm/keras: Keras models in the TensorFlow.js layers format (model.json + weight shards, as
// tensorflowjs_converter and TF.js model.save() write them), and TF1 BasicLSTMCell checkpoints
// described by a small config (tf1-basic-lstm.ts) → a KerasModel (an RnnModel).
//   await loadModel(new URL("https://host/model/model.json"))           // shards fetched beside it
//   await loadModel({ modelJson, weights })                              // weights: all shards' bytes,
//                                                                        // { path: bytes } or path => bytes
import { InvalidArgumentError, ModelFormatError, UnsupportedError } from "../../errors.js";
import { Model } from "../../model/model.js";
import { type Runtime, defaultRuntime } from "../../runtime/runtime.js";
import { fetchBytes, parseJson, toUrl } from "../shared/read-source.js";
import { buildKeras } from "./keras-layers.js";
import { KerasModel } from "./keras-model.js";
import { TF1_FORMAT, buildTf1BasicLstm, type Tf1Tensor } from "./tf1-basic-lstm.js";
import { type Producer, isObject, parseTopology } from "./topology.js";
import { type ShardSource, checkManifest, readManifestWeights } from "./weights-manifest.js";

export { KerasModel } from "./keras-model.js";
export type { KerasOutput, OutputSource } from "./keras-layers.js";
export type { Producer } from "./topology.js";
export { TF1_FORMAT, type Tf1BasicLstmConfig, type Tf1Tensor } from "./tf1-basic-lstm.js";
export { readManifestWeights, type ManifestGroup, type ManifestWeight } from "./weights-manifest.js";

type Bytes = Uint8Array | ArrayBuffer;

/** Weight shard bytes: every shard concatenated in manifest order, by path, or a reader. */
export type WeightsInput = Bytes | Record<string, Bytes> | ((path: string) => Bytes | Promise<Bytes>);

export interface KerasSource {
  /** model.json (or a TF1 BasicLSTMCell config) as an object, JSON text or a URL. */
  modelJson: object | string | URL;
  /** Default: fetched relative to modelJson when that is a URL. */
  weights?: WeightsInput;
  /** TF1 configs only: the checkpoint's variables by name, instead of a weights manifest. */
  tensors?: Record<string, Tf1Tensor>;
}

export interface LoadOptions {
  runtime?: Runtime;
  /**
   * Who wrote the model, when model.json does not say (keras_version, generatedBy): decides
   * hard_sigmoid (TF.js / Keras 2: 0.2x + 0.5; Keras 3: x/6 + 0.5) and the output at masked steps
   * inside Bidirectional (TF.js: previous output; Keras: zeros). Overrides what model.json says.
   */
  producer?: Producer;
}

export async function loadModel(source: KerasSource | URL | string, options: LoadOptions = {}): Promise<KerasModel> {
  const src: KerasSource = typeof source === "string" || source instanceof URL ? { modelJson: source } : source;
  if (!src || typeof src !== "object" || src.modelJson === undefined || src.modelJson === null) {
    throw new InvalidArgumentError(`loadModel: expected a model.json URL or { modelJson, weights? }, found ${src === null ? "null" : typeof src}`);
  }
  if (options.producer !== undefined && !["tfjs", "keras2", "keras3"].includes(options.producer)) {
    throw new InvalidArgumentError(`producer: expected "tfjs", "keras2" or "keras3", found ${JSON.stringify(options.producer)}`);
  }
  const { json, base } = await readModelJson(src.modelJson);
  const shards = shardSource(src.weights, base);
  if (json.format === TF1_FORMAT) {
    const manifest = json.weightsManifest === undefined ? undefined : checkManifest(json.weightsManifest);
    const built = await buildTf1BasicLstm(json, { manifest, shards, tensors: src.tensors });
    const model = new Model(options.runtime ?? (await defaultRuntime()), built.config);
    return new KerasModel(model, { inputName: "input", outputs: [{ name: "output", source: { kind: "output" } }], stageNames: built.stageNames, format: "tf1-basic-lstm" });
  }
  if (json.format === "graph-model") {
    throw new UnsupportedError(`model.json: a TF.js graph model (a converted SavedModel / frozen graph); rnn-wasm reads layers models (format "layers-model")`);
  }
  if (json.modelTopology === undefined) {
    throw new ModelFormatError(`model.json: no modelTopology (found keys ${Object.keys(json).join(", ") || "none"}); expected a TF.js layers model or format "${TF1_FORMAT}"`);
  }
  const graph = parseTopology(json);
  const groups = checkManifest(json.weightsManifest ?? [], "model.json weightsManifest");
  const hasWeights = groups.some((g) => g.weights.length > 0);
  if (hasWeights && shards === undefined) throw new ModelFormatError(`weights: model.json lists weights but none were given (pass weights, or modelJson as a URL)`);
  const weights = hasWeights ? await readManifestWeights(groups, shards!) : new Map();
  const built = buildKeras(graph, weights, options.producer);
  const model = new Model(options.runtime ?? (await defaultRuntime()), built.config);
  return new KerasModel(model, { inputName: graph.inputName, outputs: built.outputs, stageNames: built.stageNames, producer: options.producer ?? graph.producer, format: "keras" });
}

async function readModelJson(m: KerasSource["modelJson"]): Promise<{ json: Record<string, unknown>; base?: URL }> {
  let json: unknown = m;
  let base: URL | undefined;
  if (typeof m === "string" && m.trimStart().startsWith("{")) json = parseJson(m, "model.json", ModelFormatError);
  else if (typeof m === "string" || m instanceof URL) {
    base = toUrl(m, "modelJson");
    json = parseJson(new TextDecoder().decode(await fetchBytes(base, "model.json")), `model.json ${base.href}`, ModelFormatError);
  }
  if (!isObject(json)) throw new ModelFormatError(`model.json: expected a JSON object, found ${json === null ? "null" : Array.isArray(json) ? "a list" : typeof json}`);
  return { json, base };
}

function shardSource(w: WeightsInput | undefined, base: URL | undefined): ShardSource | undefined {
  const bytes = (b: unknown, what: string): Uint8Array => {
    if (b instanceof Uint8Array) return b;
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    throw new InvalidArgumentError(`${what}: expected a Uint8Array or ArrayBuffer, found ${b === null ? "null" : typeof b}`);
  };
  if (w === undefined) return base && ((path: string) => fetchBytes(new URL(path, base), `weights ${path}`));
  if (w instanceof Uint8Array || w instanceof ArrayBuffer) return bytes(w, "weights");
  if (typeof w === "function") return async (path: string) => bytes(await w(path), `weights(${JSON.stringify(path)})`);
  if (isObject(w)) return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, bytes(v, `weights[${JSON.stringify(k)}]`)]));
  throw new InvalidArgumentError(`weights: expected bytes, a { path: bytes } record or a function, found ${typeof w}`);
}
