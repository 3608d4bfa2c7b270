// rnn-wasm/onnx: loads an ONNX model (torch.onnx.export, tf2onnx, onnx.helper) for the
// WebAssembly kernels. LSTM / GRU / RNN nodes and MatMul / Gemm with constant weights run in
// the kernels; the graph around them (embeddings, shape arithmetic, elementwise ops, softmax)
// runs in a small executor. A separate entry point, so the core bundle carries none of it.
//
//   const model = await loadModel(bytes);                 // or a URL, or { model, externalData }
//   const { y } = await model.runNamed({ x: { data, dims: [B, T, 5] } });
import { type Runtime, defaultRuntime } from "../../runtime/runtime.js";
import { OnnxGraphModel } from "./graph-model.js";
import { type OnnxSource, readModel } from "./load.js";
import { buildPlan } from "./plan.js";

export { OnnxGraphModel, type GraphRunOptions } from "./graph-model.js";
export type { GraphStream, GraphStreamOptions } from "./graph-stream.js";
export type { ExternalData, OnnxSource } from "./load.js";
export { MAX_OPSET, MIN_OPSET, SUPPORTED_OPS } from "./ops/registry.js";
export {
  RnnWasmError, ShapeError, ModelFormatError, UnsupportedError, ResourceLimitError, InvalidArgumentError, DisposedError,
  RuntimeFailureError, type RnnWasmErrorCode,
} from "../../errors.js";
export type { RnnModel, ModelInfo, LayerInfo, IOInfo, Feeds, StepStream, TokenTensor } from "../../model/rnn-model.js";
export type { Tensor } from "../../tensor.js";

export interface LoadOptions {
  /** The runtime whose memory holds the packed weights (default: the shared runtime). */
  runtime?: Runtime;
}

/**
 * Loads an ONNX model: bytes (Uint8Array / ArrayBuffer), a URL (string or URL; file: URLs in
 * Node and Deno), or { model, externalData } when tensors are stored in separate files
 * (externalData: files by location, or a function that reads one). Fails at load with
 * ModelFormatError (not ONNX, truncated, a dangling input, a missing external file),
 * UnsupportedError (listing every unsupported op, or an opset outside 7–22) or ShapeError
 * (weights whose dims contradict the node).
 */
export async function loadModel(source: OnnxSource, options: LoadOptions = {}): Promise<OnnxGraphModel> {
  const model = await readModel(source);
  const runtime = options.runtime ?? (await defaultRuntime());
  return new OnnxGraphModel(buildPlan(model, runtime));
}
