// Scalar f64 reference of the ONNX recurrent activation functions (the executable spec).
import type { Activation } from "../../src/layers/activations.js";

export function refActivation(a: Activation, x: number): number {
  const { alpha, beta } = a;
  switch (a.name) {
    case "Sigmoid": return 1 / (1 + Math.exp(-x));
    case "Tanh": return Math.tanh(x);
    case "Relu": return Number.isNaN(x) ? NaN : Math.max(0, x);
    case "Affine": return alpha * x + beta;
    case "LeakyRelu": return x >= 0 ? x : alpha * x;
    case "ThresholdedRelu": return x > alpha ? x : 0; // NaN → 0, as onnxruntime's x > α ? x : 0
    case "ScaledTanh": return alpha * Math.tanh(beta * x);
    case "HardSigmoid": return Number.isNaN(x) ? NaN : Math.min(1, Math.max(0, alpha * x + beta));
    case "Elu": return x >= 0 ? x : alpha * Math.expm1(x);
    case "Softsign": return x / (1 + Math.abs(x));
    case "Softplus": return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }
}
