// The conformance set that every runtime runs on the built package (test/platforms/runtimes.test.ts
// writes it as JSON; test/platforms/conformance-run.mjs runs it): ONNX's backend node tests,
// stacked, bidirectional and packed PyTorch fixtures, hand-made ONNX-layout layers covering every
// knob (references from test/reference/recurrent.ts, f64), two streams and a whole model.
// Floats travel as { f32: base64 } so that every runtime reads the same bits.
import type { RecurrentLayerSpec } from "../../src/layers/spec.js";
import { normalizeActivation } from "../../src/layers/activations.js";
import { loadTorchFixtures } from "../helpers/fixture-io.js";
import { loadBackendCases } from "../helpers/onnx-cases.js";
import { rng, uniform } from "../helpers/random.js";
import { refActivation } from "../reference/activations.js";
import { referenceRecurrent } from "../reference/recurrent.js";

export interface ConformanceCase {
  name: string;
  kind: "torch" | "layer" | "stream" | "model";
  /** The reference of every output the runner hashes, by name (see conformance-run.mjs). */
  expected: Record<string, Float32Array>;
  [field: string]: unknown;
}

/** PyTorch fixtures (test/fixtures/torch/): 2–3 stacked layers, both directions, packed rows, proj_size, H up to 65. */
export const TORCH_CASES = [
  "lstm_bi_l3_b3_t3_i3_h4_bf_h0",
  "lstm_bi_l2_b3_t24_i9_h7_p3_h0_packed",
  "lstm_bi_l1_b4_t24_i3_h65_p11_h0_packed",
  "lstm_l2_b5_t55_i3_h4_bf_packed",
  "gru_bi_l2_b7_t17_i4_h5_nobias_h0",
  "gru_l3_b5_t40_i9_h4_bf_h0_packed",
  "gru_l1_b4_t2_i33_h64_bf_nobias_h0_w3_packed",
  "rnn_relu_bi_l2_b6_t17_i8_h4_h0_packed",
  "rnn_tanh_l3_b3_t70_i9_h7_bf_h0_packed",
  "rnn_tanh_bi_l3_b1_t8_i4_h4_bf_h0_w3_x4",
];

function torchCases(): ConformanceCase[] {
  const all = new Map(loadTorchFixtures().map((f) => [f.name, f]));
  return TORCH_CASES.map((name): ConformanceCase => {
    const f = all.get(name);
    if (!f) throw new Error(`conformance: no PyTorch fixture ${name} in test/fixtures/torch/`);
    const c = f.config;
    return {
      name: `torch/${name}`,
      kind: "torch",
      config: {
        module: f.module, inputSize: c.input_size, hiddenSize: c.hidden_size, numLayers: c.num_layers, bias: c.bias,
        bidirectional: c.bidirectional, nonlinearity: c.nonlinearity, projSize: c.proj_size,
      },
      batchFirst: c.batch_first,
      stateDict: f.stateDict,
      input: f.input,
      lengths: f.lengths,
      h0: f.h0,
      c0: f.c0,
      expected: { output: f.output.data, h_n: f.h_n.data, ...(f.c_n ? { c_n: f.c_n.data } : {}) },
    };
  });
}

interface LayerRun {
  T: number;
  B: number;
  sequenceLens?: number[];
  initial?: boolean;
}

type LayerShape = Omit<RecurrentLayerSpec, "W" | "R" | "B" | "P" | "projection"> & { peepholes?: boolean };

