// The per-direction cell configuration the host writes once per layer (src/layers/cell-config.ts):
// three activations f, g, h with alpha and beta, the gate clip and a flag word (11 words).
// Kernels copy it into these module globals at the start of a call, which keeps the fused
// epilogues' signatures short; every thread has its own instance, so they are private.

export const CFG_F: usize = 0; // f: kind i32, alpha f32, beta f32
export const CFG_G: usize = 12; // g
export const CFG_H: usize = 24; // h
export const CFG_CLIP: usize = 36; // f32; +Inf when the layer has no clip
export const CFG_FLAGS: usize = 40; // i32: LSTM input_forget, GRU linear_before_reset
export const CFG_BYTES: usize = 44;

export let fK: i32 = 0, gK: i32 = 0, hK: i32 = 0;
export let fA: f32 = 0, fB: f32 = 0, gA: f32 = 0, gB: f32 = 0, hA: f32 = 0, hB: f32 = 0;
export let clip: v128 = f32x4.splat(0);
export let flag: bool = false;

export function loadCellConfig(cfg: usize): void {
  fK = load<i32>(cfg + CFG_F); fA = load<f32>(cfg + CFG_F + 4); fB = load<f32>(cfg + CFG_F + 8);
  gK = load<i32>(cfg + CFG_G); gA = load<f32>(cfg + CFG_G + 4); gB = load<f32>(cfg + CFG_G + 8);
  hK = load<i32>(cfg + CFG_H); hA = load<f32>(cfg + CFG_H + 4); hB = load<f32>(cfg + CFG_H + 8);
  clip = v128.load32_splat(cfg + CFG_CLIP);
  flag = load<i32>(cfg + CFG_FLAGS) != 0;
}
