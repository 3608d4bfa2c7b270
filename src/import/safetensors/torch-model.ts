// A PyTorch module sequence (torch-config.ts) plus its state_dict tensors → the core model
// config: Embedding → embedding stage, LSTM/GRU/RNN → one recurrent stage per layer through
// fromPyTorch (gate orders, proj_size), Linear → dense, Tanh/ReLU/Sigmoid → activation,
// (Log)Softmax → softmax, last_step/final_state → the last layer's returnSequences: false.
import { ModelFormatError, RnnWasmError, ShapeError, UnsupportedError } from "../../errors.js";
import { fromPyTorch, type TorchTensor } from "../../layers/torch-weights.js";
import type { ModelConfig, RecurrentConfig, StageConfig } from "../../model/config.js";
import type { TorchModelConfig, TorchRecurrent } from "./torch-config.js";

/** Where the tensors come from: name → float32 data and dims, undefined when absent. */
export interface TensorLookup {
  get(name: string): { data: Float32Array; dims: number[] } | undefined;
  names(): Iterable<string>;
}

export interface BuiltTorchModel {
  config: ModelConfig;
  /** Per stage of config.layers, the module it came from ("lstm", "lstm[1]" for layer 1, …). */
  stageNames: string[];
}

const ACTIVATIONS = { Tanh: "Tanh", ReLU: "Relu", Sigmoid: "Sigmoid" } as const;

export function buildTorchModel(config: TorchModelConfig, tensors: TensorLookup): BuiltTorchModel {
  const layers: StageConfig[] = [];
  const stageNames: string[] = [];
  let features: number | undefined; // per-step features of the current output
  let sequence = true; // whether a time axis is left
  let lastRecurrent: { module: TorchRecurrent; stage: RecurrentConfig; name: string } | undefined;
  let afterRecurrent = false; // only no-ops since the last recurrent module
  const add = (stage: StageConfig, name: string) => {
    layers.push(stage);
    stageNames.push(name);
  };
  for (const [i, m] of config.modules.entries()) {
    const label = "name" in m && m.name ? m.name : `modules[${i}]`;
    const where = `module ${label} (${m.type})`;
    const prefix = "name" in m && m.name ? `${m.name}.` : "";
    const chain = (inputSize: number, key: string) => {
      if (features === undefined) {
        if (m.type === "Linear") throw new UnsupportedError(`${where}: the model must start with an Embedding or a recurrent module, found Linear`);
      } else if (features !== inputSize) {
        throw new ShapeError(`${where}: ${key} ${inputSize} must equal the previous module's output size ${features}`);
      }
    };
    const noop = m.type === "Dropout" || m.type === "Identity";
    switch (m.type) {
      case "Embedding": {
        if (i !== 0) throw new UnsupportedError(`${where}: an Embedding must be the first module`);
        const weight = tensor(tensors, `${prefix}weight`, [m.num_embeddings, m.embedding_dim], "[num_embeddings, embedding_dim]");
        add({ type: "embedding", vocabSize: m.num_embeddings, dim: m.embedding_dim, weight }, label);
        features = m.embedding_dim;
        break;
      }
      case "LSTM":
      case "GRU":
      case "RNN": {
        if (!sequence) throw new UnsupportedError(`${where}: follows last_step / final_state, so there is no sequence left`);
        chain(m.input_size, "input_size");
        const specs = withContext(where, prefix, () =>
          fromPyTorch(
            {
              module: m.type, inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bias: m.bias,
              bidirectional: m.bidirectional, nonlinearity: m.nonlinearity, projSize: m.proj_size,
            },
            stateDict(tensors, prefix),
          ),
        );
        specs.forEach((s, k) => {
          const stage: RecurrentConfig = { type: "recurrent", ...s };
          add(stage, specs.length > 1 ? `${label}[${k}]` : label);
          lastRecurrent = { module: m, stage, name: label };
        });
        features = (m.bidirectional ? 2 : 1) * (m.proj_size || m.hidden_size);
        break;
      }
      case "last_step":
      case "final_state": {
        if (!lastRecurrent || !afterRecurrent || !sequence) throw new UnsupportedError(`${where}: must directly follow a recurrent module (Dropout between is fine)`);
        if (m.type === "last_step" && lastRecurrent.module.bidirectional) {
          throw new UnsupportedError(
            `${where}: y[:, -1] of the bidirectional ${lastRecurrent.name} holds the reverse direction after a single step, which rnn-wasm does not compute; ` +
              `use "final_state" (cat(h_n[-2], h_n[-1])) or a forward module`,
          );
        }
        lastRecurrent.stage.returnSequences = false;
        sequence = false;
        break;
      }
      case "Linear": {
        chain(m.in_features, "in_features");
        const weight = tensor(tensors, `${prefix}weight`, [m.out_features, m.in_features], "[out_features, in_features]");
        const bias = m.bias === false ? undefined : tensor(tensors, `${prefix}bias`, [m.out_features], "[out_features]");
        add({ type: "dense", inputSize: m.in_features, outputSize: m.out_features, weight, bias }, label);
        features = m.out_features;
        break;
      }
      case "Tanh":
      case "ReLU":
      case "Sigmoid":
        needInput(where, features);
        add({ type: "activation", activation: ACTIVATIONS[m.type] }, label);
        break;
      case "Softmax":
      case "LogSoftmax": {
        needInput(where, features);
        const last = sequence ? 2 : 1;
        if (m.dim !== undefined && m.dim !== -1 && m.dim !== last) {
          throw new UnsupportedError(`${where}: dim ${m.dim}: only the feature axis (-1 or ${last}) is supported`);
        }
        add({ type: m.type === "Softmax" ? "softmax" : "logSoftmax" }, label);
        break;
      }
      case "Dropout":
      case "Identity":
        break;
    }
    if (RECURRENT_TYPES.has(m.type)) afterRecurrent = true;
    else if (!noop) afterRecurrent = false;
  }
  if (!lastRecurrent) throw new UnsupportedError(`config: the model has no recurrent module (LSTM, GRU or RNN)`);
  return { config: { layers, batchFirst: !!config.batchFirst }, stageNames };
}

