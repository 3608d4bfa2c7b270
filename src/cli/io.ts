// Reading model inputs and writing outputs for `rnn-wasm run`: JSON, NumPy .npy and CSV.
// .npy is read and written here directly: the format is a 10-byte preamble and a one-line
// Python-literal header (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html);
// the npm readers we looked at fetch over HTTP or pull in more than these ~80 lines.
import { InvalidArgumentError, ModelFormatError } from "../errors.js";
import { halfToFloat } from "../import/shared/float16.js";
import type { Tensor } from "../tensor.js";

/** An input as read from a file: float or integer data with its dims. */
export interface LoadedArray {
  data: Float32Array | Int32Array;
  dims: number[];
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

export function readNpy(bytes: Uint8Array, name = "input"): LoadedArray {
  if (!isNpy(bytes)) throw new ModelFormatError(`${name}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new ModelFormatError(`${name}: .npy header runs past the end of the file`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shape === undefined) throw new ModelFormatError(`${name}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === "True") throw new InvalidArgumentError(`${name}: Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray`);
  const dims = shape.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  const read: Record<string, [number, (o: number) => number]> = {
    "<f4": [4, (o) => view.getFloat32(o, true)],
    "<f8": [8, (o) => view.getFloat64(o, true)],
    "<i4": [4, (o) => view.getInt32(o, true)],
    "<i8": [8, (o) => Number(view.getBigInt64(o, true))],
    "<f2": [2, (o) => halfToFloat(view.getUint16(o, true))],
    "|u1": [1, (o) => view.getUint8(o)],
  };
  const r = read[descr];
  if (!r) throw new InvalidArgumentError(`${name}: .npy dtype ${descr} is not supported (float16/32/64, int32/64, uint8 are)`);
  if (body.length < count * r[0]) throw new ModelFormatError(`${name}: .npy data holds ${body.length} bytes, shape (${dims}) needs ${count * r[0]}`);
  const floats = descr[1] === "f";
  const data = floats ? new Float32Array(count) : new Int32Array(count);
  const base = body.byteOffset - bytes.byteOffset;
  for (let i = 0; i < count; i++) data[i] = r[1](base + i * r[0]);
  return { data, dims };
}


/** A float32 .npy (version 1.0) of the tensor. */
export function writeNpy(t: Tensor): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${t.dims.join(", ")}${t.dims.length === 1 ? "," : ""}), }`;
  // Pad with spaces so that data starts on a 64-byte boundary, ending with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + t.data.length * 4);
  out.set(NPY_MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, total);
  t.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** CSV: one time step per line, comma-separated features; a non-numeric first line is a header. Gives [T, 1, F]. */
export function readCsv(text: string, name = "input"): LoadedArray {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const rows = lines.map((l) => l.split(",").map((c) => c.trim()));
  if (rows.length > 0 && rows[0].some((c) => c === "" || Number.isNaN(Number(c)))) rows.shift();
  if (rows.length === 0) throw new InvalidArgumentError(`${name}: the CSV has no numeric rows`);
  const F = rows[0].length;
  const data = new Float32Array(rows.length * F);
  rows.forEach((r, t) => {
    if (r.length !== F) throw new InvalidArgumentError(`${name}: CSV line ${t + 1} has ${r.length} values, the first has ${F}`);
    r.forEach((c, j) => {
      const v = Number(c);
      if (c === "" || Number.isNaN(v)) throw new InvalidArgumentError(`${name}: CSV line ${t + 1}, column ${j + 1} is not a number: ${JSON.stringify(c)}`);
      data[t * F + j] = v;
    });
  });
  return { data, dims: [rows.length, 1, F] };
}

/**
 * JSON input: a nested array, { "dims": [...], "data": [...] }, or an object of named inputs of
 * either form. Integer-only data stays integer (token ids).
 */
export function readJson(text: string, name = "input"): Record<string, LoadedArray> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${name}: not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(v) || isDimsData(v)) return { input: toArray(v, name) };
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toArray(x, `${name}.${k}`)]));
  throw new InvalidArgumentError(`${name}: expected an array, { dims, data } or named inputs, found ${typeof v}`);
}

function isDimsData(v: unknown): v is { dims: number[]; data: number[] } {
  return !!v && typeof v === "object" && Array.isArray((v as { dims?: unknown }).dims) && Array.isArray((v as { data?: unknown }).data);
}

function toArray(v: unknown, name: string): LoadedArray {
  let dims: number[];
  let flat: unknown[];
  if (isDimsData(v)) {
    dims = v.dims;
    flat = v.data;
  } else if (Array.isArray(v)) {
    dims = [];
    for (let x: unknown = v; Array.isArray(x); x = x[0]) dims.push(x.length);
    flat = (v as unknown[]).flat(dims.length);
  } else throw new InvalidArgumentError(`${name}: expected a nested array or { dims, data }`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (flat.length !== count || flat.some((x) => typeof x !== "number")) {
    throw new InvalidArgumentError(`${name}: expected ${count} numbers for dims [${dims}] (a rectangular array), found ${flat.length} values`);
  }
  const nums = flat as number[];
  return { data: nums.every(Number.isInteger) ? Int32Array.from(nums) : Float32Array.from(nums), dims };
}

/** Outputs as JSON: { name: { dims, data } }. */
export function outputsToJson(outputs: Record<string, Tensor>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data) }])));
}
