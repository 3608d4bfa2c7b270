// The one normalised description of a recurrent layer: ONNX weight layout and ONNX semantics
// for every knob. Importers (ONNX, PyTorch, Keras) all produce this; the kernels consume it.
//   W [dirs, G·H, I]   R [dirs, G·H, H]   B [dirs, 2·G·H] = Wb ‖ Rb   P [dirs, 3H] (LSTM)
//   G = 4 (LSTM, gates i o f c), 3 (GRU, gates z r h), 1 (RNN).
// One extension beyond ONNX: an LSTM projection (PyTorch proj_size P): h_t = Wr·(o⊙h(C_t)),
// with projection [dirs, P, H], R [dirs, 4H, P], and h, Y, Y_h of P units (C keeps H).
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { type Activation, type ActivationInput, DEFAULT_ACTIVATIONS, normalizeActivation } from "./activations.js";

export type CellType = "lstm" | "gru" | "rnn";
export type Direction = "forward" | "reverse" | "bidirectional";

export interface RecurrentLayerSpec {
  cell: CellType;
  inputSize: number;
  hiddenSize: number;
  /** Default "forward". */
  direction?: Direction;
  W: Float32Array;
  R: Float32Array;
  /** Biases Wb ‖ Rb per direction; zeros when absent. */
  B?: Float32Array;
  /** LSTM peepholes (i, o, f) per direction; none when absent. */
  P?: Float32Array;
  /**
   * Activations per direction, ONNX order: LSTM f, g, h; GRU f, g; RNN f. Give one direction's
   * worth to use it for both directions of a bidirectional layer, or both directions' worth.
   */
  activations?: readonly ActivationInput[];
  /** Clip every gate pre-activation to [−clip, clip]. */
  clip?: number;
  /** LSTM projection size P (PyTorch proj_size); needs `projection`. Default 0 (none). */
  projSize?: number;
  /** LSTM projection weights [dirs, P, H] (PyTorch weight_hr_l{k}). */
  projection?: Float32Array;
  /** LSTM: couple the input and forget gates (f = 1 − i). */
  inputForget?: boolean;
  /** GRU: apply the reset gate after the recurrent product (PyTorch and Keras reset_after). */
  linearBeforeReset?: boolean;
  /** 0: X [T, B, I] and Y [T, dirs, B, H] (default); 1: X [B, T, I] and Y [B, T, dirs, H]. */
  layout?: 0 | 1;
}

export interface NormalizedSpec {
  cell: CellType;
  inputSize: number;
  hiddenSize: number;
  direction: Direction;
  dirs: 1 | 2;
  gates: number;
  W: Float32Array;
  R: Float32Array;
  B: Float32Array | undefined;
  P: Float32Array | undefined;
  /** 0, or the LSTM projection size. */
  projSize: number;
  projection: Float32Array | undefined;
  /** Units of h (what Y, Y_h and the recurrent product see): projSize || hiddenSize. */
  stateSize: number;
  /** Per direction, the activations in ONNX order. */
  activations: Activation[][];
  /** Number of weights (W, R, B, P, projection). */
  parameters: number;
  clip: number;
  inputForget: boolean;
  linearBeforeReset: boolean;
  layout: 0 | 1;
}

export const GATES: Record<CellType, number> = { lstm: 4, gru: 3, rnn: 1 };

/** Largest hidden or input size accepted; far above any real RNN, it keeps sizes in int32. */
export const MAX_SIZE = 1 << 16;

