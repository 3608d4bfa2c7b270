// The TF.js weights manifest: groups of { paths: shard files, weights: [{ name, shape, dtype,
// quantization? }] }. A group's shards, concatenated in order, hold its weights back to back as
// little-endian tensors; all groups' shards in manifest order are what TF.js calls weightData.
// Quantized weights (tensorflowjs_converter --quantize_*) store uint8 / uint16 q with
// w = q·scale + min, or float16 bits; dtype is then the original dtype.
import { ModelFormatError, UnsupportedError } from "../../errors.js";
import { halfToFloat } from "../shared/float16.js";

export interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

export interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

export interface NamedTensor {
  data: Float32Array;
  dims: number[];
}

/** How shard bytes are found: all shards concatenated, by path, or a reader called per path. */
export type ShardSource = Uint8Array | Record<string, Uint8Array> | ((path: string) => Promise<Uint8Array>);

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Checks the manifest's structure; returns it typed. */
export function checkManifest(manifest: unknown, what = "weightsManifest"): ManifestGroup[] {
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${what}: expected a list of { paths, weights } groups, found ${manifest === null ? "null" : typeof manifest}`);
  manifest.forEach((g, i) => {
    const where = `${what}[${i}]`;
    if (!g || typeof g !== "object" || !Array.isArray(g.paths) || !Array.isArray(g.weights) || g.paths.some((p: unknown) => typeof p !== "string")) {
      throw new ModelFormatError(`${where}: expected { paths: string[], weights: [...] }`);
    }
    for (const w of g.weights as ManifestWeight[]) {
      if (!w || typeof w.name !== "string" || !Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || d < 0) || typeof w.dtype !== "string") {
        throw new ModelFormatError(`${where}: weight ${JSON.stringify(w?.name ?? w)}: expected { name, shape: non-negative integers, dtype }`);
      }
      const q = w.quantization;
      if (q !== undefined) {
        if (!q || !["uint8", "uint16", "float16"].includes(q.dtype)) {
          throw new UnsupportedError(`weight ${w.name}: quantization dtype ${JSON.stringify(q?.dtype)}; supported are uint8, uint16 (with scale and min) and float16`);
        }
        if (q.dtype !== "float16" && (typeof q.scale !== "number" || typeof q.min !== "number")) {
          throw new ModelFormatError(`weight ${w.name}: ${q.dtype} quantization needs numeric scale and min`);
        }
      } else if (!(w.dtype in BYTES) || w.dtype === "uint8" || w.dtype === "uint16" || w.dtype === "float16") {
        throw new UnsupportedError(`weight ${w.name}: dtype ${JSON.stringify(w.dtype)}; supported are float32, int32 and bool (and quantized uint8/uint16/float16)`);
      }
    }
  });
  return manifest as ManifestGroup[];
}

function byteSize(w: ManifestWeight): number {
  return w.shape.reduce((a, b) => a * b, 1) * BYTES[w.quantization?.dtype ?? w.dtype];
}

/** Reads every weight of the manifest as float32, checking shard sizes against it. */
export async function readManifestWeights(groups: ManifestGroup[], shards: ShardSource): Promise<Map<string, NamedTensor>> {
  const out = new Map<string, NamedTensor>();
  const sizes = groups.map((g) => g.weights.reduce((n, w) => n + byteSize(w), 0));
  let whole: Uint8Array | undefined;
  if (shards instanceof Uint8Array) {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (shards.length !== total) {
      throw new ModelFormatError(`weights: the manifest describes ${total} bytes, the weight data has ${shards.length}${shards.length < total ? " (truncated)" : ""}`);
    }
    whole = shards;
  }
  let at = 0;
  for (const [i, g] of groups.entries()) {
    let buffer: Uint8Array;
    if (whole) {
      buffer = whole.subarray(at, at + sizes[i]);
      at += sizes[i];
    } else {
      buffer = concat(await Promise.all(g.paths.map((p) => shard(shards as Exclude<ShardSource, Uint8Array>, p))));
      if (buffer.length !== sizes[i]) {
        throw new ModelFormatError(
          `weights: group ${i} (${g.paths.join(", ")}) should hold ${sizes[i]} bytes for its ${g.weights.length} weights, its shards have ${buffer.length}${buffer.length < sizes[i] ? " (truncated)" : ""}`,
        );
      }
    }
    let offset = 0;
    for (const w of g.weights) {
      const n = byteSize(w);
      if (out.has(w.name)) throw new ModelFormatError(`weightsManifest: weight ${w.name} appears twice`);
      out.set(w.name, { data: decode(w, buffer.subarray(offset, offset + n)), dims: [...w.shape] });
      offset += n;
    }
  }
  return out;
}

async function shard(src: Record<string, Uint8Array> | ((path: string) => Promise<Uint8Array>), path: string): Promise<Uint8Array> {
  if (typeof src === "function") return src(path);
  const bytes = src[path] ?? src[path.replace(/^\.\//, "")] ?? src[`./${path}`];
  if (!bytes) throw new ModelFormatError(`weights: no bytes for shard ${JSON.stringify(path)} (given: ${Object.keys(src).map((k) => JSON.stringify(k)).join(", ") || "none"})`);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decode(w: ManifestWeight, bytes: Uint8Array): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = w.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const q = w.quantization;
  switch (q?.dtype ?? w.dtype) {
    case "float32":
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
      break;
    case "int32":
      for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true);
      break;
    case "bool":
    case "uint8":
      for (let i = 0; i < n; i++) out[i] = q ? bytes[i] * q.scale! + q.min! : bytes[i];
      break;
    case "uint16":
      for (let i = 0; i < n; i++) out[i] = v.getUint16(2 * i, true) * q!.scale! + q!.min!;
      break;
    case "float16":
      for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true));
  }
  return out;
}
