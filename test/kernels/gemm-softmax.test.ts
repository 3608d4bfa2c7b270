// f32_gemm_2x16 and f32_softmax against scalar f64 references, sizes around the tile edges.
import { beforeAll, describe, expect, it } from "vitest";
import { ceil16, packPanels, panelFloats } from "../../src/layers/pack.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { int, rng, uniform } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});

function put(data: Float32Array): number {
  const p = rt.arena.alloc(data.length * 4, "test");
  rt.arena.f32.set(data, p >> 2);
  return p;
}

describe("f32_gemm_2x16", () => {
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];
  it("Y = X·Wᵀ + b for M, K around the 2×16 tile and N not a multiple of 16", () => {
    const rand = rng(7);
    for (let trial = 0; trial < 120; trial++) {
      const M = sizes[trial % sizes.length];
      const K = sizes[int(rand, 0, sizes.length - 1)];
      const N = int(rand, 1, 50);
      const ldx = K + int(rand, 0, 3);
      const X = uniform(rand, M * ldx, 2);
      const W = uniform(rand, N * K);
      const bias = uniform(rand, N);
      const Np = ceil16(N);
      const packed = new Float32Array(panelFloats(N, K));
      packPanels(packed, 0, W, 0, K, N, (n) => n);
      const bp = new Float32Array(Np);
      bp.set(bias);
      const withBias = trial % 4 !== 0;
      const pX = put(X), pW = put(packed), pB = withBias ? put(bp) : 0;
      const ldy = Np + 16 * (trial % 2);
      const pY = rt.arena.alloc(M * ldy * 4, "Y");
      rt.kernels.f32_gemm_2x16(pX, ldx, M, K, pW, pB, pY, ldy, Np);
      const Y = rt.arena.f32;
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < Np; n++) {
          let want = withBias && n < N ? bias[n] : 0;
          for (let k = 0; k < K; k++) want += X[m * ldx + k] * (n < N ? W[n * K + k] : 0);
          const got = Y[(pY >> 2) + m * ldy + n];
          if (!(Math.abs(got - want) <= 1e-6 + 1e-6 * Math.abs(want))) {
            expect.fail(`M${M} K${K} N${N} trial ${trial}: Y[${m},${n}] = ${got}, want ${want}`);
          }
        }
      }
      for (const p of [pX, pW, pB, pY]) rt.arena.release(p);
    }
  });

  it("a row's result does not depend on whether it was computed in a pair", () => {
    const rand = rng(11);
    const K = 37, N = 32;
    const X = uniform(rand, 3 * K);
    const packed = new Float32Array(panelFloats(N, K));
    packPanels(packed, 0, uniform(rand, N * K), 0, K, N, (n) => n);
    const pX = put(X), pW = put(packed), pY = rt.arena.alloc(3 * N * 4, "Y");
    rt.kernels.f32_gemm_2x16(pX, K, 3, K, pW, 0, pY, N, N); // rows 0,1 paired; row 2 alone
    const three = rt.arena.f32.slice(pY >> 2, (pY >> 2) + 3 * N);
    rt.kernels.f32_gemm_2x16(pX + 2 * K * 4, K, 1, K, pW, 0, pY, N, N);
    const alone = rt.arena.f32.slice(pY >> 2, (pY >> 2) + N);
    rt.kernels.f32_gemm_2x16(pX + K * 4, K, 2, K, pW, 0, pY, N, N); // row 2 now second of a pair
    const paired = rt.arena.f32.slice((pY >> 2) + N, (pY >> 2) + 2 * N);
    expect(alone).toEqual(three.slice(2 * N));
    expect(paired).toEqual(alone);
  });
});

describe("f32_softmax", () => {
  it("softmax and log-softmax rows match f64, any N, saturating inputs", () => {
    const rand = rng(3);
    for (const N of [1, 2, 3, 4, 5, 7, 8, 9, 33, 97]) {
      for (const log of [0, 1]) {
        const M = 3;
        const ld = ceil16(N);
        const X = uniform(rand, M * ld, N === 97 ? 60 : 8);
        const p = put(X);
        rt.kernels.f32_softmax(p, ld, M, N, log);
        const got = rt.arena.f32.slice(p >> 2, (p >> 2) + M * ld);
        for (let m = 0; m < M; m++) {
          const row = Array.from(X.subarray(m * ld, m * ld + N));
          const mx = Math.max(...row);
          const sum = row.reduce((s, v) => s + Math.exp(v - mx), 0);
          for (let j = 0; j < N; j++) {
            const want = log ? row[j] - mx - Math.log(sum) : Math.exp(row[j] - mx) / sum;
            const tol = log ? 2e-6 * Math.max(1, Math.abs(want)) : 2e-7 + 4e-7 * want;
            if (!(Math.abs(got[m * ld + j] - want) <= tol)) expect.fail(`N${N} log${log} [${m},${j}] = ${got[m * ld + j]}, want ${want}`);
          }
        }
        rt.arena.release(p);
      }
    }
  });

  it("NaN in a row makes that row NaN and leaves the others alone", () => {
    const X = Float32Array.from([1, NaN, 2, 0, 1, 2, 3, 0]);
    const p = put(X);
    rt.kernels.f32_softmax(p, 4, 2, 3, 0);
    const got = rt.arena.f32.slice(p >> 2, (p >> 2) + 8);
    expect(Array.from(got.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(got[4] + got[5] + got[6]).toBeCloseTo(1, 6);
  });
});