export function normalizeSpec(spec: RecurrentLayerSpec): NormalizedSpec {
  if (!spec || typeof spec !== "object") throw new InvalidArgumentError(`layer spec: expected an object, found ${typeof spec}`);
  const cell = spec.cell;
  if (cell !== "lstm" && cell !== "gru" && cell !== "rnn") {
    throw new InvalidArgumentError(`cell: expected "lstm", "gru" or "rnn", found ${JSON.stringify(cell)}`);
  }
  const I = checkSize("inputSize", spec.inputSize);
  const H = checkSize("hiddenSize", spec.hiddenSize);
  const direction = spec.direction ?? "forward";
  if (direction !== "forward" && direction !== "reverse" && direction !== "bidirectional") {
    throw new InvalidArgumentError(`direction: expected "forward", "reverse" or "bidirectional", found ${JSON.stringify(direction)}`);
  }
  const dirs = direction === "bidirectional" ? 2 : 1;
  const G = GATES[cell];
  const gh = `${G}·hiddenSize`;
  const projSize = spec.projSize ?? 0;
  if (projSize !== 0) {
    if (cell !== "lstm") throw new InvalidArgumentError(`projSize: projections exist only for LSTM, found one for ${cell}`);
    checkSize("projSize", projSize);
    checkWeight("projection", spec.projection, dirs * projSize * H, `[${dirs}, ${projSize}, ${H}] = [dirs, projSize, hiddenSize]`);
  } else if (spec.projection !== undefined) throw new InvalidArgumentError("projection: given without projSize");
  const S = projSize || H;
  checkWeight("W", spec.W, dirs * G * H * I, `[${dirs}, ${G * H}, ${I}] = [dirs, ${gh}, inputSize]`);
  checkWeight("R", spec.R, dirs * G * H * S, `[${dirs}, ${G * H}, ${S}] = [dirs, ${gh}, ${projSize ? "projSize" : "hiddenSize"}]`);
  if (spec.B !== undefined) checkWeight("B", spec.B, dirs * 2 * G * H, `[${dirs}, ${2 * G * H}] = [dirs, 2·${gh}]`);
  if (spec.P !== undefined) {
    if (cell !== "lstm") throw new InvalidArgumentError(`P: peepholes exist only for LSTM, found one for ${cell}`);
    checkWeight("P", spec.P, dirs * 3 * H, `[${dirs}, ${3 * H}] = [dirs, 3·hiddenSize]`);
  }
  const clip = spec.clip ?? Infinity;
  if (!(clip > 0)) throw new InvalidArgumentError(`clip: expected a positive number, found ${spec.clip}`);
  if (spec.inputForget && cell !== "lstm") throw new InvalidArgumentError(`inputForget applies to LSTM only, found it on ${cell}`);
  if (spec.linearBeforeReset && cell !== "gru") throw new InvalidArgumentError(`linearBeforeReset applies to GRU only, found it on ${cell}`);
  const layout = spec.layout ?? 0;
  if (layout !== 0 && layout !== 1) throw new InvalidArgumentError(`layout: expected 0 or 1, found ${layout}`);
  return {
    cell, inputSize: I, hiddenSize: H, direction, dirs, gates: G,
    W: spec.W, R: spec.R, B: spec.B, P: spec.P, projSize, projection: spec.projection, stateSize: S,
    activations: normalizeActivations(cell, dirs, spec.activations),
    clip, inputForget: !!spec.inputForget, linearBeforeReset: !!spec.linearBeforeReset, layout,
    parameters: [spec.W, spec.R, spec.B, spec.P, spec.projection].reduce((n, w) => n + (w?.length ?? 0), 0),
  };
}

function normalizeActivations(cell: CellType, dirs: number, given: readonly ActivationInput[] | undefined): Activation[][] {
  const per = DEFAULT_ACTIVATIONS[cell].length;
  if (given != null && !Array.isArray(given)) throw new InvalidArgumentError(`activations: expected an array of names or { name, alpha, beta }, found ${typeof given}`);
  const list = (given ?? DEFAULT_ACTIVATIONS[cell]).map(normalizeActivation);
  if (list.length !== per && list.length !== per * dirs) {
    throw new InvalidArgumentError(
      `activations: a ${cell} takes ${per} per direction (${DEFAULT_ACTIVATIONS[cell].join(", ")}), ` +
        `so expected ${per}${dirs === 2 ? ` or ${per * 2}` : ""}, found ${list.length}`,
    );
  }
  return Array.from({ length: dirs }, (_, d) => (list.length === per ? list : list.slice(d * per, (d + 1) * per)));
}

function checkSize(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
    throw new InvalidArgumentError(`${name}: expected an integer in [1, ${MAX_SIZE}], found ${String(v)}`);
  }
  return v;
}

function checkWeight(name: string, w: unknown, expected: number, shape: string): void {
  if (!(w instanceof Float32Array)) {
    throw new ShapeError(`${name}: expected a Float32Array of shape ${shape}, found ${w === undefined ? "nothing" : typeof w}`);
  }
  if (w.length !== expected) throw new ShapeError(`${name}: expected ${expected} floats, shape ${shape}, found ${w.length}`);
}
