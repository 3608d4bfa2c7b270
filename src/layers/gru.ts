// GRU cell. linear_before_reset ≠ 0: R packed per 4 units with z, r, h interleaved, and the
// recurrent h bias kept apart (it sits inside r⊙(…)). linear_before_reset = 0: z, r interleaved
// plus the h rows as GEMM panels for (r⊙H)·Rhᵀ, with both h biases folded into G.
import { type CellKernel, allocFloats, gateStride, packInputProjection, writeCellConfig } from "./cell.js";
import { ceil16, ceil4, groupFloats, packGroups, packPanels, panelFloats } from "./pack.js";

export const gruCell: CellKernel = {
  pack(arena, spec, d, blocks) {
    const H = spec.hiddenSize;
    const lbr = spec.linearBeforeReset;
    const { Wp, bias } = packInputProjection(arena, spec, d, blocks, lbr ? [2] : []);
    const rOff = d * 3 * H * H;
    let Rp: number;
    let Rh = 0;
    let Rbh = 0;
    if (lbr) {
      Rp = allocFloats(arena, blocks, groupFloats(H, 3, H), "recurrent weights");
      packGroups(arena.f32, Rp >> 2, spec.R, rOff, H, H, [0, 1, 2]);
      Rbh = allocFloats(arena, blocks, ceil4(H), "recurrent h bias");
      if (spec.B) arena.f32.set(spec.B.subarray(d * 6 * H + 5 * H, d * 6 * H + 6 * H), Rbh >> 2);
    } else {
      Rp = allocFloats(arena, blocks, groupFloats(H, 2, H), "recurrent weights");
      packGroups(arena.f32, Rp >> 2, spec.R, rOff, H, H, [0, 1]);
      Rh = allocFloats(arena, blocks, panelFloats(H, H), "recurrent h weights");
      packPanels(arena.f32, Rh >> 2, spec.R, rOff + 2 * H * H, H, H, (n) => n);
    }
    const cfg = writeCellConfig(arena, spec, d, blocks, lbr);
    return { Wp, bias, Rp, extra: { Rh, Rbh }, cfg };
  },
  scratchFloats: (spec, B) => (spec.linearBeforeReset ? 0 : B * (2 * ceil4(spec.hiddenSize) + ceil16(spec.hiddenSize))),
  run(k, spec, p, r) {
    const H = spec.hiddenSize;
    k.f32_gru_seq(r.G, gateStride(spec), p.Rp, p.extra.Rh, p.extra.Rbh, r.H0, r.Y, r.ldy, r.lens, r.table, r.hp, r.mask, r.maskZero ? 1 : 0, r.scratch,
      r.B, H, H, r.reverse ? 1 : 0, p.cfg);
  },
};