/** An ONNX-layout layer with seeded weights and inputs, and its f64 reference outputs. */
function layerCase(name: string, seed: number, layerShape: LayerShape, run: LayerRun, kind: "layer" | "stream" = "layer"): ConformanceCase {
  const rand = rng(seed);
  const { peepholes, ...shape } = layerShape;
  const dirs = shape.direction === "bidirectional" ? 2 : 1;
  const G = { lstm: 4, gru: 3, rnn: 1 }[shape.cell];
  const H = shape.hiddenSize;
  const S = shape.projSize || H;
  const spec: RecurrentLayerSpec = {
    ...shape,
    W: uniform(rand, dirs * G * H * shape.inputSize, 0.6),
    R: uniform(rand, dirs * G * H * S, 0.6),
    B: uniform(rand, dirs * 2 * G * H, 0.4),
    ...(peepholes ? { P: uniform(rand, dirs * 3 * H, 0.5) } : {}),
    ...(shape.projSize ? { projection: uniform(rand, dirs * S * H, 0.6) } : {}),
  };
  const { T, B } = run;
  const X = uniform(rand, T * B * shape.inputSize, 2);
  const stateDims = (n: number) => (shape.layout === 1 ? [B, dirs, n] : [dirs, B, n]);
  const initialH = run.initial ? { data: uniform(rand, dirs * B * S), dims: stateDims(S) } : undefined;
  const initialC = run.initial && shape.cell === "lstm" ? { data: uniform(rand, dirs * B * H), dims: stateDims(H) } : undefined;
  const ref = referenceRecurrent(spec, { X, T, B, seqLens: run.sequenceLens, initialH: initialH?.data, initialC: initialC?.data });
  const expected: Record<string, Float32Array> =
    kind === "stream" ? { Y: Float32Array.from(ref.Y) } : { Y: Float32Array.from(ref.Y), Y_h: Float32Array.from(ref.Y_h) };
  if (kind === "layer" && ref.Y_c) expected.Y_c = Float32Array.from(ref.Y_c);
  const input = { data: X, dims: shape.layout === 1 ? [B, T, shape.inputSize] : [T, B, shape.inputSize] };
  return { name: `${kind}/${name}`, kind, spec, input, options: { sequenceLens: run.sequenceLens, initialH, initialC }, expected };
}

function layerCases(): ConformanceCase[] {
  return [
    layerCase("lstm_bi_peepholes_clip_layout1", 11, { cell: "lstm", inputSize: 3, hiddenSize: 5, direction: "bidirectional", peepholes: true, clip: 2.5, layout: 1 }, { T: 6, B: 4, sequenceLens: [6, 3, 0, 1], initial: true }),
    layerCase("lstm_input_forget_activations", 12, { cell: "lstm", inputSize: 4, hiddenSize: 9, inputForget: true, activations: ["HardSigmoid", "Softsign", { name: "ScaledTanh", alpha: 0.8, beta: 1.3 }] }, { T: 7, B: 3 }),
    layerCase("lstm_reverse_projection", 13, { cell: "lstm", inputSize: 5, hiddenSize: 8, direction: "reverse", projSize: 3 }, { T: 9, B: 2, sequenceLens: [9, 4], initial: true }),
    layerCase("gru_reverse_reset_before", 14, { cell: "gru", inputSize: 6, hiddenSize: 7, direction: "reverse", linearBeforeReset: false }, { T: 8, B: 3, sequenceLens: [2, 8, 5], initial: true }),
    layerCase("gru_bi_activations_per_direction", 15, { cell: "gru", inputSize: 3, hiddenSize: 17, direction: "bidirectional", activations: ["Sigmoid", "Tanh", { name: "HardSigmoid", alpha: 0.3, beta: 0.4 }, { name: "Elu", alpha: 0.5 }] }, { T: 5, B: 5 }),
    layerCase("rnn_bi_relu_leaky", 16, { cell: "rnn", inputSize: 2, hiddenSize: 4, direction: "bidirectional", activations: ["Relu", { name: "LeakyRelu", alpha: 0.1 }] }, { T: 10, B: 3, sequenceLens: [10, 0, 7] }),
    layerCase("rnn_affine_wide_input", 17, { cell: "rnn", inputSize: 33, hiddenSize: 3, activations: [{ name: "Affine", alpha: 0.5, beta: 0.1 }] }, { T: 4, B: 1 }),
    layerCase("rnn_thresholded_softplus", 18, { cell: "rnn", inputSize: 7, hiddenSize: 16, direction: "bidirectional", activations: [{ name: "ThresholdedRelu", alpha: 0.2 }, "Softplus"] }, { T: 3, B: 2 }),
    layerCase("gru_stream", 19, { cell: "gru", inputSize: 4, hiddenSize: 12, linearBeforeReset: true }, { T: 9, B: 2, initial: true }, "stream"),
    layerCase("lstm_stream", 20, { cell: "lstm", inputSize: 5, hiddenSize: 6 }, { T: 12, B: 1, initial: true }, "stream"),
  ];
}

