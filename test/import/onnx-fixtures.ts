// Reads the ONNX export fixtures (test/fixtures/onnx/<name>.onnx + <name>.json, made by
// scripts/fixtures/torch_onnx_export.py): the model bytes, what it covers, and runs of
// inputs with PyTorch's reference outputs by graph name.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { type OnnxGraphModel, loadModel } from "../../src/import/onnx/index.js";
import type { Runtime } from "../../src/runtime/runtime.js";
import { type DecodedTensor, type StoredTensor, decodeF32 } from "../helpers/fixture-io.js";

export const ONNX_FIXTURE_DIR = new URL("../fixtures/onnx/", import.meta.url);

export interface TokenInput {
  dims: number[];
  data: number[];
}

export interface OnnxRun {
  inputs: Record<string, DecodedTensor | TokenInput>;
  outputs: Record<string, DecodedTensor>;
}

export interface OnnxFixture {
  name: string;
  exporter: "torch.onnx.export" | "onnx.helper";
  opset: number;
  covers: string;
  /** op_types in the exported graph */
  ops: string[];
  dynamic: boolean;
  /** The external-data file name, or null. */
  external: string | null;
  runs: OnnxRun[];
  bytes: Uint8Array;
}

interface RawFixture {
  exporter: OnnxFixture["exporter"];
  opset: number;
  covers: string;
  ops: string[];
  dynamic: boolean;
  external: string | null;
  runs: { inputs: Record<string, StoredTensor | { dims: number[]; ints: number[] }>; outputs: Record<string, StoredTensor> }[];
}

const read = (file: string) => new Uint8Array(readFileSync(new URL(file, ONNX_FIXTURE_DIR)));

export function readFixtureFile(file: string): Uint8Array {
  return read(file);
}

let cache: OnnxFixture[] | undefined;

/** Every fixture, sorted by name. */
export function loadOnnxFixtures(): OnnxFixture[] {
  if (cache) return cache;
  cache = readdirSync(ONNX_FIXTURE_DIR).filter((f) => f.endsWith(".json")).sort().map((f) => {
    const name = f.slice(0, -5);
    const raw = JSON.parse(readFileSync(new URL(f, ONNX_FIXTURE_DIR), "utf8")) as RawFixture;
    if (!existsSync(new URL(`${name}.onnx`, ONNX_FIXTURE_DIR))) throw new Error(`fixture ${name}: ${name}.onnx is missing`);
    const runs = raw.runs.map((r) => ({
      inputs: Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, "ints" in v ? { dims: v.dims, data: v.ints } : decodeF32(v)])),
      outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, decodeF32(v)])),
    }));
    return { name, exporter: raw.exporter, opset: raw.opset, covers: raw.covers, ops: raw.ops, dynamic: raw.dynamic, external: raw.external, runs, bytes: read(`${name}.onnx`) };
  });
  return cache;
}

export function onnxFixture(name: string): OnnxFixture {
  const f = loadOnnxFixtures().find((x) => x.name === name);
  if (!f) throw new Error(`no ONNX fixture named ${name}`);
  return f;
}

/** Loads a fixture's model (with its external-data file, if any). */
export async function loadFixture(f: OnnxFixture, runtime: Runtime): Promise<OnnxGraphModel> {
  const source = f.external ? { model: f.bytes, externalData: { [f.external]: readFixtureFile(f.external) } } : f.bytes;
  return loadModel(source, { runtime });
}

/** The elements of `data` (row-major, `dims`) with axis `axis` fixed at index `at`, in order. */
export function sliceAxis(data: ArrayLike<number>, dims: readonly number[], axis: number, at: number, length = 1): number[] {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let k = at; k < at + length; k++) {
      const from = (o * dims[axis] + k) * inner;
      for (let i = 0; i < inner; i++) out.push(data[from + i]);
    }
  }
  return out;
}
