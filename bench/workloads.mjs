// The benchmark workloads (issue 7), defined once: sizes, flop counts, weight bytes, and the
// deterministic weights and inputs every runtime receives. Weights are in ONNX layout
// (W [dirs, G·H, I], R [dirs, G·H, H], B [dirs, 2·G·H]; LSTM gates i o f c, GRU z r h).

/**
 * step: one time step per call with the state carried (timed per step, B rows per call).
 * layers: stacked layers (layer k > 0 reads the previous layer's dirs·H features).
 */
export const WORKLOADS = [
  { id: "W1", title: "LSTM stream step", cell: "lstm", I: 64, H: 256, T: 1, B: 1, dirs: 1, layers: 1, step: true },
  { id: "W2", title: "LSTM sequence", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 1 },
  { id: "W3", title: "bidirectional LSTM sequence", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 2, layers: 1 },
  { id: "W4", title: "LSTM batch", cell: "lstm", I: 128, H: 512, T: 100, B: 32, dirs: 1, layers: 1 },
  { id: "W5a", title: "GRU stream step (W1 as GRU)", cell: "gru", I: 64, H: 256, T: 1, B: 1, dirs: 1, layers: 1, step: true },
  { id: "W5b", title: "GRU sequence (W2 as GRU)", cell: "gru", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 1 },
  { id: "W6", title: "stacked 2-layer LSTM", cell: "lstm", I: 128, H: 256, T: 200, B: 1, dirs: 1, layers: 2 },
];

/** GRUs here always use linear_before_reset = 1 (PyTorch's GRU, Keras reset_after). */
export const GATES = { lstm: 4, gru: 3 };

export function workload(id) {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}; known: ${WORKLOADS.map((x) => x.id).join(", ")}`);
  return w;
}

/**
 * The smoke-test version of a workload (--quick): same layer sizes (so the same models and
 * weights), a shorter sequence and a smaller batch. Its timings are not comparable.
 */
export function quickVariant(w) {
  return w.step ? w : { ...w, T: Math.min(w.T, 12), B: Math.min(w.B, 3) };
}

/** Input features of layer k. */
export const layerInput = (w, k) => (k === 0 ? w.I : w.dirs * w.H);

/** Flops of one step of one batch row of one direction: LSTM 8·H·(I+H), GRU 6·H·(I+H). */
export const stepFlops = (cell, I, H) => (cell === "lstm" ? 8 : 6) * H * (I + H);

/** Flops of one timed unit: a step (step workloads) or a whole sequence. */
export function flops(w) {
  let f = 0;
  for (let k = 0; k < w.layers; k++) f += w.dirs * stepFlops(w.cell, layerInput(w, k), w.H);
  return f * w.B * (w.step ? 1 : w.T);
}

/** Bytes of float32 weights (W, R, B of every layer and direction) a step streams through. */
export function weightBytes(w) {
  const G = GATES[w.cell];
  let n = 0;
  for (let k = 0; k < w.layers; k++) n += w.dirs * G * w.H * (layerInput(w, k) + w.H + 2);
  return 4 * n;
}

/**
 * A step workload's bandwidth floor is its weight bytes ÷ the read bandwidth of streaming a
 * buffer of that same size again and again, which is what a stream does with its weights
 * (W1's 1.3 MB is larger than L2 but stays in L3; peak.mjs also measures 64 MiB, i.e. DRAM).
 * This is that buffer's size (the bandwidth probe reads 128 bytes per iteration).
 */
export const floorBuffer = (w) => Math.ceil(weightBytes(w) / 128) * 128;

/** xorshift32 in [-1, 1): a tiny deterministic generator, identical in every process. */
function uniform(seed, n, scale) {
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

function seedOf(text) {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * Weights of layer k in ONNX layout, uniform in ±1/√H (PyTorch's default initialisation, so
 * the gates see realistic pre-activations).
 */
export function layerWeights(w, k) {
  const G = GATES[w.cell];
  const I = layerInput(w, k);
  const scale = 1 / Math.sqrt(w.H);
  const tag = `${w.cell}-I${I}-H${w.H}-dirs${w.dirs}-layer${k}`;
  return {
    W: uniform(seedOf(`${tag}-W`), w.dirs * G * w.H * I, scale),
    R: uniform(seedOf(`${tag}-R`), w.dirs * G * w.H * w.H, scale),
    B: uniform(seedOf(`${tag}-B`), w.dirs * 2 * G * w.H, scale),
  };
}

/** Inputs: a sequence X [T, B, I], or for step workloads CHECK_STEPS frames of [B, I]. */
export function inputs(w) {
  const frames = w.step ? CHECK_STEPS : w.T;
  return uniform(seedOf(`${w.id}-X-T${w.T}-B${w.B}`), frames * w.B * w.I, 1);
}

/** Step workloads are verified over this many steps from the zero state (then timed cyclically). */
export const CHECK_STEPS = 16;

/**
 * What every runtime's output is compared on: for sequences, the last layer's Y at steps 0,
 * ⌊T/2⌋ and T−1, ordered [step, direction, batch row, unit] (ONNX Y order); the reverse
 * direction's step 0 and the forward direction's step T−1 depend on the whole sequence. For
 * step workloads, h after the first and after the last of CHECK_STEPS steps. Batch rows 0 and
 * B−1 only (rows are independent). at(t, d, b, u) reads the runtime's own output layout.
 */
export function checkVector(w, at) {
  const steps = w.step ? [0, CHECK_STEPS - 1] : [...new Set([0, w.T >> 1, w.T - 1])];
  const rows = [...new Set([0, w.B - 1])];
  const out = [];
  for (const t of steps) {
    for (let d = 0; d < w.dirs; d++) {
      for (const b of rows) for (let u = 0; u < w.H; u++) out.push(at(t, d, b, u));
    }
  }
  return out;
}

/** max |a − b| over two check vectors (Infinity if they differ in length or hold NaN). */
export function maxAbsDiff(a, b) {
  if (!a || !b || a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** A peer's output must equal rnn-wasm's within this (h is bounded by 1). */
export const CHECK_TOLERANCE = 1e-4;
