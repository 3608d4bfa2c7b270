// Reads the committed PyTorch reference fixtures (test/fixtures/torch/*.json, made by
// scripts/fixtures/torch_fixtures.py) and compares arrays with a clear failure message.
import { readdirSync, readFileSync } from "node:fs";

/** A tensor as stored in a fixture: dims plus base64 of little-endian float32, row-major. */
export interface StoredTensor {
  dims: number[];
  data: string;
}

export interface DecodedTensor {
  dims: number[];
  data: Float32Array;
}

export type TorchModule = "LSTM" | "GRU" | "RNN";

export interface TorchConfig {
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bidirectional: boolean;
  batch_first: boolean;
  bias: boolean;
  /** Only meaningful for RNN; written for every module. */
  nonlinearity: "tanh" | "relu";
  /** 0 = no projection (LSTM only). */
  proj_size: number;
}

export interface TorchFixture {
  /** File name without ".json". */
  name: string;
  module: TorchModule;
  config: TorchConfig;
  /** PyTorch state_dict names and shapes (weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0, ...). */
  stateDict: Record<string, DecodedTensor>;
  /** [T, B, I], or [B, T, I] when config.batch_first. */
  input: DecodedTensor;
  /** Per-row lengths (packed with enforce_sorted=False), or null when every row has length T. */
  lengths: number[] | null;
  h0: DecodedTensor | null;
  c0: DecodedTensor | null;
  /** [T, B, D·out] (or [B, T, D·out]); steps past a row's length are zero. out = proj_size || hidden_size. */
  output: DecodedTensor;
  /** [num_layers·D, B, out]. */
  h_n: DecodedTensor;
  /** [num_layers·D, B, hidden_size] for LSTM, else null. */
  c_n: DecodedTensor | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 little-endian float32 data, checking that its length matches the dims. */
export function decodeF32(t: StoredTensor): DecodedTensor {
  if (t === null || typeof t !== "object" || !Array.isArray(t.dims) || typeof t.data !== "string") {
    throw new Error(`decodeF32: expected { dims: number[], data: string }, got ${JSON.stringify(t)?.slice(0, 80)}`);
  }
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`decodeF32: bad dims [${t.dims.join(", ")}]`);
  }
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length % 4 !== 0 || !BASE64.test(t.data)) {
    throw new Error(`decodeF32: data for dims [${t.dims.join(", ")}] is not valid base64`);
  }
  const bytes = Buffer.from(t.data, "base64");
  if (bytes.length !== count * 4) {
    throw new Error(
      `decodeF32: dims [${t.dims.join(", ")}] need ${count} float32 (${count * 4} bytes), data has ${bytes.length} bytes`,
    );
  }
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return { dims: [...t.dims], data: out };
}

function decodeOrNull(t: StoredTensor | null | undefined): DecodedTensor | null {
  return t == null ? null : decodeF32(t);
}

/** The folder holding the fixtures, as a file: URL. */
export const TORCH_FIXTURE_DIR = new URL("../fixtures/torch/", import.meta.url);

interface RawFixture {
  module: TorchModule;
  config: TorchConfig;
  state_dict: Record<string, StoredTensor>;
  input: StoredTensor;
  lengths: number[] | null;
  h0: StoredTensor | null;
  c0: StoredTensor | null;
  output: StoredTensor;
  h_n: StoredTensor;
  c_n: StoredTensor | null;
}

function parseFixture(name: string, text: string): TorchFixture {
  const raw = JSON.parse(text) as RawFixture;
  if (raw.module !== "LSTM" && raw.module !== "GRU" && raw.module !== "RNN") {
    throw new Error(`fixture ${name}: unknown module ${JSON.stringify(raw.module)}`);
  }
  try {
    const stateDict: Record<string, DecodedTensor> = {};
    for (const [k, v] of Object.entries(raw.state_dict)) stateDict[k] = decodeF32(v);
    return {
      name,
      module: raw.module,
      config: { ...raw.config },
      stateDict,
      input: decodeF32(raw.input),
      lengths: raw.lengths == null ? null : [...raw.lengths],
      h0: decodeOrNull(raw.h0),
      c0: decodeOrNull(raw.c0),
      output: decodeF32(raw.output),
      h_n: decodeF32(raw.h_n),
      c_n: decodeOrNull(raw.c_n),
    };
  } catch (e) {
    throw new Error(`fixture ${name}: ${(e as Error).message}`);
  }
}

let cache: TorchFixture[] | undefined;

/** Every fixture in test/fixtures/torch/, sorted by name. Decoded once per process. */
export function loadTorchFixtures(): TorchFixture[] {
  if (cache === undefined) {
    const files = readdirSync(TORCH_FIXTURE_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort();
    cache = files.map((f) => parseFixture(f.slice(0, -5), readFileSync(new URL(f, TORCH_FIXTURE_DIR), "utf8")));
  }
  return cache;
}

/**
 * Throws unless every |actual[i] − expected[i]| ≤ atol + rtol·|expected[i]| and the lengths agree.
 * NaN matches only NaN; infinities match only the same infinity. The reported max abs error is
 * Infinity when a NaN meets a number.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  atol = 1e-5,
  rtol = 1e-4,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} differs from expected length ${expected.length}`);
  }
  let failures = 0;
  let first = -1;
  let maxAbs = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      ok = Number.isNaN(a) && Number.isNaN(e);
      if (!ok) maxAbs = Infinity;
    } else if (a === e) {
      ok = true;
    } else if (!Number.isFinite(a) || !Number.isFinite(e)) {
      ok = false; // an infinity only matches the same infinity
      maxAbs = Infinity;
    } else {
      const d = Math.abs(a - e);
      if (d > maxAbs) maxAbs = d;
      ok = d <= atol + rtol * Math.abs(e);
    }
    if (!ok) {
      failures++;
      if (first < 0) first = i;
    }
  }
  if (failures > 0) {
    throw new Error(
      `${label}: ${failures} of ${expected.length} elements differ (atol ${atol}, rtol ${rtol}); ` +
        `first at index ${first}: actual ${actual[first]}, expected ${expected[first]}; max abs error ${maxAbs}`,
    );
  }
}
