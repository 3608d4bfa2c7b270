// The speed workloads of issue 7, defined once: `rnn-wasm bench` runs them, and bench/ (the
// side-by-side comparison with onnxruntime and TensorFlow.js) imports them from the build.
// Weights are in ONNX layout; GRUs use linear_before_reset = 1 (PyTorch's GRU, Keras reset_after).

export interface Workload {
  id: string;
  title: string;
  cell: "lstm" | "gru";
  I: number;
  H: number;
  T: number;
  B: number;
  dirs: 1 | 2;
  layers: number;
  /** One time step per call with the state carried (timed per step). */
  step?: boolean;
}

export const WORKLOADS: readonly Workload[] = [
  { id: "W1", title: "LSTM stream step", cell: "lstm", I: 64, H: 256, T: 1, B: 1, dirs: 1, layers: 1, step: true },
  { id: "W2", title: "LSTM sequence", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 1 },
  { id: "W3", title: "bidirectional LSTM sequence", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 2, layers: 1 },
  { id: "W4", title: "LSTM batch", cell: "lstm", I: 128, H: 512, T: 100, B: 32, dirs: 1, layers: 1 },
  { id: "W5a", title: "GRU stream step (W1 as GRU)", cell: "gru", I: 64, H: 256, T: 1, B: 1, dirs: 1, layers: 1, step: true },
  { id: "W5b", title: "GRU sequence (W2 as GRU)", cell: "gru", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 1 },
  { id: "W6", title: "stacked 2-layer LSTM", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 2 },
];

export const GATE_COUNT = { lstm: 4, gru: 3 } as const;

/** Input features of layer k. */
export const layerInput = (w: Workload, k: number): number => (k === 0 ? w.I : w.dirs * w.H);

/** Flops of one step of one batch row of one direction: LSTM 8·H·(I+H), GRU 6·H·(I+H). */
export const stepFlops = (cell: Workload["cell"], I: number, H: number): number => (cell === "lstm" ? 8 : 6) * H * (I + H);

/** Flops of one timed unit: a step (step workloads) or a whole sequence. */
export function workloadFlops(w: Workload): number {
  let f = 0;
  for (let k = 0; k < w.layers; k++) f += w.dirs * stepFlops(w.cell, layerInput(w, k), w.H);
  return f * w.B * (w.step ? 1 : w.T);
}

/** Bytes of float32 weights (W, R, B of every layer and direction). */
export function workloadWeightBytes(w: Workload): number {
  let n = 0;
  for (let k = 0; k < w.layers; k++) n += w.dirs * GATE_COUNT[w.cell] * w.H * (layerInput(w, k) + w.H + 2);
  return 4 * n;
}

/** xorshift32 in [-1, 1)·scale: deterministic, identical in every process and runtime. */
export function uniformWeights(seed: number, n: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

export function seedOf(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Weights of layer k in ONNX layout, uniform in ±1/√H (PyTorch's default initialisation). */
export function layerWeights(w: Workload, k: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const G = GATE_COUNT[w.cell];
  const I = layerInput(w, k);
  const scale = 1 / Math.sqrt(w.H);
  const tag = `${w.cell}-I${I}-H${w.H}-dirs${w.dirs}-layer${k}`;
  return {
    W: uniformWeights(seedOf(`${tag}-W`), w.dirs * G * w.H * I, scale),
    R: uniformWeights(seedOf(`${tag}-R`), w.dirs * G * w.H * w.H, scale),
    B: uniformWeights(seedOf(`${tag}-B`), w.dirs * 2 * G * w.H, scale),
  };
}
