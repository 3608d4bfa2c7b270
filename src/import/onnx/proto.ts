// Decodes ONNX protobuf (a ModelProto, or one serialized TensorProto such as ONNX test data)
// into plain typed objects, with protobufjs's Reader and the message decoders in wire.ts. Every
// failure is a ModelFormatError (malformed) or an UnsupportedError (valid ONNX we cannot read yet).
import { ModelFormatError, UnsupportedError } from "../../errors.js";
import { halfToFloat } from "../shared/float16.js";
import {
  AttributeType, DATA_LOCATION_EXTERNAL, DataType, type AttributeMsg, type GraphMsg, type Int64, type ModelMsg,
  ModelMessage, type NodeMsg, type TensorMsg, TensorMessage, type ValueInfoMsg,
} from "./wire.js";

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  graph: OnnxGraph;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  /** "" is the default ONNX domain (also written "ai.onnx"). */
  domain: string;
  /** "" marks an absent optional input or output. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export type OnnxAttribute =
  | { type: "float"; value: number }
  | { type: "int"; value: number }
  | { type: "string"; value: string }
  | { type: "tensor"; value: OnnxTensor }
  | { type: "graph"; value: OnnxGraph }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: number[] }
  | { type: "strings"; value: string[] }
  | { type: "tensors"; value: OnnxTensor[] }
  | { type: "graphs"; value: OnnxGraph[] }
  /** Sparse tensors and type protos: kept by kind only, for an operator to reject by name. */
  | { type: "unsupported"; kind: string };

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor value; 0 for non-tensor types (sequence, map…). */
  elemType: number;
  /** A number, a symbolic dimension name, or "?" for an unknown dimension; [] when the shape is unknown too. */
  dims: (number | string)[];
  /** False when the value has no shape at all (unknown rank). */
  hasShape: boolean;
}

export type OnnxTensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** TensorProto.DataType. FLOAT16 and BFLOAT16 data are their raw bits in a Uint16Array; BOOL is a Uint8Array. */
  dataType: number;
  /** Empty while `external` is set (see readExternalData). */
  data: OnnxTensorData;
  /** Where the data sit when they are stored outside the model (data_location EXTERNAL). */
  external?: ExternalDataRef;
}

/** TensorProto.external_data: a file named relative to the model, and a byte range in it. */
export interface ExternalDataRef {
  location: string;
  offset: number;
  /** Bytes; undefined means "to the end of the file" (onnx.proto), checked against the dims anyway. */
  length: number | undefined;
}

// Per data type: the typed array it decodes to, its element size in raw_data, and which typed
// field of TensorProto holds it otherwise (onnx.proto says which field each type uses).
type TypedCtor = { new (n: number): OnnxTensorData; new (b: ArrayBuffer, o: number, n: number): OnnxTensorData };
interface Kind {
  name: string;
  ctor: TypedCtor;
  bytes: number;
  field: "float_data" | "int32_data" | "int64_data" | "double_data" | "uint64_data";
}
const KINDS: Record<number, Kind> = {
  [DataType.FLOAT]: { name: "FLOAT", ctor: Float32Array, bytes: 4, field: "float_data" },
  [DataType.UINT8]: { name: "UINT8", ctor: Uint8Array, bytes: 1, field: "int32_data" },
  [DataType.INT8]: { name: "INT8", ctor: Int8Array, bytes: 1, field: "int32_data" },
  [DataType.UINT16]: { name: "UINT16", ctor: Uint16Array, bytes: 2, field: "int32_data" },
  [DataType.INT16]: { name: "INT16", ctor: Int16Array, bytes: 2, field: "int32_data" },
  [DataType.INT32]: { name: "INT32", ctor: Int32Array, bytes: 4, field: "int32_data" },
  [DataType.INT64]: { name: "INT64", ctor: BigInt64Array, bytes: 8, field: "int64_data" },
  [DataType.BOOL]: { name: "BOOL", ctor: Uint8Array, bytes: 1, field: "int32_data" },
  [DataType.FLOAT16]: { name: "FLOAT16", ctor: Uint16Array, bytes: 2, field: "int32_data" },
  [DataType.DOUBLE]: { name: "DOUBLE", ctor: Float64Array, bytes: 8, field: "double_data" },
  [DataType.UINT32]: { name: "UINT32", ctor: Uint32Array, bytes: 4, field: "uint64_data" },
  [DataType.UINT64]: { name: "UINT64", ctor: BigUint64Array, bytes: 8, field: "uint64_data" },
  [DataType.BFLOAT16]: { name: "BFLOAT16", ctor: Uint16Array, bytes: 2, field: "int32_data" },
};

