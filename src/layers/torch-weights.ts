// PyTorch nn.LSTM / nn.GRU / nn.RNN state_dicts → ONNX-layout layer specs (one per layer k).
//   LSTM gates i f g o → ONNX i o f c: blocks [0, 3, 1, 2]
//   GRU  gates r z n   → ONNX z r h:   blocks [1, 0, 2], b_hn inside r⊙(…) ⇒ linear_before_reset
//   RNN  as is, tanh or relu.  B = b_ih ‖ b_hh (same block order).
// Names as PyTorch writes them: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k},
// with a _reverse suffix for the second direction; layers k > 0 take dirs·H inputs (dirs·P with
// proj_size P, whose weight_hr_l{k} [P, H] becomes the layer's projection).
import { InvalidArgumentError, ModelFormatError, ShapeError, UnsupportedError } from "../errors.js";
import type { ActivationInput } from "./activations.js";
import type { CellType, RecurrentLayerSpec } from "./spec.js";

export interface TorchRecurrentConfig {
  module: "LSTM" | "GRU" | "RNN";
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  bidirectional?: boolean;
  /** RNN only (default "tanh"). */
  nonlinearity?: "tanh" | "relu";
  /** LSTM projection size (proj_size); 0 = none. */
  projSize?: number;
}

/** A state_dict entry: a Float32Array or { data, dims } (dims are checked when given). */
export type TorchTensor = Float32Array | { data: Float32Array; dims?: readonly number[] };

const BLOCKS: Record<TorchRecurrentConfig["module"], number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };
const CELLS: Record<TorchRecurrentConfig["module"], CellType> = { LSTM: "lstm", GRU: "gru", RNN: "rnn" };

/** Reorders the H-row blocks of a [blocks·H × K] matrix (or a [blocks·H] vector when K = 1). */
export function reorderBlocks(src: Float32Array, H: number, K: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * H * K);
  order.forEach((from, to) => out.set(src.subarray(from * H * K, (from + 1) * H * K), to * H * K));
  return out;
}

export function fromPyTorch(config: TorchRecurrentConfig, stateDict: Record<string, TorchTensor>): RecurrentLayerSpec[] {
  const { module, inputSize, hiddenSize: H } = config;
  if (!(module in BLOCKS)) throw new InvalidArgumentError(`module: expected "LSTM", "GRU" or "RNN", found ${JSON.stringify(module)}`);
  const P = config.projSize ?? 0;
  if (P && module !== "LSTM") throw new UnsupportedError(`proj_size ${P}: PyTorch has projections for LSTM only, found ${module}`);
  const S = P || H;
  const layers = config.numLayers ?? 1;
  const dirs = config.bidirectional ? 2 : 1;
  const order = BLOCKS[module];
  const G = order.length;
  const specs: RecurrentLayerSpec[] = [];
  for (let k = 0; k < layers; k++) {
    const I = k === 0 ? inputSize : dirs * S;
    const W = new Float32Array(dirs * G * H * I);
    const R = new Float32Array(dirs * G * H * S);
    const projection = P ? new Float32Array(dirs * P * H) : undefined;
    const B = config.bias === false ? undefined : new Float32Array(dirs * 2 * G * H);
    for (let d = 0; d < dirs; d++) {
      const sfx = `_l${k}${d === 1 ? "_reverse" : ""}`;
      W.set(reorderBlocks(get(stateDict, `weight_ih${sfx}`, [G * H, I]), H, I, order), d * G * H * I);
      R.set(reorderBlocks(get(stateDict, `weight_hh${sfx}`, [G * H, S]), H, S, order), d * G * H * S);
      if (projection) projection.set(get(stateDict, `weight_hr${sfx}`, [P, H]), d * P * H);
      if (B) {
        B.set(reorderBlocks(get(stateDict, `bias_ih${sfx}`, [G * H]), H, 1, order), d * 2 * G * H);
        B.set(reorderBlocks(get(stateDict, `bias_hh${sfx}`, [G * H]), H, 1, order), d * 2 * G * H + G * H);
      }
    }
    const activations: ActivationInput[] | undefined =
      module === "RNN" ? [config.nonlinearity === "relu" ? "Relu" : "Tanh"] : undefined;
    specs.push({
      cell: CELLS[module], inputSize: I, hiddenSize: H, direction: dirs === 2 ? "bidirectional" : "forward",
      W, R, B, activations, linearBeforeReset: module === "GRU" ? true : undefined,
      ...(P ? { projSize: P, projection } : {}),
    });
  }
  return specs;
}

function get(dict: Record<string, TorchTensor>, name: string, dims: number[]): Float32Array {
  const t = dict[name];
  if (t === undefined) throw new ModelFormatError(`state_dict: missing ${name} (expected shape [${dims}])`);
  const data = t instanceof Float32Array ? t : t.data;
  const given = t instanceof Float32Array ? undefined : t.dims;
  const n = dims.reduce((a, b) => a * b, 1);
  if (!(data instanceof Float32Array) || data.length !== n || (given && given.join() !== dims.join())) {
    throw new ShapeError(`state_dict ${name}: expected shape [${dims}], found ${given ? `[${given}]` : `${data?.length} values`}`);
  }
  return data;
}
