// LSTM cell: packs R in GEMM panels (gate-major rows i, o, f, c like G), the peepholes and the
// optional projection, and runs assembly/f32-lstm.ts's f32_lstm_seq for one direction.
import { type CellKernel, allocFloats, runSteps, gateStride, packInputProjection, writeCellConfig } from "./cell.js";
import { ceil16, ceil4, packGateMajor, packRows, panelFloats } from "./pack.js";

export const lstmCell: CellKernel = {
  pack(arena, spec, d, blocks, kernels) {
    const { hiddenSize: H, stateSize: S, projSize } = spec;
    const { Wp, bias } = packInputProjection(arena, spec, d, blocks, kernels);
    const Rp = allocFloats(arena, blocks, panelFloats(4 * ceil4(H), S), "recurrent weights");
    packGateMajor(arena, kernels, Rp, spec.R, d * 4 * H * S, S, 4, H);
    let Wr = 0;
    if (spec.projection) {
      Wr = allocFloats(arena, blocks, panelFloats(projSize, H), "projection");
      packRows(arena, kernels, Wr, spec.projection, d * projSize * H, H, 0, projSize);
    }
    let P = 0;
    if (spec.P) {
      // Same gate-major padding as G: i at 0, o at Hp, f at 2·Hp.
      const Hp = ceil4(H);
      P = allocFloats(arena, blocks, 3 * Hp, "peepholes");
      const f32 = arena.f32;
      for (let g = 0; g < 3; g++) {
        for (let u = 0; u < H; u++) f32[(P >> 2) + g * Hp + u] = spec.P[d * 3 * H + g * H + u];
      }
    }
    const cfg = writeCellConfig(arena, spec, d, blocks, spec.inputForget);
    return { Wp, bias, Rp, extra: { P, Wr }, cfg };
  },
  scratchFloats: (spec, rows) => rows * (gateStride(spec) + (spec.projSize ? ceil4(spec.hiddenSize) + ceil16(spec.projSize) : 0)),
  run(k, spec, p, r) {
    const ldg = gateStride(spec);
    runSteps((s0, s1) => k.f32_lstm_seq(r.G, ldg, p.Rp, p.extra.P, r.C, r.H0, r.Y, r.ldy, r.lens, r.table, r.hp, r.mask, r.maskZero ? 1 : 0,
      r.B, r.b0, r.b1, spec.hiddenSize, spec.stateSize, r.reverse ? 1 : 0, p.cfg, p.extra.Wr, r.scratch, s0, s1, r.u0 ?? 0, r.u1 ?? 0, r.bar ?? 0), r.steps);
  },
};
