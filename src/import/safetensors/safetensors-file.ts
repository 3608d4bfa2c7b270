// The safetensors container (Hugging Face): an 8-byte little-endian header length n, n bytes of
// JSON { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } },
// then the tensor bytes (little-endian, row-major), offsets relative to byte 8 + n.
// Read here directly rather than through a library: the format is this small, the maintained
// readers are Rust/Python (the JS ones are thin, unmaintained wrappers), and we want every check
// below to fail with our typed errors before anything large is allocated.
import { ModelFormatError, UnsupportedError } from "../../errors.js";
import { halfToFloat } from "../shared/float16.js";

/** Bytes per element of every dtype the format defines. */
const ITEM_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** Largest header accepted (the reference Rust reader's limit): a bigger one is not a model's. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  bytes: Uint8Array;
  /** In header order. */
  tensors: Map<string, SafetensorsEntry>;
  /** The "__metadata__" strings (empty when absent). */
  metadata: Record<string, string>;
}

/** Parses and checks the header; tensor bytes are only sliced when read (readFloat32). */
export function parseSafetensors(input: Uint8Array | ArrayBuffer, options: { maxHeaderBytes?: number } = {}): SafetensorsFile {
  const what = "safetensors";
  const cap = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 8) throw new ModelFormatError(`${what}: truncated file: ${bytes.length} bytes, expected at least the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > bytes.length - 8) {
    throw new ModelFormatError(`${what}: header length ${n} exceeds the ${bytes.length - 8} bytes after the 8-byte length (truncated file or not safetensors)`);
  }
  if (n > cap) throw new ModelFormatError(`${what}: header length ${n} exceeds the limit of ${cap} bytes`);
  if (n < 2 || bytes[8] !== 0x7b) throw new ModelFormatError(`${what}: the header must be a JSON object starting with "{", found ${n < 1 ? "nothing" : `byte 0x${bytes[8].toString(16)}`} (wrong magic: not a safetensors file)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ModelFormatError(`${what}: the ${n}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw new ModelFormatError(`${what}: the header must be a JSON object`);
  const base = 8 + n;
  const dataBytes = bytes.length - base;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(v, what);
      continue;
    }
    tensors.set(name, checkEntry(name, v, base, dataBytes, what));
  }
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (b.begin < a.end) {
      throw new ModelFormatError(`${what}: tensors ${a.name} [${a.begin - base}, ${a.end - base}) and ${b.name} [${b.begin - base}, ${b.end - base}) overlap`);
    }
  }
  return { bytes, tensors, metadata };
}

function checkEntry(name: string, v: unknown, base: number, dataBytes: number, what: string): SafetensorsEntry {
  const where = `${what}: tensor ${name}`;
  if (!isObject(v)) throw new ModelFormatError(`${where}: expected { dtype, shape, data_offsets }, found ${JSON.stringify(v)}`);
  const { dtype, shape, data_offsets: offsets } = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== "string" || !(dtype in ITEM_SIZE)) {
    throw new ModelFormatError(`${where}: unknown dtype ${JSON.stringify(dtype)} (safetensors defines ${Object.keys(ITEM_SIZE).join(", ")})`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ModelFormatError(`${where}: shape must be a list of non-negative integers, found ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
    throw new ModelFormatError(`${where}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, found ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) {
    throw new ModelFormatError(`${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes): truncated file`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const size = count * ITEM_SIZE[dtype];
  if (end - begin !== size) {
    throw new ModelFormatError(`${where}: shape [${shape}] of ${dtype} needs ${size} bytes (${count} × ${ITEM_SIZE[dtype]}), data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: [...(shape as number[])], begin: base + begin, end: base + end };
}

function checkMetadata(v: unknown, what: string): Record<string, string> {
  if (!isObject(v) || Object.values(v).some((s) => typeof s !== "string")) {
    throw new ModelFormatError(`${what}: __metadata__ must map strings to strings, found ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return { ...(v as Record<string, string>) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A tensor's values as float32: F32 as is; F16 and BF16 widened exactly; F64 rounded. */
export function readFloat32(file: SafetensorsFile, entry: SafetensorsEntry): Float32Array {
  // A copy into a fresh, aligned buffer (offsets need not be aligned in the file; and Node's
  // Buffer.slice would share memory, so no slice()).
  const copy = new Uint8Array(entry.end - entry.begin);
  copy.set(file.bytes.subarray(entry.begin, entry.end));
  const raw = copy.buffer;
  switch (entry.dtype) {
    case "F32":
      return littleEndian(new Float32Array(raw), raw, 4, (v, i) => v.getFloat32(i, true));
    case "F64":
      return Float32Array.from(littleEndian(new Float64Array(raw), raw, 8, (v, i) => v.getFloat64(i, true)));
    case "F16":
      return widen16(raw, halfToFloat);
    case "BF16":
      return widen16(raw, bf16ToFloat);
    default:
      throw new UnsupportedError(`tensor ${entry.name}: dtype ${entry.dtype} is not a float type; rnn-wasm reads F32, F16, BF16 and F64 weights`);
  }
}

const bf16 = new DataView(new ArrayBuffer(4));

/** bfloat16 → number (exact): the upper 16 bits of a float32. */
function bf16ToFloat(u: number): number {
  bf16.setUint32(0, u << 16);
  return bf16.getFloat32(0);
}
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The typed array as is on little-endian hosts (all current ones); element-wise reads otherwise. */
function littleEndian<A extends Float32Array | Float64Array>(a: A, raw: ArrayBuffer, size: number, get: (v: DataView, i: number) => number): A {
  if (LITTLE) return a;
  const v = new DataView(raw);
  for (let i = 0; i < a.length; i++) a[i] = get(v, i * size);
  return a;
}

function widen16(raw: ArrayBuffer, f: (u: number) => number): Float32Array {
  const v = new DataView(raw);
  const out = new Float32Array(raw.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = f(v.getUint16(2 * i, true));
  return out;
}

