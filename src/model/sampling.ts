// Choosing the next token from a model's scores: temperature, top-k, top-p (nucleus), and a
// seeded random source so that a seed gives the same text on every runtime.
import { InvalidArgumentError } from "../errors.js";

export interface SamplingOptions {
  /** 0 = greedy (argmax); default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or absent = all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 = all). */
  topP?: number;
}

/** xoshiro128**: a small, well-studied generator; seeded through splitmix32. Floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  const split = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r / 4294967296;
  };
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

export function checkSampling(o: SamplingOptions): void {
  const { temperature = 1, topK = 0, topP = 1 } = o;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new InvalidArgumentError(`temperature: expected a number ≥ 0, found ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError(`topK: expected an integer ≥ 0, found ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError(`topP: expected 0 < p ≤ 1, found ${topP}`);
}

/**
 * Picks an index from scores (logits or log-probabilities; they differ by a constant).
 * Deterministic for a given `random` sequence; NaN scores are never picked.
 */
export function sampleIndex(scores: ArrayLike<number>, options: SamplingOptions, random: () => number): number {
  const n = scores.length;
  const { temperature = 1, topK = 0, topP = 1 } = options;
  let best = -1;
  for (let i = 0; i < n; i++) if (!Number.isNaN(scores[i]) && (best < 0 || scores[i] > scores[best])) best = i;
  if (best < 0) throw new InvalidArgumentError("sampling: every score is NaN (the model produced NaN)");
  if (temperature === 0 || topK === 1) return best;
  // Candidates sorted by score, then cut by top-k; probabilities in f64 for a stable top-p.
  let order = Array.from({ length: n }, (_, i) => i).filter((i) => !Number.isNaN(scores[i]));
  order.sort((i, j) => scores[j] - scores[i] || i - j);
  if (topK > 0) order = order.slice(0, topK);
  const max = scores[best];
  const p = order.map((i) => Math.exp((scores[i] - max) / temperature));
  let total = p.reduce((s, v) => s + v, 0);
  if (topP < 1) {
    let acc = 0;
    let keep = 0;
    while (keep < p.length && acc < topP * total) acc += p[keep++];
    order = order.slice(0, Math.max(1, keep));
    p.length = order.length;
    total = acc;
  }
  let u = random() * total;
  for (let k = 0; k < order.length; k++) {
    u -= p[k];
    if (u < 0) return order[k];
  }
  return order[order.length - 1];
}
