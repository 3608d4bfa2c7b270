// Weight packing into the 16-row GEMM panels of src/layers/pack.ts, in wasm: packing is a
// transpose of 16-row blocks, element by element, and at load time JavaScript runs it in the
// interpreter (≈ 25 ns/float: W2's 393 K floats took ≈ 10 ms, the largest part of its cold
// start). Here it runs in the baseline-compiled code in well under a millisecond.

/**
 * Writes `rows` rows of K floats, consecutive at src, as packed rows n0 … n0 + rows − 1:
 *   out[((n >> 4)·K + k)·16 + (n & 15)] = src[(n − n0)·K + k]
 * Other packed rows (padding) are left as they are (the host packs into zeroed blocks).
 */
export function f32_pack_panels(out: usize, src: usize, K: i32, n0: i32, rows: i32): void {
  for (let i = 0; i < rows; i++) {
    const n = n0 + i;
    let o = out + ((<usize>(n >> 4) * <usize>K) << 6) + (<usize>(n & 15) << 2);
    let s = src + ((<usize>i * <usize>K) << 2);
    const end = s + (<usize>K << 2);
    for (; s < end; s += 4) {
      store<f32>(o, load<f32>(s));
      o += 64;
    }
  }
}
