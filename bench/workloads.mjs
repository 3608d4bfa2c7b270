// The benchmark workloads (issue 7): sizes, flop counts, weight bytes, and the deterministic
// weights and inputs every runtime receives. Weights are in ONNX layout (W [dirs, G·H, I],
// R [dirs, G·H, H], B [dirs, 2·G·H]; LSTM gates i o f c, GRU z r h).
// The table, flop counts and weights come from src/cli/workloads.ts (which `rnn-wasm bench`
// runs), built to build/workloads.js by scripts/build.mjs: one definition for both. What only
// the comparison needs (inputs, output checks, the bandwidth floor) is here.
const shared = await import("../build/workloads.js").catch((e) => {
  throw new Error(`bench: build/workloads.js is missing (${e.message}); run npm run build first (npm run bench does)`);
});

/**
 * step: one time step per call with the state carried (timed per step, B rows per call).
 * layers: stacked layers (layer k > 0 reads the previous layer's dirs·H features).
 */
export const WORKLOADS = shared.WORKLOADS;

/** GRUs here always use linear_before_reset = 1 (PyTorch's GRU, Keras reset_after). */
export const GATES = shared.GATE_COUNT;

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

/** Input features of layer k; flops of one timed unit; bytes of float32 weights a step streams. */
export const { layerInput, layerWeights } = shared;
export const flops = shared.workloadFlops;
export const weightBytes = shared.workloadWeightBytes;

/**
 * A step workload's bandwidth floor is its weight bytes ÷ the read bandwidth of streaming a
 * buffer of that same size again and again, which is what a stream does with its weights
 * (W1's 1.3 MB is larger than L2 but stays in L3; peak.mjs also measures 64 MiB, i.e. DRAM).
 * This is that buffer's size (the bandwidth probe reads 128 bytes per iteration).
 */
export const floorBuffer = (w) => Math.ceil(weightBytes(w) / 128) * 128;

/** Inputs: a sequence X [T, B, I], or for step workloads CHECK_STEPS frames of [B, I]. */
export function inputs(w) {
  const frames = w.step ? CHECK_STEPS : w.T;
  return shared.uniformWeights(shared.seedOf(`${w.id}-X-T${w.T}-B${w.B}`), frames * w.B * w.I, 1);
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
