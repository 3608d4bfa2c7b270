// Per-step row schedule shared by the sequence kernels: which batch rows are still running at
// step s, and where their gate inputs, previous hidden state and outputs live.
// ONNX sequence_lens semantics (SEMANTICS.md): row b runs len[b] steps; the reverse pass starts
// at t = len[b]−1; steps t ≥ len[b] are never touched (the host zero-fills Y beforehand).

// Table entry for one active row: 4 words.
export const ROW_B: usize = 0; // batch row index b
export const ROW_G: usize = 4; // gate pre-activations of (t, b): G + (t·B + b)·ldg
export const ROW_HPREV: usize = 8; // previous hidden state: H0 row at s = 0, else Y at t ∓ 1
export const ROW_Y: usize = 12; // output row (t, b): Y + (t·B + b)·ldy
export const ROW_BYTES: usize = 16;

/** Largest len[b]; the number of steps the kernel runs. */
export function maxLength(lens: usize, B: i32): i32 {
  let m = 0;
  for (let b = 0; b < B; b++) m = max(m, load<i32>(lens + (<usize>b << 2)));
  return m;
}

/**
 * Fills `table` with the rows active at step s (s < len[b]) and returns how many there are.
 * Strides are in floats; H0 has one row of ldh0 floats per batch row.
 */
export function scheduleStep(
  s: i32, B: i32, lens: usize, reverse: bool,
  G: usize, ldg: i32, H0: usize, ldh0: i32, Y: usize, ldy: i32, table: usize,
): i32 {
  let n = 0;
  for (let b = 0; b < B; b++) {
    const len = load<i32>(lens + (<usize>b << 2));
    if (s >= len) continue;
    const t = reverse ? len - 1 - s : s;
    const e = table + <usize>n * ROW_BYTES;
    const row = <usize>(t * B + b);
    store<i32>(e + ROW_B, b);
    store<usize>(e + ROW_G, G + ((row * <usize>ldg) << 2));
    store<usize>(e + ROW_Y, Y + ((row * <usize>ldy) << 2));
    let hprev: usize;
    if (s == 0) hprev = H0 + ((<usize>b * <usize>ldh0) << 2);
    else hprev = Y + (((<usize>((reverse ? t + 1 : t - 1) * B + b)) * <usize>ldy) << 2);
    store<usize>(e + ROW_HPREV, hprev);
    n++;
  }
  return n;
}
