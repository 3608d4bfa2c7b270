// f32_activation (every ONNX activation, vectorized) against the f64 scalar reference.
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATION_IDS, type ActivationName, normalizeActivation } from "../../src/layers/activations.js";
import { Runtime } from "../../src/runtime/runtime.js";
import { refActivation } from "../reference/activations.js";
import { rng } from "../helpers/random.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.create();
});

const SPECIAL = [0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 1e-3, -1e-3, 0.5, -0.5, 0.625, 1, -1, 3, -3, 8.9, 9, -9, 20, -20,
  87, -87, 88, -88, 89, -89, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];

/** Runs the kernel over xs (odd count on purpose: the tail vector is partial). */
function run(name: ActivationName, xs: Float32Array, alpha: number, beta: number): Float32Array {
  const n = xs.length;
  const p = rt.arena.alloc(n * 4 + 16, "test");
  rt.arena.f32.set(xs, p >> 2);
  rt.kernels.f32_activation(p, p, n, ACTIVATION_IDS[name], alpha, beta);
  const out = rt.arena.f32.slice(p >> 2, (p >> 2) + n);
  rt.arena.release(p);
  return out;
}

// Max absolute error allowed against f64 (the kernels' documented accuracy), per function.
const ABS: Record<ActivationName, number> = {
  Sigmoid: 1e-7, Tanh: 1e-7, Relu: 0, Affine: 1.2e-7, LeakyRelu: 6e-8, ThresholdedRelu: 0, ScaledTanh: 2e-7,
  HardSigmoid: 1e-7, Elu: 2e-7, Softsign: 1e-7, Softplus: 2e-7,
};

describe("f32_activation", () => {
  for (const name of Object.keys(ACTIVATION_IDS) as ActivationName[]) {
    it(`${name} matches the f64 reference (random, saturating, ±Inf, NaN)`, () => {
      const rand = rng(ACTIVATION_IDS[name] + 1);
      const xs = new Float32Array(4001 + SPECIAL.length);
      for (let i = 0; i < 4001; i++) xs[i] = (rand() * 2 - 1) * (i % 3 === 0 ? 2 : 20);
      xs.set(SPECIAL, 4001);
      for (const [alpha, beta] of [[0.7, 0.3], [1.5, -0.25]]) {
        // alpha and beta are float32 in the kernel (and in ONNX attributes).
        const act = normalizeActivation({ name, alpha: Math.fround(alpha), beta: Math.fround(beta) });
        const got = run(name, xs, act.alpha, act.beta);
        let worst = 0;
        for (let i = 0; i < xs.length; i++) {
          const want = Math.fround(refActivation(act, xs[i]));
          if (Number.isNaN(want) || Number.isNaN(got[i])) {
            expect([i, xs[i], got[i]]).toEqual([i, xs[i], want]);
            continue;
          }
          if (!Number.isFinite(want)) {
            expect(got[i]).toBe(want);
            continue;
          }
          // Relative for large results (Affine, Relu of big x), absolute near zero.
          const err = Math.abs(got[i] - want) / Math.max(1, Math.abs(want));
          worst = Math.max(worst, err);
          if (err > ABS[name]) expect.fail(`${name}(${xs[i]}) = ${got[i]}, reference ${want}, error ${err}`);
        }
        expect(worst).toBeLessThanOrEqual(ABS[name]);
      }
    });
  }

  it("tanh keeps relative accuracy near zero (expm1, no cancellation)", () => {
    const xs = Float32Array.from([1e-6, -1e-6, 3e-5, 1e-4, -2e-3, 0.01, 0.1]);
    const got = run("Tanh", xs, 0, 0);
    xs.forEach((x, i) => expect(Math.abs(got[i] - Math.tanh(x)) / Math.abs(Math.tanh(x))).toBeLessThan(5e-7));
  });
});
