// rnn-wasm: recurrent neural network inference (LSTM, GRU, RNN) in WebAssembly SIMD.
// The public API. Importers for model files are separate entry points (rnn-wasm/onnx, …).
export { createRuntime, Runtime, type RuntimeOptions } from "./runtime/runtime.js";
export type { WasmSource, SimdOption } from "./runtime/module-source.js";
export type { KernelBuild } from "./runtime/features.js";
export { tensor, type Tensor } from "./tensor.js";
export {
  RnnWasmError, ShapeError, ModelFormatError, UnsupportedError, ResourceLimitError, InvalidArgumentError,
  DisposedError, RuntimeFailureError, type RnnWasmErrorCode,
} from "./errors.js";
export type { ActivationInput, ActivationName } from "./layers/activations.js";
export type { CellType, Direction, RecurrentLayerSpec } from "./layers/spec.js";
export { createLayer, RecurrentLayer, type RecurrentOutputs, type RunOptions } from "./layers/recurrent-layer.js";
export type { LayerStream, StreamOptions, StreamState } from "./layers/stream.js";
export { fromPyTorch, type TorchRecurrentConfig, type TorchTensor } from "./layers/torch-weights.js";
export { fromKeras, type KerasRecurrentWeights } from "./layers/keras-weights.js";
export type {
  ModelConfig, StageConfig, EmbeddingConfig, MaskingConfig, RecurrentConfig, DenseConfig, ActivationConfig, SoftmaxConfig,
} from "./model/config.js";
export { createModel, Model, type ModelRunOptions, type ModelOutputs, type LayerState } from "./model/model.js";
export type { RnnModel, ModelInfo, LayerInfo, IOInfo, Feeds, StepStream, TokenTensor } from "./model/rnn-model.js";
export type { ModelStream, ModelStreamOptions, StreamLayerState } from "./model/model-stream.js";
export { generate, generateText, encodeText, type CharModel, type GenerateOptions } from "./model/generate.js";
export { sampleIndex, seededRandom, type SamplingOptions } from "./model/sampling.js";
