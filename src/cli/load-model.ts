// Opens a model file for the CLI by what it is: ONNX (.onnx, or protobuf bytes), PyTorch
// safetensors (.safetensors with its config in the metadata or in a .json beside it), a TF.js
// layers model (model.json + shards), or an rnn-wasm char-model .json next to its .safetensors.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { InvalidArgumentError, ModelFormatError } from "../errors.js";
import { loadModel as loadKeras } from "../import/keras/index.js";
import { loadModel as loadOnnx } from "../import/onnx/index.js";
import { loadModel as loadSafetensors, type SafetensorsModel } from "../import/safetensors/index.js";
import type { CharModel } from "../model/generate.js";
import type { RnnModel } from "../model/rnn-model.js";
import type { Runtime } from "../runtime/runtime.js";

export interface LoadedFile {
  model: RnnModel;
  format: "onnx" | "safetensors" | "keras";
  /** Present when the model is a character model with a vocabulary (can generate text). */
  charModel?: CharModel;
}

export async function loadModelFile(path: string, runtime: Runtime): Promise<LoadedFile> {
  const file = resolve(path);
  if (!existsSync(file)) throw new InvalidArgumentError(`model file not found: ${path}`);
  const ext = extname(file).toLowerCase();
  if (ext === ".safetensors") return safetensors(file, undefined, runtime);
  if (ext === ".json") {
    const json = parse(await readFile(file, "utf8"), path);
    if (typeof json.format === "string" && json.format.startsWith("rnn-wasm/")) {
      const weights = file.replace(/\.json$/i, ".safetensors");
      if (!existsSync(weights)) throw new InvalidArgumentError(`${path}: its weights ${basename(weights)} are not beside it`);
      return safetensors(weights, json, runtime);
    }
    if ("modelTopology" in json || "weightsManifest" in json) {
      const dir = dirname(file);
      const model = await loadKeras({ modelJson: json, weights: (p: string) => readFile(join(dir, p)) }, { runtime });
      return { model, format: "keras" };
    }
    throw new ModelFormatError(`${path}: a JSON file that is neither a TF.js model.json nor an rnn-wasm config`);
  }
  const bytes = new Uint8Array(await readFile(file));
  if (ext === ".onnx" || ext === ".pb" || looksLikeOnnx(bytes)) {
    const dir = dirname(file);
    const model = await loadOnnx({ model: bytes, externalData: (location: string) => readFile(join(dir, location)) }, { runtime });
    return { model, format: "onnx" };
  }
  throw new ModelFormatError(`${path}: unknown model format (expected .onnx, .safetensors, a TF.js model.json or an rnn-wasm .json)`);
}

async function safetensors(file: string, config: Record<string, unknown> | undefined, runtime: Runtime): Promise<LoadedFile> {
  const beside = file.replace(/\.safetensors$/i, ".json");
  if (!config && existsSync(beside)) config = parse(readFileSync(beside, "utf8"), beside);
  const model: SafetensorsModel = await loadSafetensors({ safetensors: new Uint8Array(await readFile(file)), config }, { runtime });
  const vocab = model.sourceConfig.vocab;
  return { model, format: "safetensors", charModel: typeof vocab === "string" ? { model, vocab } : undefined };
}

function parse(text: string, path: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ModelFormatError(`${path}: not a JSON object`);
}

/** An ONNX ModelProto starts with field 1 (ir_version, varint): byte 0x08. */
function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x08;
}