const RECURRENT_TYPES = new Set(["LSTM", "GRU", "RNN"]);

function needInput(where: string, features: number | undefined): void {
  if (features === undefined) throw new UnsupportedError(`${where}: the model must start with an Embedding or a recurrent module`);
}

/** A named tensor with the given dims: ModelFormatError when missing, ShapeError when different. */
function tensor(tensors: TensorLookup, name: string, dims: number[], formula: string): Float32Array {
  const t = tensors.get(name);
  if (!t) throw new ModelFormatError(`missing weight ${name} (expected shape [${dims}] = ${formula})`);
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    throw new ShapeError(`weight ${name}: expected shape [${dims}] = ${formula}, found [${t.dims}]`);
  }
  return t.data;
}

/** The module's own parameters (prefix stripped), for fromPyTorch; decoded on access. */
function stateDict(tensors: TensorLookup, prefix: string): Record<string, TorchTensor> {
  const dict: Record<string, TorchTensor> = {};
  for (const name of tensors.names()) {
    const key = name.slice(prefix.length);
    if (name.startsWith(prefix) && !key.includes(".")) {
      Object.defineProperty(dict, key, { enumerable: true, get: () => tensors.get(name) });
    }
  }
  return dict;
}

/**
 * Runs fromPyTorch; an rnn-wasm error it throws is rethrown as the same class, saying which
 * module it is about and giving the tensor's full name (fromPyTorch sees names without prefix).
 */
function withContext<T>(where: string, prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof RnnWasmError)) throw e;
    const E = e.constructor as new (message: string) => RnnWasmError;
    const message = e.message
      .replace(/^state_dict: missing (\S+)/, (_, n: string) => `missing weight ${prefix}${n}`)
      .replace(/^state_dict (\S+):/, (_, n: string) => `weight ${prefix}${n}:`);
    throw new E(`${where}: ${message}`);
  }
}
