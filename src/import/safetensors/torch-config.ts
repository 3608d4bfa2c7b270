// The JSON that says which PyTorch modules a safetensors state_dict belongs to, in the order
// forward() applies them. Two formats:
//
// "rnn-wasm/torch@1" — PyTorch's own constructor argument names; `name` is the module's
// state_dict prefix ("lstm" → lstm.weight_ih_l0; "" for a bare module's state_dict):
//   { "format": "rnn-wasm/torch@1", "batchFirst": true, "modules": [
//       { "type": "Embedding", "name": "embedding", "num_embeddings": 100, "embedding_dim": 64 },
//       { "type": "LSTM", "name": "lstm", "input_size": 64, "hidden_size": 128, "num_layers": 2,
//         "bidirectional": true, "proj_size": 0, "bias": true },
//       { "type": "last_step" },                       (optional, see below)
//       { "type": "Linear", "name": "fc", "in_features": 256, "out_features": 100, "bias": true },
//       { "type": "LogSoftmax", "dim": -1 } ] }
//   Types: Embedding, LSTM, GRU, RNN (nonlinearity "tanh" | "relu"), Linear, Tanh, ReLU, Sigmoid,
//   Softmax, LogSoftmax (over the last axis), Dropout and Identity (no-ops at inference), and two
//   steps that are expressions in forward(), not modules:
//     "last_step"   y[:, -1] (y[-1] when not batch-first) of a forward-only recurrent module;
//                   with sequence lengths, each row's last valid step.
//     "final_state" the last layer's final hidden state, cat(h_n[-2], h_n[-1]) when
//                   bidirectional (h_n[-1] otherwise), e.g. for a classifier.
//   batchFirst (default: the first recurrent module's batch_first, else false) is the layout of
//   the model's input and output: [B, T, …] or [T, B, …].
//
// "rnn-wasm/char-model@1" — what scripts/train/ writes for the embedded character model
// (models/char-*.json and the safetensors "config" metadata): layers embedding {vocabSize,
// dim}, lstm | gru | rnn {inputSize, hiddenSize, numLayers, bidirectional?, projSize?}, linear
// {inputSize, outputSize}, each with its state_dict `name`; batch-first unless "batchFirst": false.
import { ModelFormatError, UnsupportedError } from "../../errors.js";

export const TORCH_FORMAT = "rnn-wasm/torch@1";
export const CHAR_MODEL_FORMAT = "rnn-wasm/char-model@1";

export interface TorchEmbedding {
  type: "Embedding";
  name: string;
  num_embeddings: number;
  embedding_dim: number;
}

export interface TorchRecurrent {
  type: "LSTM" | "GRU" | "RNN";
  name: string;
  input_size: number;
  hidden_size: number;
  num_layers?: number;
  bidirectional?: boolean;
  bias?: boolean;
  batch_first?: boolean;
  /** LSTM only; 0 = none. */
  proj_size?: number;
  /** RNN only; default "tanh". */
  nonlinearity?: "tanh" | "relu";
}

export interface TorchLinear {
  type: "Linear";
  name: string;
  in_features: number;
  out_features: number;
  bias?: boolean;
}

export interface TorchSoftmax {
  type: "Softmax" | "LogSoftmax";
  dim?: number;
}

export interface TorchPointwise {
  type: "Tanh" | "ReLU" | "Sigmoid" | "Dropout" | "Identity" | "last_step" | "final_state";
  name?: string;
}

export type TorchModuleConfig = TorchEmbedding | TorchRecurrent | TorchLinear | TorchSoftmax | TorchPointwise;

export interface TorchModelConfig {
  format: typeof TORCH_FORMAT;
  batchFirst?: boolean;
  modules: TorchModuleConfig[];
}

const TYPES = new Set(["Embedding", "LSTM", "GRU", "RNN", "Linear", "Softmax", "LogSoftmax", "Tanh", "ReLU", "Sigmoid", "Dropout", "Identity", "last_step", "final_state"]);
const RECURRENT = new Set(["LSTM", "GRU", "RNN"]);

