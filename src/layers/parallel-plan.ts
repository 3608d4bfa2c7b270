// How a recurrent layer's work splits over the thread pool (recurrent-layer.ts runs the plans).
// Every split keeps each number's arithmetic exactly as on one thread — the kernels' sums never
// depend on the other rows or units — so results are the same bits on any number of threads.
//
//   bidirectional      one direction per thread, one phase.
//   by units           the input projection split by rows, then every time step split by units
//                      (whole 16-column panels of each gate), the threads meeting at the pool's
//                      step barrier between steps. Each thread streams only its share of R, so
//                      a weight matrix that overflows one core's L2 cache can fit in two; and
//                      each weight still serves every batch row.
//   by batch rows      the projection by rows, then the recurrence by batch slices (no barrier):
//                      for layers the unit split does not cover (see unitSplit in cell.ts).
import type { Kernels } from "../runtime/kernels.js";
import { type KernelCall, type Phase, type PreparedPhase, type ThreadPool, ranges, recorder } from "../runtime/thread-pool.js";
import { type PackedDirection, gateStride, unitSplit } from "./cell.js";
import { ceil4 } from "./pack.js";
import type { NormalizedSpec } from "./spec.js";

/** A thread's share of the units of every step (DirectionRun.u0/u1/bar). */
export interface UnitShare {
  u0: number;
  u1: number;
  bar: number;
}

/** One forward pass of a layer (T steps, B rows), as the planner sees it (RecurrentLayer). */
export interface PlanHost {
  readonly spec: NormalizedSpec;
  /** Direction d's input projection of the (t, b) rows m0 ≤ m < m1. */
  project(k: Kernels, d: number, m0: number, m1: number): void;
  /** Direction d's recurrence over batch rows b0 ≤ b < b1; `slice` names its private buffers. */
  recur(k: Kernels, d: number, b0: number, b1: number, slice: number, share?: UnitShare): void;
}

/** Records the calls `run` makes. */
export function record(real: Kernels, run: (k: Kernels) => void): KernelCall[] {
  const rec = recorder(real);
  run(rec.kernels);
  return rec.calls;
}

/** Unit slices of ≥ 16 units for up to `threads` threads, or undefined if fewer than 2. */
export function unitSlices(spec: NormalizedSpec, threads: number): [number, number][] | undefined {
  const units = unitSplit(spec);
  const slices = ranges(units, Math.min(threads, units >> 4), 16);
  return slices.length >= 2 ? slices : undefined;
}

/** The phases of a forward pass over `pool.size + 1` threads, or undefined to run it on one. */
export function planForward(host: PlanHost, k: Kernels, pool: ThreadPool, T: number, B: number): Phase[] | undefined {
  const { spec } = host;
  const threads = pool.size + 1;
  if (spec.dirs === 2) {
    return [{ jobs: [0, 1].map((d) => record(k, (r) => (host.project(r, d, 0, T * B), host.recur(r, d, 0, B, 0)))) }];
  }
  const units = unitSlices(spec, threads);
  if (units) {
    // Row ranges start at even rows: the GEMM pairs rows, and keeps the same pairs this way.
    const project = ranges(T * B, units.length, 2).map(([m0, m1]) => record(k, (r) => host.project(r, 0, m0, m1)));
    const recur = units.map(([u0, u1], i) => record(k, (r) => host.recur(r, 0, 0, B, i, { u0, u1, bar: pool.barrier })));
    if (pool.fits(recur)) return [{ jobs: project }, { jobs: recur, synced: true }];
  }
  const n = Math.min(threads, B);
  if (n < 2) return undefined;
  return [
    { jobs: ranges(T * B, n, 2).map(([m0, m1]) => record(k, (r) => host.project(r, 0, m0, m1))) },
    { jobs: ranges(B, n, 1).map(([b0, b1], i) => record(k, (r) => host.recur(r, 0, b0, b1, i))) },
  ];
}

/**
 * One stream step split by units: each thread computes its columns of the input projection,
 * then its units of the cell (one step: no barrier). Prepared once per state buffer, since a
 * stream's h ping-pongs between two; `step` records one step's calls for a thread.
 */
export function prepareStep(
  pool: ThreadPool, k: Kernels, spec: NormalizedSpec, p: PackedDirection, B: number,
  step: (k: Kernels, slice: number, share: UnitShare) => void, x: number, G: number,
): PreparedPhase | undefined {
  const slices = unitSlices(spec, pool.size + 1);
  if (!slices) return undefined;
  const I = spec.inputSize;
  const ldg = gateStride(spec);
  const Hp = ceil4(spec.hiddenSize);
  const jobs = slices.map(([u0, u1], i) => record(k, (r) => {
    for (let g = 0; g < spec.gates; g++) {
      const col = g * Hp + u0;
      r.f32_gemm_2x16(x, I, B, I, p.Wp + (col >> 4) * I * 64, p.bias + col * 4, G + col * 4, ldg, u1 - u0);
    }
    step(r, i, { u0, u1, bar: 0 });
  }));
  return pool.prepare(k, jobs);
}
