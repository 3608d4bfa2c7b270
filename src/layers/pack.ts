// Weight packing: once, at load, from row-major [rows × K] matrices into the layouts the
// kernels stream through (packing happens on the host because it runs once per layer and the
// layouts are easier to test in TypeScript). Padding entries are zero.
//   panels (f32_gemm_2x16, RNN, GRU h rows): out[(p·K + k)·16 + j] = M[row(16p + j), k]
//   groups (LSTM, GRU):  out[((g·K + k)·G + gi)·4 + j] = M[gates[gi]·H + 4g + j, k]

export const ceil4 = (n: number): number => (n + 3) & ~3;
export const ceil16 = (n: number): number => (n + 15) & ~15;

/** Floats needed by packPanels for N rows of K columns. */
export function panelFloats(N: number, K: number): number {
  return ceil16(N) * K;
}

/**
 * Packs rows into 16-row panels. `row(n)` gives the source row of packed row n, or −1 for a
 * zero row (padding between gates); rows are K floats at src[srcOff + row·K].
 */
export function packPanels(
  out: Float32Array, outOff: number, src: Float32Array, srcOff: number, K: number, N: number, row: (n: number) => number,
): void {
  for (let n = 0; n < ceil16(N); n++) {
    const r = n < N ? row(n) : -1;
    const base = outOff + (n >> 4) * K * 16 + (n & 15);
    if (r < 0) {
      for (let k = 0; k < K; k++) out[base + k * 16] = 0;
      continue;
    }
    const s = srcOff + r * K;
    for (let k = 0; k < K; k++) out[base + k * 16] = src[s + k];
  }
}

/** Floats needed by packGroups for H units, G gates and K columns. */
export function groupFloats(H: number, G: number, K: number): number {
  return ceil4(H) * G * K;
}

/**
 * Interleaves the rows of the listed gates per group of 4 units, so the recurrent kernels read
 * every gate of 4 units from one contiguous stream. `gates` are gate indices into src
 * (each gate is H consecutive rows).
 */
export function packGroups(
  out: Float32Array, outOff: number, src: Float32Array, srcOff: number, K: number, H: number, gates: readonly number[],
): void {
  const G = gates.length;
  for (let g = 0; g < ceil4(H) / 4; g++) {
    for (let k = 0; k < K; k++) {
      const base = outOff + ((g * K + k) * G) * 4;
      for (let gi = 0; gi < G; gi++) {
        for (let j = 0; j < 4; j++) {
          const unit = g * 4 + j;
          out[base + gi * 4 + j] = unit < H ? src[srcOff + (gates[gi] * H + unit) * K + k] : 0;
        }
      }
    }
  }
}

/** The packed-row → source-row map of a gate-major [G·H] matrix padded to Hp per gate. */
export function gateMajorRow(H: number): (n: number) => number {
  const Hp = ceil4(H);
  return (n) => {
    const gate = Math.floor(n / Hp);
    const unit = n - gate * Hp;
    return unit < H ? gate * H + unit : -1;
  };
}