/** The name of a TensorProto.DataType value, e.g. "FLOAT" for 1. */
export function dataTypeName(dataType: number): string {
  return KINDS[dataType]?.name ?? (Object.entries(DataType).find(([, v]) => v === dataType)?.[0] ?? `data type ${dataType}`);
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function decodeMessage<T>(type: { name: string; decode(bytes: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  if (!(bytes instanceof Uint8Array)) {
    throw new ModelFormatError(`${what}: expected the file's bytes as a Uint8Array, found ${bytes === null ? "null" : typeof bytes}`);
  }
  try {
    return type.decode(bytes);
  } catch (e) {
    throw new ModelFormatError(
      `${what}: the ${bytes.length} bytes are not a valid ${type.name} (protobuf: ${(e as Error).message}); ` +
        "the file is truncated or not ONNX",
    );
  }
}

/** Decodes an .onnx file. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const msg = decodeMessage<ModelMsg>(ModelMessage, bytes, "ONNX model");
  if (!hasOwn(msg, "ir_version")) throw new ModelFormatError("ONNX model: expected a ModelProto with an ir_version, found none (not an ONNX model?)");
  if (!msg.graph) throw new ModelFormatError("ONNX model: expected a ModelProto with a graph, found none (not an ONNX model?)");
  const irVersion = int64(msg.ir_version, "ModelProto.ir_version");
  // IR version 3 and later must name their operator sets (the ONNX checker's rule).
  if (irVersion >= 3 && msg.opset_import.length === 0) {
    throw new ModelFormatError(`ONNX model: expected opset_import entries for IR version ${irVersion}, found none (truncated?)`);
  }
  return {
    irVersion,
    opsetImports: msg.opset_import.map((o) => ({ domain: o.domain, version: int64(o.version, `opset_import "${o.domain}".version`) })),
    graph: graphFromMessage(msg.graph),
  };
}

/** Decodes one serialized TensorProto (e.g. ONNX test data input_0.pb). */
export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const t = tensorFromMessage(decodeMessage<TensorMsg>(TensorMessage, bytes, "ONNX tensor"));
  if (t.external) {
    throw new UnsupportedError(
      `tensor "${t.name}": its data are stored outside it, in "${t.external.location}"; a lone TensorProto cannot name that ` +
        "file (load the model with loadModel, which reads external data)",
    );
  }
  return t;
}

/**
 * Reads a tensor's external data from the bytes of its file: checks the byte range against the
 * file and the dims, and returns the tensor with its data (little-endian, as raw_data).
 */
export function readExternalData(t: OnnxTensor, file: Uint8Array): OnnxTensor {
  const ref = t.external;
  if (!ref) return t;
  const kind = KINDS[t.dataType];
  const count = t.dims.reduce((a, b) => a * b, 1);
  const need = count * kind.bytes;
  const where = `tensor "${t.name}" (external data "${ref.location}")`;
  const length = ref.length ?? file.length - ref.offset;
  if (ref.offset > file.length || ref.offset + length > file.length) {
    throw new ModelFormatError(`${where}: expected bytes ${ref.offset}..${ref.offset + length} of the file, which has ${file.length} bytes (truncated or the wrong file?)`);
  }
  if (length !== need) {
    throw new ModelFormatError(`${where}: dims [${t.dims.join(", ")}] of ${kind.name} need ${need} bytes, the external range holds ${length}`);
  }
  return { name: t.name, dims: t.dims, dataType: t.dataType, data: fromLittleEndian(file.subarray(ref.offset, ref.offset + length), kind, count) };
}

function graphFromMessage(g: GraphMsg): OnnxGraph {
  const where = `graph "${g.name}"`;
  return {
    name: g.name,
    nodes: g.node.map((n, i) => nodeFromMessage(n, `${where} node ${i}`)),
    initializers: g.initializer.map(tensorFromMessage),
    inputs: g.input.map(valueInfoFromMessage),
    outputs: g.output.map(valueInfoFromMessage),
  };
}

function nodeFromMessage(n: NodeMsg, where: string): OnnxNode {
  const label = `${where} (${n.op_type || "no op_type"}${n.name ? ` "${n.name}"` : ""})`;
  if (!n.op_type) throw new ModelFormatError(`${label}: expected an op_type, found none`);
  const attributes = new Map<string, OnnxAttribute>();
  for (const a of n.attribute) {
    if (attributes.has(a.name)) throw new ModelFormatError(`${label}: attribute "${a.name}" appears twice`);
    attributes.set(a.name, attributeFromMessage(a, `${label} attribute "${a.name}"`));
  }
  return { name: n.name, opType: n.op_type, domain: n.domain, inputs: [...n.input], outputs: [...n.output], attributes };
}

function attributeFromMessage(a: AttributeMsg, where: string): OnnxAttribute {
  const T = AttributeType;
  // IR versions before 2 had no `type`: infer it from the field that is set.
  const type = a.type || inferAttributeType(a, where);
  switch (type) {
    case T.FLOAT: return { type: "float", value: a.f };
    case T.INT: return { type: "int", value: attributeInt(a.i) };
    case T.STRING: return { type: "string", value: utf8(a.s, where) };
    case T.TENSOR:
      if (!a.t) throw new ModelFormatError(`${where}: type TENSOR but no tensor`);
      return { type: "tensor", value: tensorFromMessage(a.t) };
    case T.GRAPH:
      if (!a.g) throw new ModelFormatError(`${where}: type GRAPH but no graph`);
      return { type: "graph", value: graphFromMessage(a.g) };
    case T.FLOATS: return { type: "floats", value: [...a.floats] };
    case T.INTS: return { type: "ints", value: a.ints.map(attributeInt) };
    case T.STRINGS: return { type: "strings", value: a.strings.map((s) => utf8(s, where)) };
    case T.TENSORS: return { type: "tensors", value: a.tensors.map(tensorFromMessage) };
    case T.GRAPHS: return { type: "graphs", value: a.graphs.map(graphFromMessage) };
    case T.SPARSE_TENSOR: case T.SPARSE_TENSORS: case T.TYPE_PROTO: case T.TYPE_PROTOS: {
      const kind = Object.entries(T).find(([, v]) => v === type)![0];
      return { type: "unsupported", kind };
    }
    default:
      throw new ModelFormatError(`${where}: expected an AttributeType 1–14, found ${type}`);
  }
}

function inferAttributeType(a: AttributeMsg, where: string): number {
  const T = AttributeType;
  if (hasOwn(a, "f")) return T.FLOAT;
  if (hasOwn(a, "i")) return T.INT;
  if (hasOwn(a, "s")) return T.STRING;
  if (a.t) return T.TENSOR;
  if (a.g) return T.GRAPH;
  if (a.floats.length) return T.FLOATS;
  if (a.ints.length) return T.INTS;
  if (a.strings.length) return T.STRINGS;
  if (a.tensors.length) return T.TENSORS;
  if (a.graphs.length) return T.GRAPHS;
  throw new ModelFormatError(`${where}: expected a type and a value, found neither`);
}

function valueInfoFromMessage(v: ValueInfoMsg): OnnxValueInfo {
  const tensor = v.type?.tensor_type;
  const shape = tensor?.shape;
  const dims = (shape?.dim ?? []).map((d): number | string =>
    hasOwn(d, "dim_value") ? int64(d.dim_value!, `value "${v.name}" dims`) : hasOwn(d, "dim_param") ? d.dim_param! : "?",
  );
  return { name: v.name, elemType: tensor?.elem_type ?? 0, dims, hasShape: !!shape };
}

/** A decoded TensorProto message (an initializer, an attribute value or a whole .pb file) as an OnnxTensor. */
export function tensorFromMessage(t: TensorMsg): OnnxTensor {
  const label = `tensor "${t.name}"`;
  if (t.segment) throw new UnsupportedError(`${label}: segmented tensors are not supported`);
  const kind = KINDS[t.data_type];
  if (!kind) {
    if (!t.data_type) throw new ModelFormatError(`${label}: expected a data_type, found none (not a TensorProto?)`);
    throw new UnsupportedError(`${label}: data type ${dataTypeName(t.data_type)} is not supported`);
  }
  const dims = t.dims.map((d) => {
    const n = int64(d, `${label} dims`);
    if (n < 0) throw new ModelFormatError(`${label}: expected dims ≥ 0, found [${t.dims.join(", ")}]`);
    return n;
  });
  if (t.data_location === DATA_LOCATION_EXTERNAL) {
    return { name: t.name, dims, dataType: t.data_type, data: new kind.ctor(0), external: externalRef(t, label) };
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const shape = `dims [${dims.join(", ")}] (${count} values)`;
  let data: OnnxTensorData;
  if (hasOwn(t, "raw_data")) {
    if (t.raw_data.length !== count * kind.bytes) {
      throw new ModelFormatError(`${label}: ${shape} of ${kind.name} need ${count * kind.bytes} bytes of raw_data, found ${t.raw_data.length}`);
    }
    data = fromLittleEndian(t.raw_data, kind, count);
  } else {
    const values = t[kind.field];
    if (values.length !== count) {
      throw new ModelFormatError(`${label}: ${shape} of ${kind.name} need ${count} values in ${kind.field}, found ${values.length}`);
    }
    data = fromTypedField(values, kind);
  }
  return { name: t.name, dims, dataType: t.data_type, data };
}

// external_data is string key/value pairs: location (required), offset and length in bytes.
function externalRef(t: TensorMsg, label: string): ExternalDataRef {
  const get = (key: string) => t.external_data.find((e) => e.key === key)?.value;
  const location = get("location");
  if (!location) throw new ModelFormatError(`${label}: its data are stored externally, but external_data names no location`);
  const bytes = (key: string): number | undefined => {
    const v = get(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) throw new ModelFormatError(`${label}: external_data ${key}: expected a byte count, found "${v}"`);
    return n;
  };
  return { location, offset: bytes("offset") ?? 0, length: bytes("length") };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** raw_data: little-endian at any byte offset; copied into an aligned buffer of our own. */
function fromLittleEndian(raw: Uint8Array, kind: Kind, count: number): OnnxTensorData {
  const bytes = new Uint8Array(raw.length); // not raw.slice(): on a Node Buffer that is a view
  bytes.set(raw);
  if (!LITTLE_ENDIAN_HOST && kind.bytes > 1) {
    for (let i = 0; i < bytes.length; i += kind.bytes) bytes.subarray(i, i + kind.bytes).reverse();
  }
  return new kind.ctor(bytes.buffer, 0, count);
}

function fromTypedField(values: readonly (number | Int64)[], kind: Kind): OnnxTensorData {
  const out = new kind.ctor(values.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) out[i] = int64ToBigInt(values[i] as Int64, out instanceof BigUint64Array);
  } else if (kind.field === "uint64_data") {
    for (let i = 0; i < values.length; i++) out[i] = Number(int64ToBigInt(values[i] as Int64, true));
  } else {
    // int32_data holds the narrower integer types and the bits of FLOAT16/BFLOAT16.
    for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
  }
  return out;
}

/** The tensor's values as float32 (FLOAT data are returned as they are, not copied). */
export function tensorToFloat32(t: OnnxTensor): Float32Array {
  const d = t.data;
  if (t.dataType === DataType.FLOAT) return d as Float32Array;
  if (t.dataType === DataType.FLOAT16) return Float32Array.from(d as Uint16Array, halfToFloat);
  if (t.dataType === DataType.BFLOAT16) {
    const bits = new Uint32Array(d.length);
    for (let i = 0; i < d.length; i++) bits[i] = (d as Uint16Array)[i] << 16;
    return new Float32Array(bits.buffer);
  }
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float32Array.from(d, Number);
  return Float32Array.from(d as ArrayLike<number>);
}

/** The tensor's integer values as int32; values outside int32 are a ModelFormatError. */
export function tensorToInt32(t: OnnxTensor): Int32Array {
  const d = t.data;
  if (t.dataType === DataType.INT32) return d as Int32Array;
  const integer = [DataType.INT64, DataType.UINT64, DataType.UINT32, DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.BOOL];
  if (!(integer as number[]).includes(t.dataType)) {
    throw new ModelFormatError(`tensor "${t.name}": expected an integer tensor, found ${dataTypeName(t.dataType)}`);
  }
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    if (v < -2147483648 || v > 2147483647) {
      throw new ModelFormatError(`tensor "${t.name}": value ${d[i]} at index ${i} does not fit in int32`);
    }
    out[i] = v;
  }
  return out;
}


function int64ToBigInt(v: Int64, unsigned: boolean): bigint {
  const big = typeof v === "number" ? BigInt(v) : (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big);
}

/**
 * An int64 attribute value as a JS number, saturated to ±(2^53 − 1): attributes use INT64_MAX
 * and INT64_MIN as "to the end" (Slice ends, which torch writes), and every size, axis or index
 * that means more than a sentinel is far smaller.
 */
function attributeInt(v: Int64): number {
  const big = typeof v === "number" ? BigInt(v) : int64ToBigInt(v, v.unsigned);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(big > max ? max : big < -max ? -max : big);
}

/** An int64 field as a JS number; beyond ±(2^53 − 1) it would lose precision, so that is an error. */
function int64(v: Int64, where: string): number {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new ModelFormatError(`${where}: expected an integer within ±2^53, found ${v}`);
    return v;
  }
  const big = int64ToBigInt(v, v.unsigned);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ModelFormatError(`${where}: expected an integer within ±2^53, found ${big}`);
  }
  return Number(big);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Uint8Array, where: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ModelFormatError(`${where}: expected a UTF-8 string, found invalid UTF-8 bytes`);
  }
}
