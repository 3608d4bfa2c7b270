// The ONNX recurrent activation functions: names, kernel ids and alpha/beta defaults.
// Ids must match the ACT_* constants in assembly/f32-activations.ts (checked by
// test/kernels/activations.test.ts, which runs every id against the scalar reference).
import { InvalidArgumentError } from "../errors.js";

export const ACTIVATION_IDS = {
  Sigmoid: 0,
  Tanh: 1,
  Relu: 2,
  Affine: 3,
  LeakyRelu: 4,
  ThresholdedRelu: 5,
  ScaledTanh: 6,
  HardSigmoid: 7,
  Elu: 8,
  Softsign: 9,
  Softplus: 10,
} as const;

export type ActivationName = keyof typeof ACTIVATION_IDS;

export interface Activation {
  name: ActivationName;
  alpha: number;
  beta: number;
}

/** An activation as callers may write it: a name (any case) or a name with alpha/beta. */
export type ActivationInput = string | { name: string; alpha?: number; beta?: number };

// Which functions take alpha / beta, and the defaults when an ONNX list runs out. These are
// onnxruntime's (rnn_helpers): LeakyRelu 0.01, HardSigmoid 0.2/0.5, Elu 1.0, else 0 — checked
// by the onnxruntime fixtures in test/layers/onnxruntime.test.ts.
const TAKES: Record<ActivationName, { alpha?: number; beta?: number }> = {
  Sigmoid: {},
  Tanh: {},
  Relu: {},
  Softsign: {},
  Softplus: {},
  Affine: { alpha: 0, beta: 0 },
  LeakyRelu: { alpha: 0.01 },
  ThresholdedRelu: { alpha: 0 },
  ScaledTanh: { alpha: 0, beta: 0 },
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Elu: { alpha: 1.0 },
};

const BY_LOWER = new Map(Object.keys(ACTIVATION_IDS).map((n) => [n.toLowerCase(), n as ActivationName]));

export function activationName(name: string): ActivationName {
  const found = typeof name === "string" ? BY_LOWER.get(name.toLowerCase()) : undefined;
  if (!found) {
    throw new InvalidArgumentError(`activation: expected one of ${Object.keys(ACTIVATION_IDS).join(", ")}, found ${JSON.stringify(name)}`);
  }
  return found;
}

export function takesAlpha(name: ActivationName): boolean {
  return TAKES[name].alpha !== undefined;
}

export function takesBeta(name: ActivationName): boolean {
  return TAKES[name].beta !== undefined;
}

/** Fills in defaults; alpha/beta given for a function that takes none are ignored. */
export function normalizeActivation(a: ActivationInput): Activation {
  if (typeof a !== "string" && (a === null || typeof a !== "object")) {
    throw new InvalidArgumentError(`activation: expected a name or { name, alpha, beta }, found ${a === null ? "null" : typeof a}`);
  }
  const spec = typeof a === "string" ? { name: a } : a;
  const name = activationName(spec.name);
  const alpha = takesAlpha(name) ? spec.alpha ?? TAKES[name].alpha! : 0;
  const beta = takesBeta(name) ? spec.beta ?? TAKES[name].beta! : 0;
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new InvalidArgumentError(`activation ${name}: alpha and beta must be finite, found ${alpha}, ${beta}`);
  }
  return { name, alpha, beta };
}

/**
 * ONNX attribute form: names plus flat alpha/beta lists consumed in order by the functions
 * that take them (e.g. [LeakyRelu, Tanh, ScaledTanh] with alpha [a1, a2] → a1 to LeakyRelu,
 * a2 to ScaledTanh); a list that runs out leaves the defaults.
 */
export function fromOnnxLists(names: readonly string[], alphas: readonly number[] = [], betas: readonly number[] = []): Activation[] {
  let ai = 0;
  let bi = 0;
  return names.map((raw) => {
    const name = activationName(raw);
    const alpha = takesAlpha(name) && ai < alphas.length ? alphas[ai++] : undefined;
    const beta = takesBeta(name) && bi < betas.length ? betas[bi++] : undefined;
    return normalizeActivation({ name, alpha, beta });
  });
}

export const DEFAULT_ACTIVATIONS: Record<"lstm" | "gru" | "rnn", ActivationName[]> = {
  lstm: ["Sigmoid", "Tanh", "Tanh"],
  gru: ["Sigmoid", "Tanh"],
  rnn: ["Tanh"],
};
