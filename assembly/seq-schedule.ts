// Per-step row schedule shared by the sequence kernels: which batch rows run at step s, and
// where their gate inputs, previous hidden state and outputs live.
// ONNX sequence_lens (SEMANTICS.md): row b runs len[b] steps; the reverse pass starts at
// t = len[b]−1; steps t ≥ len[b] are never touched (the host zero-fills Y beforehand).
// Keras masks: a masked step (mask[t·B + b] = 0) does not run; the row keeps its state and its
// output there is the previous output (zero before any), or zero in "maskZero" mode.
// hp[b] points at row b's current hidden state: its H0 row, then the Y row of its last run step.
// Step ranges: a sequence kernel runs steps s0 ≤ s < s1 per call and returns the step count, so
// the host can split a sequence over calls. Everything a step needs from the last one lives in
// memory (hp, C, Y), and hp is initialised at s = 0 only, so consecutive ranges give the bits
// of one call over all steps. Why split: wasm has no on-stack replacement, so a single first
// call runs to the end in V8's baseline code even after the optimised code is ready.

// Table entry for one active row: 4 words.
export const ROW_B: usize = 0; // batch row index b
export const ROW_G: usize = 4; // gate pre-activations of (t, b): G + (t·B + b)·ldg
export const ROW_HPREV: usize = 8; // previous hidden state (K floats)
export const ROW_Y: usize = 12; // output row (t, b): Y + (t·B + b)·ldy
export const ROW_BYTES: usize = 16;

/** Largest len[b] for b in [b0, b1); the number of steps the kernel runs. */
export function maxLength(lens: usize, b0: i32, b1: i32): i32 {
  let m = 0;
  for (let b = b0; b < b1; b++) m = max(m, load<i32>(lens + (<usize>b << 2)));
  return m;
}

/**
 * Fills `table` with the rows b in [b0, b1) that run at step s and returns how many there are;
 * writes the output of masked rows. B is the batch size (rows per time step in G, Y and mask):
 * a call may run a slice of the batch (a thread's share), rows outside it are never touched.
 * Strides are in floats; H0 has one row of K floats per batch row.
 * mask: 0, or T·B bytes (nonzero = run). hp: B words, initialised here at s = 0.
 * A masked row's output is written for units j0 ≤ j < j1 only: a thread's share when the units
 * are split between threads (each has its own table and hp; see step-barrier.ts).
 */
export function scheduleStep(
  s: i32, B: i32, b0: i32, b1: i32, lens: usize, reverse: bool, mask: usize, maskZero: bool,
  G: usize, ldg: i32, H0: usize, K: i32, Y: usize, ldy: i32, hp: usize, table: usize, j0: i32, j1: i32,
): i32 {
  let n = 0;
  const h0End = H0 + ((<usize>B * <usize>K) << 2);
  for (let b = b0; b < b1; b++) {
    const hpb = hp + (<usize>b << 2);
    if (s == 0) store<usize>(hpb, H0 + ((<usize>b * <usize>K) << 2));
    const len = load<i32>(lens + (<usize>b << 2));
    if (s >= len) continue;
    const t = reverse ? len - 1 - s : s;
    const row = <usize>(t * B + b);
    const y = Y + ((row * <usize>ldy) << 2);
    const hprev = load<usize>(hpb);
    if (mask != 0 && load<u8>(mask + row) == 0) {
      // Masked: state carried; output = previous output, or 0 (none yet, or maskZero).
      const zero = maskZero || (hprev >= H0 && hprev < h0End);
      for (let j = j0; j < j1; j++) store<f32>(y + (<usize>j << 2), zero ? 0 : load<f32>(hprev + (<usize>j << 2)));
      continue;
    }
    const e = table + <usize>n * ROW_BYTES;
    store<i32>(e + ROW_B, b);
    store<usize>(e + ROW_G, G + ((row * <usize>ldg) << 2));
    store<usize>(e + ROW_HPREV, hprev);
    store<usize>(e + ROW_Y, y);
    store<usize>(hpb, y);
    n++;
  }
  return n;
}