/** Embedding → bidirectional GRU → Dense (tanh) → LogSoftmax, against an f64 reference. */
function modelCase(): ConformanceCase {
  const rand = rng(21);
  const [V, E, H, O, T, B] = [13, 6, 5, 7, 6, 3];
  const embedding = uniform(rand, V * E);
  const gru: RecurrentLayerSpec = {
    cell: "gru", inputSize: E, hiddenSize: H, direction: "bidirectional", linearBeforeReset: true,
    W: uniform(rand, 2 * 3 * H * E, 0.6), R: uniform(rand, 2 * 3 * H * H, 0.6), B: uniform(rand, 2 * 6 * H, 0.4),
  };
  const weight = uniform(rand, O * 2 * H);
  const bias = uniform(rand, O, 0.2);
  const tokens = Array.from({ length: T * B }, () => Math.floor(rand() * V));
  const X = new Float32Array(T * B * E);
  tokens.forEach((tok, i) => X.set(embedding.subarray(tok * E, (tok + 1) * E), i * E));
  const { Y } = referenceRecurrent(gru, { X, T, B }); // [T, 2, B, H]
  const tanh = normalizeActivation("Tanh");
  const output = new Float32Array(T * B * O);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const y = [0, 1].flatMap((d) => Array.from(Y.subarray(((t * 2 + d) * B + b) * H, ((t * 2 + d) * B + b + 1) * H)));
      const z = Array.from({ length: O }, (_, o) => refActivation(tanh, y.reduce((s, v, j) => s + v * weight[o * 2 * H + j], bias[o])));
      const max = Math.max(...z);
      const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
      z.forEach((v, o) => (output[(t * B + b) * O + o] = v - logSum));
    }
  }
  const config = {
    layers: [
      { type: "embedding", vocabSize: V, dim: E, weight: embedding },
      { type: "recurrent", ...gru },
      { type: "dense", inputSize: 2 * H, outputSize: O, weight, bias, activation: "Tanh" },
      { type: "logSoftmax" },
    ],
  };
  return { name: "model/embedding_bigru_dense_logsoftmax", kind: "model", config, input: { data: tokens, dims: [T, B] }, options: {}, expected: { output } };
}

/**
 * ONNX's own backend node tests for LSTM, GRU and RNN (../shared/conformance/onnx-backend/),
 * decoded by the ONNX importer (test/helpers/onnx-cases.ts); expected are the outputs each case
 * stores (some store Y_h only).
 */
export function onnxBackendCases(): ConformanceCase[] {
  return loadBackendCases().map((c) => ({
    name: `onnx/${c.name}`,
    kind: "layer",
    spec: c.spec,
    input: c.X,
    options: { sequenceLens: c.seqLens && Array.from(c.seqLens), initialH: c.initialH, initialC: c.initialC },
    expected: Object.fromEntries(Object.entries(c.expected).map(([k, t]) => [k, t.data])),
  }));
}

export function conformanceCases(): ConformanceCase[] {
  return [...onnxBackendCases(), ...torchCases(), ...layerCases(), modelCase()];
}

/** The bundle as JSON text: Float32Arrays (and DecodedTensor data) as { f32: base64 }. */
export function conformanceBundle(): string {
  return JSON.stringify({ version: 1, cases: conformanceCases() }, (_key, value: unknown) =>
    value instanceof Float32Array ? { f32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") } : value,
  );
}
