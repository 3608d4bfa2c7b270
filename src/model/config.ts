// The typed configuration of a sequential model:
//   [Embedding | Masking] → recurrent layers (stacked, any direction) → [Dense | Activation …]
//   → [Softmax | LogSoftmax]
// Every stage reads the previous stage's per-step features; the model checks that sizes chain.
// Masks follow Keras: Embedding(maskZero) or Masking create one; recurrent layers with
// returnSequences, Dense and Activation pass it on; returnSequences: false consumes it.
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { type ActivationInput, normalizeActivation } from "../layers/activations.js";
import type { RecurrentLayerSpec } from "../layers/spec.js";

export interface EmbeddingConfig {
  type: "embedding";
  vocabSize: number;
  dim: number;
  /** [vocabSize, dim] row-major (PyTorch nn.Embedding.weight, Keras embeddings). */
  weight: Float32Array;
  /** Keras mask_zero: token id 0 masks its step. */
  maskZero?: boolean;
}

/** Keras Masking: a step whose features all equal maskValue (default 0) is masked and zeroed. */
export interface MaskingConfig {
  type: "masking";
  maskValue?: number;
}

/** A pointwise activation on every feature (Keras Activation layer). */
export interface ActivationConfig {
  type: "activation";
  activation: ActivationInput;
}

export interface RecurrentConfig extends Omit<RecurrentLayerSpec, "layout"> {
  type: "recurrent";
  /** false: only each row's final output goes on (Keras return_sequences = false). Default true. */
  returnSequences?: boolean;
  /** Bidirectional: how the directions combine per step. Default "concat" (forward ‖ reverse). */
  merge?: "concat" | "sum" | "mul" | "ave";
  /** Keras go_backwards (needs direction "reverse"): outputs come out in reversed time order. */
  goBackwards?: boolean;
  /** Output at masked steps: the previous output (Keras RNN) or zero (inside Keras Bidirectional). */
  maskedOutput?: "previous" | "zero";
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

/** Keeps only the last time step, t = T − 1, of every row (PyTorch y[:, -1]); ends the sequence. */
export interface LastStepConfig {
  type: "lastStep";
}

export type StageConfig = (
  | EmbeddingConfig | MaskingConfig | RecurrentConfig | DenseConfig | ActivationConfig | SoftmaxConfig | LastStepConfig
) & {
  /** A name for info() (e.g. the layer's name in the source framework). */
  name?: string;
};

export interface ModelConfig {
  layers: StageConfig[];
  /** Inputs and outputs are [B, T, …] instead of [T, B, …]. Default false. */
  batchFirst?: boolean;
  /** Where the model came from, reported by info() (default "rnn-wasm"). */
  format?: string;
}

/** Checks the stage sequence and that feature sizes chain. */
export function validateModelConfig(config: ModelConfig): void {
  if (!config || !Array.isArray(config.layers) || config.layers.length === 0) {
    throw new InvalidArgumentError(`model: expected { layers: [...] } with at least one layer, found ${JSON.stringify(config?.layers)}`);
  }
  const first = config.layers.findIndex((l) => l?.type !== "embedding" && l?.type !== "masking");
  if (config.layers[first]?.type !== "recurrent" && config.layers[first]?.type !== "dense") {
    throw new InvalidArgumentError(`layers[${first}]: the first layer after the input (embedding, masking) must be recurrent or dense, found ${config.layers[first]?.type}`);
  }
  const firstRecurrent = config.layers.findIndex((l) => l?.type === "recurrent");
  if (firstRecurrent < 0) throw new InvalidArgumentError("model: expected at least one recurrent layer");
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
      case "masking":
        if (i > firstRecurrent || i > first) throw new InvalidArgumentError(`${where}: masking must come first (after an embedding at most)`);
        if (l.maskValue !== undefined && typeof l.maskValue !== "number") throw new InvalidArgumentError(`${where}: maskValue must be a number`);
        break;
      case "recurrent": {
        if (!sequence) throw new InvalidArgumentError(`${where}: follows a layer with returnSequences false, so there is no sequence left`);
        chain(where, features, l.inputSize);
        const bi = l.direction === "bidirectional";
        if (l.merge !== undefined && !["concat", "sum", "mul", "ave"].includes(l.merge)) throw new InvalidArgumentError(`${where}: merge must be concat, sum, mul or ave, found ${JSON.stringify(l.merge)}`);
        if (l.merge !== undefined && l.merge !== "concat" && !bi) throw new InvalidArgumentError(`${where}: merge ${l.merge} needs a bidirectional layer`);
        if (l.goBackwards && l.direction !== "reverse") throw new InvalidArgumentError(`${where}: goBackwards needs direction "reverse", found ${JSON.stringify(l.direction ?? "forward")}`);
        features = (bi && (l.merge ?? "concat") === "concat" ? 2 : 1) * (l.projSize || l.hiddenSize);
        if (l.returnSequences === false) sequence = false;
        break;
      }
      case "activation":
        if (features === undefined) throw new InvalidArgumentError(`${where}: needs a layer before it`);
        normalizeActivation(l.activation);
        break;
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
      case "lastStep":
        if (!sequence) throw new InvalidArgumentError(`${where}: there is no sequence left to take the last step of`);
        sequence = false;
        break;
      default:
        throw new InvalidArgumentError(`${where}: expected type embedding, masking, recurrent, dense, activation, softmax, logSoftmax or lastStep`);
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
