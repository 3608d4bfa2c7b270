// rnn-wasm/safetensors: PyTorch models saved as safetensors state_dicts plus a JSON config that
// lists the modules (torch-config.ts) → a core Model. The config comes with the file, or from
// the file's own __metadata__ under the key "config" (a JSON string), as scripts/train writes.
//   const model = await loadModel({ safetensors: bytesOrUrl, config: jsonObjectOrTextOrUrl });
//   const model = await loadModel(new URL("char-lstm.safetensors", base)); // config in metadata
import { InvalidArgumentError, ModelFormatError } from "../../errors.js";
import { Model } from "../../model/model.js";
import type { ModelInfo } from "../../model/rnn-model.js";
import { type Runtime, defaultRuntime } from "../../runtime/runtime.js";
import { type BytesInput, parseJson, readBytes, toUrl } from "../shared/read-source.js";
import { type SafetensorsFile, parseSafetensors, readFloat32 } from "./safetensors-file.js";
import { type TorchModelConfig, normalizeTorchConfig } from "./torch-config.js";
import { type BuiltTorchModel, type TensorLookup, buildTorchModel } from "./torch-model.js";

export { MAX_HEADER_BYTES, parseSafetensors, readFloat32, type SafetensorsEntry, type SafetensorsFile } from "./safetensors-file.js";
export {
  CHAR_MODEL_FORMAT, TORCH_FORMAT, type TorchEmbedding, type TorchLinear, type TorchModelConfig, type TorchModuleConfig,
  type TorchPointwise, type TorchRecurrent, type TorchSoftmax,
} from "./torch-config.js";

/** The __metadata__ key that holds the config JSON when the file carries its own. */
export const METADATA_CONFIG_KEY = "config";

export interface SafetensorsSource {
  /** The .safetensors bytes, or a URL (string or URL object) to fetch them from. */
  safetensors: BytesInput;
  /** The module config: an object, JSON text, or a URL of a JSON file. Default: the file's metadata "config". */
  config?: object | string | URL;
}

export interface LoadOptions {
  /** Runtime to allocate on; default the shared one. */
  runtime?: Runtime;
}

/** A core Model that remembers where it came from; info() names layers after the PyTorch modules. */
export class SafetensorsModel extends Model {
  /** The config as rnn-wasm/torch@1. */
  readonly torchConfig: TorchModelConfig;
  /** The config as given (a char-model config keeps its vocab, bos, stop…). */
  readonly sourceConfig: Record<string, unknown>;
  /** The file's __metadata__ strings. */
  readonly metadata: Record<string, string>;
  private readonly stageNames: string[];

  constructor(runtime: Runtime, built: BuiltTorchModel, torchConfig: TorchModelConfig, sourceConfig: Record<string, unknown>, metadata: Record<string, string>) {
    super(runtime, built.config);
    this.stageNames = built.stageNames;
    this.torchConfig = torchConfig;
    this.sourceConfig = sourceConfig;
    this.metadata = metadata;
  }

  override info(): ModelInfo {
    const info = super.info();
    return { ...info, format: "safetensors", layers: info.layers.map((l, i) => ({ ...l, name: this.stageNames[i] ?? l.name })) };
  }
}

/** Loads a safetensors model; recognises the file by its header, the config by its "format". */
export async function loadModel(source: SafetensorsSource | BytesInput, options: LoadOptions = {}): Promise<SafetensorsModel> {
  const src: SafetensorsSource = isSource(source) ? source : { safetensors: source as BytesInput };
  if (src.safetensors === undefined || src.safetensors === null) {
    throw new InvalidArgumentError(`loadModel: expected { safetensors, config? } or the safetensors bytes / URL, found ${describeValue(source)}`);
  }
  const file = parseSafetensors(await readBytes(src.safetensors, "safetensors"));
  const json = await readConfig(src.config, file);
  const torchConfig = normalizeTorchConfig(json);
  const built = buildTorchModel(torchConfig, lookup(file));
  const runtime = options.runtime ?? (await defaultRuntime());
  return new SafetensorsModel(runtime, built, torchConfig, json as Record<string, unknown>, file.metadata);
}

/** Every float tensor of a safetensors file as { data, dims } (float32), e.g. for fromPyTorch. */
export function readStateDict(bytes: Uint8Array | ArrayBuffer): { stateDict: Record<string, { data: Float32Array; dims: number[] }>; metadata: Record<string, string> } {
  const file = parseSafetensors(bytes);
  const stateDict: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const e of file.tensors.values()) {
    if (["F32", "F16", "BF16", "F64"].includes(e.dtype)) stateDict[e.name] = { data: readFloat32(file, e), dims: e.shape };
  }
  return { stateDict, metadata: file.metadata };
}

function lookup(file: SafetensorsFile): TensorLookup {
  const cache = new Map<string, { data: Float32Array; dims: number[] }>();
  return {
    names: () => file.tensors.keys(),
    get(name) {
      const e = file.tensors.get(name);
      if (!e) return undefined;
      let t = cache.get(name);
      if (!t) cache.set(name, (t = { data: readFloat32(file, e), dims: e.shape }));
      return t;
    },
  };
}

async function readConfig(config: SafetensorsSource["config"], file: SafetensorsFile): Promise<unknown> {
  if (config === undefined || config === null) {
    const text = file.metadata[METADATA_CONFIG_KEY];
    if (text === undefined) {
      throw new ModelFormatError(`safetensors: no config given and the file's __metadata__ has no "${METADATA_CONFIG_KEY}" entry; pass { safetensors, config }`);
    }
    return parseJson(text, `safetensors __metadata__ "${METADATA_CONFIG_KEY}"`, ModelFormatError);
  }
  if (typeof config === "string" && config.trimStart().startsWith("{")) return parseJson(config, "config", ModelFormatError);
  if (typeof config === "string" || config instanceof URL) {
    const bytes = await readBytes(toUrl(config, "config"), "config");
    return parseJson(new TextDecoder().decode(bytes), `config ${String(config)}`, ModelFormatError);
  }
  if (typeof config === "object") return config;
  throw new InvalidArgumentError(`config: expected an object, JSON text or a URL, found ${typeof config}`);
}

function isSource(v: unknown): v is SafetensorsSource {
  return typeof v === "object" && v !== null && !(v instanceof URL) && !(v instanceof ArrayBuffer) && !ArrayBuffer.isView(v);
}

function describeValue(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? `an object with keys ${Object.keys(v as object).join(", ") || "none"}` : typeof v;
}
