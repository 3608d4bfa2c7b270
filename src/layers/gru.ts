// GRU cell. linear_before_reset ≠ 0: R in GEMM panels (gate-major rows z, r, h like G), and the
// recurrent h bias kept apart (it sits inside r⊙(…)). linear_before_reset = 0: the z and r rows
// in panels, plus the h rows in panels of their own for (r⊙H)·Rhᵀ, with both h biases in G.
import { type CellKernel, allocFloats, runSteps, gateStride, packInputProjection, writeCellConfig } from "./cell.js";
import { ceil16, ceil4, packGateMajor, packRows, panelFloats } from "./pack.js";

export const gruCell: CellKernel = {
  pack(arena, spec, d, blocks, kernels) {
    const H = spec.hiddenSize;
    const lbr = spec.linearBeforeReset;
    const { Wp, bias } = packInputProjection(arena, spec, d, blocks, kernels, lbr ? [2] : []);
    const rOff = d * 3 * H * H;
    let Rp: number;
    let Rh = 0;
    let Rbh = 0;
    if (lbr) {
      Rp = allocFloats(arena, blocks, panelFloats(3 * ceil4(H), H), "recurrent weights");
      packGateMajor(arena, kernels, Rp, spec.R, rOff, H, 3, H);
      Rbh = allocFloats(arena, blocks, ceil4(H), "recurrent h bias");
      if (spec.B) arena.f32.set(spec.B.subarray(d * 6 * H + 5 * H, d * 6 * H + 6 * H), Rbh >> 2);
    } else {
      Rp = allocFloats(arena, blocks, panelFloats(2 * ceil4(H), H), "recurrent weights");
      packGateMajor(arena, kernels, Rp, spec.R, rOff, H, 2, H);
      Rh = allocFloats(arena, blocks, panelFloats(H, H), "recurrent h weights");
      packRows(arena, kernels, Rh, spec.R, rOff + 2 * H * H, H, 0, H);
    }
    const cfg = writeCellConfig(arena, spec, d, blocks, lbr);
    return { Wp, bias, Rp, extra: { Rh, Rbh }, cfg };
  },
  scratchFloats(spec, rows) {
    const Hp = ceil4(spec.hiddenSize);
    return rows * (spec.linearBeforeReset ? gateStride(spec) : ceil16(2 * Hp) + Hp + ceil16(spec.hiddenSize));
  },
  run(k, spec, p, r) {
    const H = spec.hiddenSize;
    const ldg = gateStride(spec);
    runSteps((s0, s1) => k.f32_gru_seq(r.G, ldg, p.Rp, p.extra.Rh, p.extra.Rbh, r.H0, r.Y, r.ldy, r.lens, r.table, r.hp, r.mask, r.maskZero ? 1 : 0,
      r.scratch, r.B, r.b0, r.b1, H, H, r.reverse ? 1 : 0, p.cfg, s0, s1, r.u0 ?? 0, r.u1 ?? 0, r.bar ?? 0), r.steps);
  },
};
