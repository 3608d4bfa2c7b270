// Plain RNN cell: R packed in 16-row GEMM panels; runs assembly/f32-rnn.ts's f32_rnn_seq.
import { type CellKernel, allocFloats, runSteps, gateStride, packInputProjection, writeCellConfig } from "./cell.js";
import { packRows, panelFloats } from "./pack.js";

export const rnnCell: CellKernel = {
  pack(arena, spec, d, blocks, kernels) {
    const H = spec.hiddenSize;
    const { Wp, bias } = packInputProjection(arena, spec, d, blocks, kernels);
    const Rp = allocFloats(arena, blocks, panelFloats(H, H), "recurrent weights");
    packRows(arena, kernels, Rp, spec.R, d * H * H, H, 0, H);
    const cfg = writeCellConfig(arena, spec, d, blocks, false);
    return { Wp, bias, Rp, extra: {}, cfg };
  },
  scratchFloats: (spec, rows) => rows * gateStride(spec),
  run(k, spec, p, r) {
    const H = spec.hiddenSize;
    const ldg = gateStride(spec);
    runSteps((s0, s1) => k.f32_rnn_seq(r.G, ldg, p.Rp, r.H0, r.Y, r.ldy, r.lens, r.table, r.hp, r.mask, r.maskZero ? 1 : 0,
      r.B, r.b0, r.b1, H, H, r.reverse ? 1 : 0, p.cfg, r.scratch, s0, s1, r.u0 ?? 0, r.u1 ?? 0, r.bar ?? 0), r.steps);
  },
};
