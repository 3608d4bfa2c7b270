// WebAssembly feature probes: a few bytes each, validated (never compiled or run), once per realm.
// Each probe is one function `() -> v128` whose body uses the feature's opcodes; an engine
// without the feature rejects the opcode, so validate() answers false.

// Module header, then type section (one type: no params, one v128 result) and function section.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_AND_FUNC = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
/** i32.const 0; i8x16.splat (0xfd 0x0f) */
const SPLAT = [0x41, 0x00, 0xfd, 0x0f];

/** A module whose only function body (no locals, ending in `end`) is `ops`. */
function probe(ops: number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...ops, 0x0b];
  return new Uint8Array([...HEADER, ...TYPE_AND_FUNC, 0x0a, body.length + 2, 0x01, body.length, ...body]);
}

/** Fixed-width SIMD: i8x16.splat. */
const SIMD_PROBE = probe(SPLAT);
/** Relaxed SIMD: f32x4.relaxed_madd (0xfd 0x105, LEB128 0x85 0x02), the one op the relaxed build adds. */
const RELAXED_SIMD_PROBE = probe([...SPLAT, ...SPLAT, ...SPLAT, 0xfd, 0x85, 0x02]);

/** The kernel builds that ship in the package: plain SIMD (default) and relaxed SIMD (FMA). */
export type KernelBuild = "simd" | "relaxed-simd";

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** WebAssembly fixed-width (128-bit) SIMD: every rnn-wasm kernel needs it. */
export function hasWasmSimd(): boolean {
  simd ??= typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  return simd;
}

/** WebAssembly relaxed SIMD (Deno, Chromium, workerd; Node 20 only with --experimental-wasm-relaxed-simd). */
export function hasWasmRelaxedSimd(): boolean {
  relaxed ??= hasWasmSimd() && WebAssembly.validate(RELAXED_SIMD_PROBE);
  return relaxed;
}

/** The probe modules, for tests. */
export const PROBES = { simd: SIMD_PROBE, relaxedSimd: RELAXED_SIMD_PROBE };
