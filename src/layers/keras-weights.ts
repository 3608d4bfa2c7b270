// Keras / TensorFlow.js LSTM, GRU and SimpleRNN weights → an ONNX-layout layer spec.
//   kernel [I, G·H] and recurrent_kernel [H, G·H] are transposed to W [G·H, I], R [G·H, H].
//   LSTM gates i f c o → ONNX i o f c: blocks [0, 3, 1, 2]; bias → Wb, Rb = 0.
//   GRU gates z r h (as ONNX). reset_after = true (the Keras default): bias [2, 3H] = input ‖
//   recurrent bias and linear_before_reset = 1; reset_after = false: bias [3H], lbr = 0.
// recurrent_activation → f; activation → g (and h for LSTM). See SEMANTICS.md.
import { InvalidArgumentError, ShapeError, UnsupportedError } from "../errors.js";
import type { ActivationInput } from "./activations.js";
import type { RecurrentLayerSpec } from "./spec.js";
import { reorderBlocks } from "./torch-weights.js";

export interface KerasRecurrentWeights {
  cell: "LSTM" | "GRU" | "SimpleRNN";
  units: number;
  /** [inputSize, G·units], row-major as Keras stores it. */
  kernel: Float32Array;
  /** [units, G·units] */
  recurrentKernel: Float32Array;
  /** [G·units]; GRU with resetAfter: [2, 3·units]. Absent when use_bias is false. */
  bias?: Float32Array;
  /** Default "tanh". */
  activation?: string;
  /** Default "sigmoid" (Keras 3). TF.js layers default to "hard_sigmoid": pass what the config says. */
  recurrentActivation?: string;
  /** GRU only; default true (the Keras default). */
  resetAfter?: boolean;
  /**
   * Which "hard_sigmoid": "tfjs" = clip(0.2x + 0.5, 0, 1) (TF.js, tf.keras ≤ 2.15) or
   * "keras3" = clip(x/6 + 0.5, 0, 1). Required when an activation is hard_sigmoid.
   */
  hardSigmoid?: "tfjs" | "keras3";
}

const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], SimpleRNN: [0] } as const;

export function kerasActivation(name: string, hardSigmoid?: "tfjs" | "keras3"): ActivationInput {
  switch (name) {
    case "sigmoid": return "Sigmoid";
    case "tanh": return "Tanh";
    case "relu": return "Relu";
    case "linear": return { name: "Affine", alpha: 1, beta: 0 };
    case "softsign": return "Softsign";
    case "softplus": return "Softplus";
    case "elu": return { name: "Elu", alpha: 1 };
    case "hard_sigmoid":
      if (hardSigmoid === "tfjs") return { name: "HardSigmoid", alpha: 0.2, beta: 0.5 };
      if (hardSigmoid === "keras3") return { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 };
      throw new InvalidArgumentError(`hard_sigmoid has two definitions: pass hardSigmoid "tfjs" (0.2x + 0.5) or "keras3" (x/6 + 0.5)`);
    default:
      throw new UnsupportedError(`Keras activation ${JSON.stringify(name)}: supported are sigmoid, tanh, relu, linear, softsign, softplus, elu, hard_sigmoid`);
  }
}

/** Transposes a row-major [rows × cols] matrix. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

export function fromKeras(w: KerasRecurrentWeights): RecurrentLayerSpec {
  const order = GATE_ORDER[w.cell];
  if (!order) throw new InvalidArgumentError(`cell: expected "LSTM", "GRU" or "SimpleRNN", found ${JSON.stringify(w.cell)}`);
  const H = w.units;
  const G = order.length;
  if (!Number.isInteger(H) || H < 1) throw new InvalidArgumentError(`units: expected a positive integer, found ${H}`);
  if (!(w.kernel instanceof Float32Array) || w.kernel.length % (G * H) !== 0) {
    throw new ShapeError(`kernel: expected [inputSize, ${G * H}] = [inputSize, ${G}·units] floats, found ${w.kernel?.length}`);
  }
  const I = w.kernel.length / (G * H);
  if (!(w.recurrentKernel instanceof Float32Array) || w.recurrentKernel.length !== H * G * H) {
    throw new ShapeError(`recurrent_kernel: expected [${H}, ${G * H}] = [units, ${G}·units], found ${w.recurrentKernel?.length} floats`);
  }
  const resetAfter = w.cell === "GRU" && (w.resetAfter ?? true);
  let B: Float32Array | undefined;
  if (w.bias !== undefined) {
    const n = resetAfter ? 2 * G * H : G * H;
    if (!(w.bias instanceof Float32Array) || w.bias.length !== n) {
      throw new ShapeError(`bias: expected ${resetAfter ? `[2, ${G * H}]` : `[${G * H}]`} floats, found ${w.bias?.length}`);
    }
    B = new Float32Array(2 * G * H);
    B.set(reorderBlocks(w.bias.subarray(0, G * H), H, 1, order));
    if (resetAfter) B.set(w.bias.subarray(G * H), G * H);
  }
  const g = kerasActivation(w.activation ?? "tanh", w.hardSigmoid);
  const f = kerasActivation(w.recurrentActivation ?? "sigmoid", w.hardSigmoid);
  const activations = w.cell === "LSTM" ? [f, g, g] : w.cell === "GRU" ? [f, g] : [g];
  return {
    cell: w.cell === "LSTM" ? "lstm" : w.cell === "GRU" ? "gru" : "rnn",
    inputSize: I,
    hiddenSize: H,
    W: reorderBlocks(transpose(w.kernel, I, G * H), H, I, order),
    R: reorderBlocks(transpose(w.recurrentKernel, H, G * H), H, H, order),
    B,
    activations,
    linearBeforeReset: w.cell === "GRU" ? resetAfter : undefined,
  };
}
