// Scalar f64 reference of ONNX LSTM / GRU / RNN with every attribute, sequence_lens, initial
// states and both layouts: the executable spec the SIMD kernels are tested against.
// Semantics as ../shared/SEMANTICS.md (onnxruntime's where ONNX is silent).
import { type NormalizedSpec, type RecurrentLayerSpec, normalizeSpec } from "../../src/layers/spec.js";
import { refActivation } from "./activations.js";

export interface RefInputs {
  /** [T, B, I] (layout 0) or [B, T, I] (layout 1) */
  X: ArrayLike<number>;
  T: number;
  B: number;
  seqLens?: ArrayLike<number>;
  /** [dirs, B, H] or [B, dirs, H] */
  initialH?: ArrayLike<number>;
  initialC?: ArrayLike<number>;
  /** Keras mask in X's order ([T, B] or [B, T]): 0 = masked step (state carried). */
  mask?: ArrayLike<number>;
  /** Masked outputs are 0 instead of the previous output (Keras Bidirectional). */
  maskZero?: boolean;
}

export interface RefOutputs {
  Y: Float64Array;
  Y_h: Float64Array;
  Y_c?: Float64Array;
}

export function referenceRecurrent(specIn: RecurrentLayerSpec | NormalizedSpec, inp: RefInputs): RefOutputs {
  const spec = "dirs" in specIn ? specIn : normalizeSpec(specIn);
  const { dirs, hiddenSize: H, stateSize: S, inputSize: I, layout, gates: G } = spec;
  const { T, B } = inp;
  const xAt = (t: number, b: number, i: number) => Number(inp.X[layout === 0 ? (t * B + b) * I + i : (b * T + t) * I + i]);
  // h has S = projSize || H units, c has H
  const stateAt = (s: ArrayLike<number> | undefined, d: number, b: number, j: number, n: number) =>
    s ? Number(s[layout === 0 ? (d * B + b) * n + j : (b * dirs + d) * n + j]) : 0;
  const yIndex = (t: number, d: number, b: number) => (layout === 0 ? ((t * dirs + d) * B + b) * S : ((b * T + t) * dirs + d) * S);
  const sIndex = (d: number, b: number, n: number) => (layout === 0 ? (d * B + b) * n : (b * dirs + d) * n);
  const Y = new Float64Array(T * dirs * B * S);
  const Y_h = new Float64Array(dirs * B * S);
  const Y_c = spec.cell === "lstm" ? new Float64Array(dirs * B * H) : undefined;

  for (let d = 0; d < dirs; d++) {
    const reverse = spec.direction === "reverse" || d === 1;
    const [f, g, h] = spec.activations[d];
    const w = (row: number, i: number) => spec.W[((d * G * H) + row) * I + i];
    const r = (row: number, j: number) => spec.R[((d * G * H) + row) * S + j];
    const proj = (p: number, j: number) => spec.projection![(d * S + p) * H + j];
    const wb = (row: number) => (spec.B ? spec.B[d * 2 * G * H + row] : 0);
    const rb = (row: number) => (spec.B ? spec.B[d * 2 * G * H + G * H + row] : 0);
    const p = (gate: number, j: number) => (spec.P ? spec.P[d * 3 * H + gate * H + j] : 0);
    const clip = (v: number) => Math.min(Math.max(v, -spec.clip), spec.clip);
    // x·W[row]ᵀ + Wb[row] and h·R[row]ᵀ (+ Rb[row] unless withRb is false)
    const xw = (x: number[], row: number) => {
      let s = wb(row);
      for (let i = 0; i < I; i++) s += x[i] * w(row, i);
      return s;
    };
    const hr = (hv: number[], row: number, withRb = true) => {
      let s = withRb ? rb(row) : 0;
      for (let j = 0; j < S; j++) s += hv[j] * r(row, j);
      return s;
    };
    for (let b = 0; b < B; b++) {
      const len = inp.seqLens ? Number(inp.seqLens[b]) : T;
      let hPrev = Array.from({ length: S }, (_, j) => stateAt(inp.initialH, d, b, j, S));
      let cPrev = Array.from({ length: H }, (_, j) => stateAt(inp.initialC, d, b, j, H));
      let lastOut: number[] | undefined; // Keras: the previous output, none before the first step
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        if (inp.mask && !inp.mask[layout === 0 ? t * B + b : b * T + t]) {
          Y.set(inp.maskZero || !lastOut ? new Array(S).fill(0) : lastOut, yIndex(t, d, b));
          continue;
        }
        const x = Array.from({ length: I }, (_, i) => xAt(t, b, i));
        const hNew = new Array<number>(H);
        const cNew = new Array<number>(H);
        // GRU: the reset gate of every unit, and r⊙H for linear_before_reset = 0
        const rGate = spec.cell === "gru" ? hPrev.map((_, k) => refActivation(f, clip(xw(x, H + k) + hr(hPrev, H + k)))) : [];
        const rh = rGate.map((rv, k) => rv * hPrev[k]);
        for (let j = 0; j < H; j++) {
          if (spec.cell === "lstm") {
            // gates i o f c at rows 0, H, 2H, 3H; peepholes i o f
            const ig = refActivation(f, clip(xw(x, j) + hr(hPrev, j) + p(0, j) * cPrev[j]));
            const fg = spec.inputForget ? 1 - ig : refActivation(f, clip(xw(x, 2 * H + j) + hr(hPrev, 2 * H + j) + p(2, j) * cPrev[j]));
            const cg = refActivation(g, clip(xw(x, 3 * H + j) + hr(hPrev, 3 * H + j)));
            cNew[j] = fg * cPrev[j] + ig * cg;
            const og = refActivation(f, clip(xw(x, H + j) + hr(hPrev, H + j) + p(1, j) * cNew[j]));
            hNew[j] = og * refActivation(h, cNew[j]);
          } else if (spec.cell === "gru") {
            // gates z r h at rows 0, H, 2H
            const z = refActivation(f, clip(xw(x, j) + hr(hPrev, j)));
            const rg = rGate[j];
            const pre = spec.linearBeforeReset
              ? xw(x, 2 * H + j) + rg * hr(hPrev, 2 * H + j)
              : xw(x, 2 * H + j) + hr(rh, 2 * H + j);
            const hh = refActivation(g, clip(pre));
            hNew[j] = (1 - z) * hh + z * hPrev[j];
          } else {
            hNew[j] = refActivation(f, clip(xw(x, j) + hr(hPrev, j)));
          }
        }
        // LSTM projection: h_t = Wr·H_t
        const hOut = spec.projSize ? Array.from({ length: S }, (_, p) => hNew.reduce((a, v, j) => a + proj(p, j) * v, 0)) : hNew;
        Y.set(hOut, yIndex(t, d, b));
        hPrev = hOut;
        lastOut = hOut;
        if (spec.cell === "lstm") cPrev = cNew;
      }
      if (len > 0) {
        Y_h.set(hPrev, sIndex(d, b, S));
        if (Y_c) Y_c.set(cPrev, sIndex(d, b, H));
      }
    }
  }
  return Y_c ? { Y, Y_h, Y_c } : { Y, Y_h };
}
