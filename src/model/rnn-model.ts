// What every loaded model offers — a core sequential Model, or a graph an importer built —
// so that callers and tools (the CLI, the demo) treat them alike: describe, run on named
// inputs, stream one step at a time, dispose.
import type { Tensor } from "../tensor.js";

/** Token ids (for models that start with an embedding): data holds integers. */
export interface TokenTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}

export interface IOInfo {
  name: string;
  /** "tokens": integer ids; "features": float32 values. */
  kind: "tokens" | "features";
  /** Sizes, with names for the free ones ("T", "B"). */
  dims: (number | string)[];
}

export interface LayerInfo {
  name: string;
  /** e.g. "LSTM", "Dense", "Gather" */
  type: string;
  /** Human-readable sizes and options, e.g. "bidirectional, I=64, H=128". */
  detail: string;
  parameters: number;
  /** Bytes of linear memory its packed weights hold. */
  bytes: number;
  /** The WebAssembly kernels it runs (empty for host-side work). */
  kernels: string[];
}

export interface ModelInfo {
  /** Where the model came from: "rnn-wasm", "onnx", "safetensors", "keras", … */
  format: string;
  inputs: IOInfo[];
  outputs: IOInfo[];
  layers: LayerInfo[];
  parameters: number;
  bytes: number;
  /** Whether stream() works (every recurrent layer runs forward). */
  streamable: boolean;
}

export type Feeds = Record<string, Tensor | TokenTensor>;

/** One time step per call, state kept between calls. */
export interface StepStream {
  readonly batchSize: number;
  /** One step's input (B token ids or B × features values) → [B × outputs], a reused view. */
  step(input: ArrayLike<number>): Float32Array;
  reset(): void;
  dispose(): void;
}

export interface RnnModel {
  info(): ModelInfo;
  /** Runs on the named inputs of info().inputs; returns every named output. */
  runNamed(feeds: Feeds, options?: { sequenceLens?: ArrayLike<number> }): Promise<Record<string, Tensor>>;
  /** Throws UnsupportedError when the model cannot stream (see info().streamable). */
  stream(options?: { batchSize?: number }): StepStream;
  dispose(): void;
}