/** Checks a parsed config of either format and returns it as rnn-wasm/torch@1. */
export function normalizeTorchConfig(json: unknown): TorchModelConfig {
  if (!isObject(json)) throw new ModelFormatError(`config: expected a JSON object, found ${kind(json)}`);
  if (json.format === CHAR_MODEL_FORMAT) return fromCharModel(json);
  if (json.format !== TORCH_FORMAT) {
    throw new ModelFormatError(`config: format must be "${TORCH_FORMAT}" or "${CHAR_MODEL_FORMAT}", found ${JSON.stringify(json.format)}`);
  }
  if (!Array.isArray(json.modules) || json.modules.length === 0) throw new ModelFormatError(`config: "modules" must be a non-empty list`);
  const unknown = json.modules.map((m, i) => [i, isObject(m) ? m.type : m] as const).filter(([, t]) => typeof t !== "string" || !TYPES.has(t));
  if (unknown.length) {
    throw new UnsupportedError(
      `config: unknown module type${unknown.length > 1 ? "s" : ""} ${unknown.map(([i, t]) => `modules[${i}] ${JSON.stringify(t)}`).join(", ")}; ` +
        `supported are ${[...TYPES].join(", ")}`,
    );
  }
  const modules = json.modules as TorchModuleConfig[];
  modules.forEach((m, i) => checkModule(m, `config: modules[${i}] (${m.type})`));
  if (json.batchFirst !== undefined && typeof json.batchFirst !== "boolean") throw new ModelFormatError(`config: batchFirst must be true or false`);
  const firstRecurrent = modules.find((m): m is TorchRecurrent => RECURRENT.has(m.type));
  return { format: TORCH_FORMAT, batchFirst: (json.batchFirst as boolean | undefined) ?? firstRecurrent?.batch_first ?? false, modules };
}

function checkModule(m: TorchModuleConfig, where: string): void {
  const need = (key: string, test: (v: unknown) => boolean, what: string, optional = false) => {
    const v = (m as unknown as Record<string, unknown>)[key];
    if ((v === undefined && !optional) || (v !== undefined && !test(v))) {
      throw new ModelFormatError(`${where}: ${key} must be ${what}, found ${v === undefined ? "nothing" : JSON.stringify(v)}`);
    }
  };
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const bool = (v: unknown) => typeof v === "boolean";
  switch (m.type) {
    case "Embedding":
      need("name", (v) => typeof v === "string", "the state_dict prefix (a string)");
      need("num_embeddings", positive, "a positive integer");
      need("embedding_dim", positive, "a positive integer");
      return;
    case "LSTM":
    case "GRU":
    case "RNN":
      need("name", (v) => typeof v === "string", "the state_dict prefix (a string)");
      need("input_size", positive, "a positive integer");
      need("hidden_size", positive, "a positive integer");
      need("num_layers", positive, "a positive integer", true);
      need("bidirectional", bool, "true or false", true);
      need("bias", bool, "true or false", true);
      need("batch_first", bool, "true or false", true);
      need("proj_size", (v) => Number.isInteger(v) && (v as number) >= 0, "a non-negative integer", true);
      need("nonlinearity", (v) => v === "tanh" || v === "relu", `"tanh" or "relu"`, true);
      return;
    case "Linear":
      need("name", (v) => typeof v === "string", "the state_dict prefix (a string)");
      need("in_features", positive, "a positive integer");
      need("out_features", positive, "a positive integer");
      need("bias", bool, "true or false", true);
      return;
    case "Softmax":
    case "LogSoftmax":
      need("dim", Number.isInteger, "an integer (the last axis)", true);
  }
}

function fromCharModel(json: Record<string, unknown>): TorchModelConfig {
  const layers = json.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelFormatError(`config (${CHAR_MODEL_FORMAT}): "layers" must be a non-empty list`);
  const modules = layers.map((l, i): TorchModuleConfig => {
    const where = `config (${CHAR_MODEL_FORMAT}): layers[${i}]`;
    if (!isObject(l)) throw new ModelFormatError(`${where}: expected an object, found ${kind(l)}`);
    const name = l.name ?? "";
    switch (l.type) {
      case "embedding":
        return { type: "Embedding", name, num_embeddings: l.vocabSize, embedding_dim: l.dim } as TorchEmbedding;
      case "lstm":
      case "gru":
      case "rnn":
        return {
          type: (l.type as string).toUpperCase(), name, input_size: l.inputSize, hidden_size: l.hiddenSize, num_layers: l.numLayers,
          bidirectional: l.bidirectional, proj_size: l.projSize, nonlinearity: l.nonlinearity, bias: l.bias,
        } as TorchRecurrent;
      case "linear":
        return { type: "Linear", name, in_features: l.inputSize, out_features: l.outputSize, bias: l.bias } as TorchLinear;
      default:
        throw new UnsupportedError(`${where}: unknown layer type ${JSON.stringify(l.type)}; ${CHAR_MODEL_FORMAT} has embedding, lstm, gru, rnn and linear`);
    }
  });
  return normalizeTorchConfig({ format: TORCH_FORMAT, batchFirst: json.batchFirst ?? true, modules });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v;
}
