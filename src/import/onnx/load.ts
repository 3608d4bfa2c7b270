// Where an ONNX model comes from: bytes, a URL (fetched; file: URLs read from disk in Node and
// Deno), or { model, externalData } for models whose tensors sit in files beside them. Decodes
// it (proto.ts) and reads every external-data tensor. A file that is not ONNX is named by what
// it looks like (a zip, HDF5, JSON, safetensors …) when protobuf decoding fails.
import { InvalidArgumentError, ModelFormatError, RnnWasmError } from "../../errors.js";
import { fetchBytes, toUrl } from "../shared/read-source.js";
import { type OnnxModel, type OnnxTensor, decodeModel, readExternalData } from "./proto.js";

type Bytes = Uint8Array | ArrayBuffer;

/** External-data files by location (as the model names them), or a function that reads one. */
export type ExternalData = Record<string, Bytes> | ((location: string) => Bytes | Promise<Bytes>);

export type OnnxSource = Bytes | URL | string | { model: Bytes | URL | string; externalData?: ExternalData };

function toBytes(b: Bytes, what: string): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  throw new InvalidArgumentError(`${what}: expected a Uint8Array or an ArrayBuffer, found ${b === null ? "null" : typeof b}`);
}


/** Reads the source and its external data into a decoded model. */
export async function readModel(source: OnnxSource): Promise<OnnxModel> {
  let bytes: Uint8Array;
  let external: ExternalData | undefined;
  let base: URL | undefined;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) bytes = toBytes(source, "loadModel");
  else if (source instanceof URL || typeof source === "string") {
    base = toUrl(source, "loadModel");
    bytes = await fetchBytes(base, "loadModel");
  } else if (source && typeof source === "object" && "model" in source) {
    const m = source.model;
    if (m instanceof URL || typeof m === "string") {
      base = toUrl(m, "loadModel");
      bytes = await fetchBytes(base, "loadModel");
    } else bytes = toBytes(m, "loadModel: model");
    external = source.externalData;
  } else {
    throw new InvalidArgumentError(`loadModel: expected the model's bytes, a URL, or { model, externalData }, found ${source === null ? "null" : typeof source}`);
  }
  const model = decode(bytes);
  await readExternal(model, external, base);
  return model;
}

function decode(bytes: Uint8Array): OnnxModel {
  try {
    return decodeModel(bytes);
  } catch (e) {
    const looks = e instanceof ModelFormatError ? lookalike(bytes) : undefined;
    if (looks) throw new ModelFormatError(`not an ONNX model: the ${bytes.length} bytes look like ${looks}`);
    throw e;
  }
}

/** What a file that failed to decode as ONNX appears to be, from its first bytes. */
function lookalike(b: Uint8Array): string | undefined {
  const text = (n: number, at = 0) => String.fromCharCode(...b.subarray(at, at + n));
  if (b.length === 0) return "an empty file";
  if (text(4) === "PK\x03\x04") return "a zip archive (a PyTorch .pt / .pth checkpoint or a Keras .keras file?)";
  if (text(8) === "\x89HDF\r\n\x1a\n") return "an HDF5 file (a Keras .h5 model?)";
  if (text(4, 4) === "TFL3") return "a TensorFlow Lite model";
  if (text(4) === "GGUF") return "a GGUF file";
  if (b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) return "a Python pickle (a PyTorch checkpoint?)";
  if (b.length > 8 && b[8] === 0x7b && b[6] === 0 && b[7] === 0) return "a safetensors file";
  const first = text(Math.min(b.length, 64)).trimStart()[0];
  if (first === "{" || first === "[") return "JSON text (a Keras or TF.js model.json?)";
  return undefined;
}

/** Every tensor whose data sit in an external file, with a setter that puts the loaded tensor in its place. */
function externalTensors(model: OnnxModel): { tensor: OnnxTensor; set: (t: OnnxTensor) => void }[] {
  const found: { tensor: OnnxTensor; set: (t: OnnxTensor) => void }[] = [];
  const { graph } = model;
  graph.initializers.forEach((t, i) => t.external && found.push({ tensor: t, set: (v) => (graph.initializers[i] = v) }));
  for (const node of graph.nodes) {
    for (const [name, a] of node.attributes) {
      if (a.type === "tensor" && a.value.external) found.push({ tensor: a.value, set: (v) => node.attributes.set(name, { type: "tensor", value: v }) });
    }
  }
  return found;
}

async function readExternal(model: OnnxModel, given: ExternalData | undefined, base: URL | undefined): Promise<void> {
  const pending = externalTensors(model);
  if (pending.length === 0) return;
  const files = [...new Set(pending.map((p) => p.tensor.external!.location))];
  if (given === undefined && base === undefined) {
    throw new ModelFormatError(
      `the model keeps tensor data in external file${files.length > 1 ? "s" : ""} ${files.map((f) => `"${f}"`).join(", ")}, ` +
        "which were not given: pass loadModel({ model, externalData: { [location]: bytes } }) or load the model from its URL",
    );
  }
  const cache = new Map<string, Promise<Uint8Array>>();
  const read = (location: string) => {
    let p = cache.get(location);
    if (!p) {
      p = readOne(location, given, base);
      cache.set(location, p);
    }
    return p;
  };
  for (const { tensor, set } of pending) set(readExternalData(tensor, await read(tensor.external!.location)));
}

async function readOne(location: string, given: ExternalData | undefined, base: URL | undefined): Promise<Uint8Array> {
  const what = `external data "${location}"`;
  try {
    if (typeof given === "function") return toBytes(await given(location), what);
    if (given !== undefined) {
      const key = Object.prototype.hasOwnProperty.call(given, location) ? location : location.replace(/^\.\//, "");
      const b = Object.prototype.hasOwnProperty.call(given, key) ? given[key] : undefined;
      if (b === undefined) {
        throw new ModelFormatError(`${what}: not among the given files (${Object.keys(given).map((k) => `"${k}"`).join(", ") || "none"})`);
      }
      return toBytes(b, what);
    }
    // Beside the model: a relative path inside its folder (as the ONNX checker requires).
    if (/^([a-z][a-z0-9+.-]*:|\/|\\)/i.test(location) || location.split(/[\\/]/).includes("..")) {
      throw new ModelFormatError(`${what}: expected a path relative to the model's folder, found an absolute or escaping one`);
    }
    return await fetchBytes(new URL(location, base), what);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${what}: ${e instanceof RnnWasmError || e instanceof Error ? e.message : String(e)}`);
  }
}
