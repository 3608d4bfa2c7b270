// The typed configuration of a sequential model:
//   [Embedding] → recurrent layers (stacked, any direction) → [Dense …] → [Softmax | LogSoftmax]
// Every stage reads the previous stage's per-step features; the model checks that sizes chain.
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { ActivationInput } from "../layers/activations.js";
import type { RecurrentLayerSpec } from "../layers/spec.js";

export interface EmbeddingConfig {
  type: "embedding";
  vocabSize: number;
  dim: number;
  /** [vocabSize, dim] row-major (PyTorch nn.Embedding.weight, Keras embeddings). */
  weight: Float32Array;
}

export interface RecurrentConfig extends Omit<RecurrentLayerSpec, "layout"> {
  type: "recurrent";
  /** false: only each row's final state goes on (Keras return_sequences = false). Default true. */
  returnSequences?: boolean;
}

export interface DenseConfig {
  type: "dense";
  inputSize: number;
  outputSize: number;
  /** [outputSize, inputSize] row-major (PyTorch nn.Linear.weight; transpose a Keras kernel). */
  weight: Float32Array;
  bias?: Float32Array;
  activation?: ActivationInput;
}

export interface SoftmaxConfig {
  type: "softmax" | "logSoftmax";
}

export type StageConfig = EmbeddingConfig | RecurrentConfig | DenseConfig | SoftmaxConfig;

export interface ModelConfig {
  layers: StageConfig[];
  /** Inputs and outputs are [B, T, …] instead of [T, B, …]. Default false. */
  batchFirst?: boolean;
}

/** Checks the stage sequence and that feature sizes chain. */
export function validateModelConfig(config: ModelConfig): void {
  if (!config || !Array.isArray(config.layers) || config.layers.length === 0) {
    throw new InvalidArgumentError(`model: expected { layers: [...] } with at least one layer, found ${JSON.stringify(config?.layers)}`);
  }
  const first = config.layers.findIndex((l) => l?.type !== "embedding");
  if (config.layers[first]?.type !== "recurrent") {
    throw new InvalidArgumentError(`layers[${first}]: the first layer after the input (or embedding) must be recurrent, found ${config.layers[first]?.type}`);
  }
  let features: number | undefined;
  let sequence = true;
  config.layers.forEach((l, i) => {
    const where = `layers[${i}] (${l?.type})`;
    switch (l?.type) {
      case "embedding":
        if (i !== 0) throw new InvalidArgumentError(`${where}: an embedding must be the first layer`);
        checkPositive(where, "vocabSize", l.vocabSize);
        checkPositive(where, "dim", l.dim);
        checkFloats(where, "weight", l.weight, l.vocabSize * l.dim, `[vocabSize ${l.vocabSize}, dim ${l.dim}]`);
        features = l.dim;
        break;
      case "recurrent": {
        if (!sequence) throw new InvalidArgumentError(`${where}: follows a layer with returnSequences false, so there is no sequence left`);
        chain(where, features, l.inputSize);
        features = (l.direction === "bidirectional" ? 2 : 1) * (l.projSize || l.hiddenSize);
        if (l.returnSequences === false) sequence = false;
        break;
      }
      case "dense":
        chain(where, features, l.inputSize);
        checkPositive(where, "outputSize", l.outputSize);
        checkFloats(where, "weight", l.weight, l.outputSize * l.inputSize, `[outputSize ${l.outputSize}, inputSize ${l.inputSize}]`);
        if (l.bias !== undefined) checkFloats(where, "bias", l.bias, l.outputSize, `[outputSize ${l.outputSize}]`);
        features = l.outputSize;
        break;
      case "softmax":
      case "logSoftmax":
        if (features === undefined) throw new InvalidArgumentError(`${where}: needs a layer before it`);
        break;
      default:
        throw new InvalidArgumentError(`${where}: expected type embedding, recurrent, dense, softmax or logSoftmax`);
    }
  });
}

function chain(where: string, features: number | undefined, inputSize: number): void {
  checkPositive(where, "inputSize", inputSize);
  if (features !== undefined && features !== inputSize) {
    throw new ShapeError(`${where}: inputSize must equal the previous layer's output size ${features}, found ${inputSize}`);
  }
}

function checkPositive(where: string, name: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${where}: ${name} must be a positive integer, found ${String(v)}`);
}

function checkFloats(where: string, name: string, v: unknown, n: number, shape: string): void {
  if (!(v instanceof Float32Array) || v.length !== n) {
    throw new ShapeError(`${where}: ${name} must be a Float32Array of shape ${shape} = ${n} floats, found ${v instanceof Float32Array ? v.length : typeof v}`);
  }
}
