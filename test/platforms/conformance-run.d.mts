// Types of conformance-run.mjs (plain JavaScript so that browsers and Workers load it as is).
export interface ConformanceBundle {
  version: number;
  cases: { name: string; kind: string; expected: Record<string, Float32Array>; [field: string]: unknown }[];
}

export interface CaseResult {
  name: string;
  ok: boolean;
  maxAbsError: number;
  /** Largest |actual − expected| / (1e-5 + 1e-4·|expected|); the case passes when ≤ 1. */
  worst: number;
}

export interface ConformanceResult {
  build: "simd" | "relaxed-simd" | "custom";
  /** SHA-256 (hex) of every output's float32 bytes, in bundle order. */
  digest: string;
  floats: number;
  ok: boolean;
  cases: CaseResult[];
  /** With the default build: the threads check (runThreads). */
  threads?: ThreadsResult;
}

export function parseBundle(text: string): ConformanceBundle;
export function runConformance(
  api: unknown,
  bundle: ConformanceBundle,
  options?: { simd?: "default" | "relaxed" | "relaxed-only" },
): Promise<ConformanceResult>;

export interface ThreadsResult {
  /** Threads the 2-thread runtime had once its workers were ready (1: none could start). */
  ready: number;
  /** Digests of the same layers' outputs on 1 thread and on 2. */
  digests: [string, string];
}

export function runThreads(api: unknown): Promise<ThreadsResult>;
