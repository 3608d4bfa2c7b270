// Weight packing: once, at load, from row-major [rows × K] matrices into the layout every GEMM
// kernel streams through (packing happens on the host because it runs once per layer and the
// layouts are easier to test in TypeScript). Padding entries are zero.
//   panels: out[(p·K + k)·16 + j] = M[row(16p + j), k]
// Input and recurrent weights of every cell use it, rows in the gate-major order of the gate
// buffer G (gateMajorRow), so the products land where the cell reads them.

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

/** The packed-row → source-row map of a gate-major [G·H] matrix padded to Hp per gate. */
export function gateMajorRow(H: number): (n: number) => number {
  const Hp = ceil4(H);
  return (n) => {
    const gate = Math.floor(n / Hp);
    const unit = n - gate * Hp;
    return unit < H ? gate * H + unit : -1;
  };
}
