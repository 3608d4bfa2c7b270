// Decoders for the subset of onnx.proto (proto2) the importer reads, over protobufjs's minimal
// Reader — written out per message, as protobufjs's static code generator would, because its
// reflection decoders are compiled with new Function() at run time, which Cloudflare Workers
// and pages with a strict Content-Security-Policy forbid. Field numbers are onnx.proto's (the
// same as onnx-schema.json, which schema.ts uses to encode test models); unknown fields are
// skipped; repeated scalars are read packed or not, as proto2 allows both.
import protobuf from "protobufjs/minimal.js";

type Reader = protobuf.Reader;

/** TensorProto.DataType values (onnx.proto). */
export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType values (onnx.proto). */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation.EXTERNAL: the data sit in a file beside the model. */
export const DATA_LOCATION_EXTERNAL = 1;

// Decoded messages: snake_case field names as in onnx.proto; int64 fields are a number or a
// Long { low, high, unsigned }; a field that matters by presence (ir_version, raw_data, f/i/s,
// dim_value/dim_param) is an own property only when the message had it (else its default is
// inherited).
export type Int64 = number | { low: number; high: number; unsigned: boolean };

export interface TensorMsg {
  dims: Int64[];
  data_type: number;
  segment?: { begin: Int64; end: Int64 } | null;
  float_data: number[];
  int32_data: number[];
  string_data: Uint8Array[];
  int64_data: Int64[];
  name: string;
  raw_data: Uint8Array;
  double_data: number[];
  uint64_data: Int64[];
  external_data: { key: string; value: string }[];
  data_location: number;
}

export interface GraphMsg {
  node: NodeMsg[];
  name: string;
  initializer: TensorMsg[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
}

export interface NodeMsg {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeMsg[];
}

export interface AttributeMsg {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorMsg | null;
  g?: GraphMsg | null;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorMsg[];
  graphs: GraphMsg[];
}

export interface ValueInfoMsg {
  name: string;
  type?: {
    tensor_type?: { elem_type: number; shape?: { dim: { dim_value?: Int64; dim_param?: string }[] } | null } | null;
  } | null;
}

export interface ModelMsg {
  ir_version: Int64;
  opset_import: { domain: string; version: Int64 }[];
  graph?: GraphMsg | null;
}

// Fields that matter by presence are read through these prototypes when absent (as protobufjs's
// own messages do): the default value, but no own property. (Not frozen: an own value is
// assigned over them.)
const MODEL_DEFAULTS = { ir_version: 0 };
const TENSOR_DEFAULTS = { raw_data: new Uint8Array(0) };
const ATTRIBUTE_DEFAULTS = { f: 0, i: 0, s: new Uint8Array(0) };

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
/** Nesting beyond this (graphs inside attributes inside graphs …) is refused, as protobufjs does. */
const MAX_DEPTH = 64;

/**
 * Reads the fields of one message that ends at `end`: `field(number, wireType)` consumes a
 * field it knows and returns true; others are skipped.
 */
function fields(r: Reader, end: number, field: (n: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.tag();
    const n = tag >>> 3;
    const wire = tag & 7;
    if (n === 0) throw Error("illegal tag: field number 0");
    if (!field(n, wire)) r.skipType(wire);
  }
  if (r.pos !== end) throw RangeError(`index out of range: a message runs ${r.pos - end} bytes past its end`);
}

function want(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw Error(`${what}: wire type ${wire}, expected ${expected}`);
}

/** The end offset of a length-delimited submessage starting at the reader's position. */
function sub(r: Reader, wire: number, what: string): number {
  want(wire, LEN, what);
  const len = r.uint32();
  if (r.pos + len > r.len) throw RangeError(`index out of range: ${what} needs ${len} bytes, ${r.len - r.pos} remain`);
  return r.pos + len;
}

/** A repeated scalar: packed (one length-delimited run) or one value per field. */
function repeated<T>(wire: number, single: number, into: T[], one: () => T, packed: (into: T[]) => void): void {
  if (wire === LEN) packed(into);
  else {
    want(wire, single, "repeated field");
    into.push(one());
  }
}

function stringEntry(r: Reader, end: number): { key: string; value: string } {
  const e = { key: "", value: "" };
  fields(r, end, (n, w) => {
    if (n === 1 || n === 2) {
      want(w, LEN, "StringStringEntryProto");
      e[n === 1 ? "key" : "value"] = r.string();
      return true;
    }
    return false;
  });
  return e;
}

function tensor(r: Reader, end: number): TensorMsg {
  const t: TensorMsg = Object.assign(Object.create(TENSOR_DEFAULTS) as TensorMsg, {
    dims: [], data_type: 0, segment: null, float_data: [], int32_data: [], string_data: [], int64_data: [], name: "",
    double_data: [], uint64_data: [], external_data: [], data_location: 0,
  });
  fields(r, end, (n, w) => {
    switch (n) {
      case 1: repeated(w, VARINT, t.dims, () => r.int64(), (a) => r.int64s(a)); return true;
      case 2: want(w, VARINT, "data_type"); t.data_type = r.int32(); return true;
      case 3: {
        const s = { begin: 0 as Int64, end: 0 as Int64 };
        fields(r, sub(r, w, "segment"), (k, kw) => {
          if (k !== 1 && k !== 2) return false;
          want(kw, VARINT, "segment");
          s[k === 1 ? "begin" : "end"] = r.int64();
          return true;
        });
        t.segment = s;
        return true;
      }
      case 4: repeated(w, I32, t.float_data, () => r.float(), (a) => r.floats(a)); return true;
      case 5: repeated(w, VARINT, t.int32_data, () => r.int32(), (a) => r.int32s(a)); return true;
      case 6: want(w, LEN, "string_data"); t.string_data.push(r.bytes()); return true;
      case 7: repeated(w, VARINT, t.int64_data, () => r.int64(), (a) => r.int64s(a)); return true;
      case 8: want(w, LEN, "name"); t.name = r.string(); return true;
      case 9: want(w, LEN, "raw_data"); t.raw_data = r.bytes(); return true;
      case 10: repeated(w, I64, t.double_data, () => r.double(), (a) => r.doubles(a)); return true;
      case 11: repeated(w, VARINT, t.uint64_data, () => r.uint64(), (a) => r.uint64s(a)); return true;
      case 13: t.external_data.push(stringEntry(r, sub(r, w, "external_data"))); return true;
      case 14: want(w, VARINT, "data_location"); t.data_location = r.int32(); return true;
      default: return false;
    }
  });
  return t;
}

function valueInfo(r: Reader, end: number): ValueInfoMsg {
  const v: ValueInfoMsg = { name: "", type: null };
  fields(r, end, (n, w) => {
    if (n === 1) {
      want(w, LEN, "ValueInfoProto.name");
      v.name = r.string();
      return true;
    }
    if (n !== 2) return false;
    const type: NonNullable<ValueInfoMsg["type"]> = { tensor_type: null };
    fields(r, sub(r, w, "TypeProto"), (k, kw) => {
      if (k !== 1) return false;
      const tt: NonNullable<typeof type.tensor_type> = { elem_type: 0, shape: null };
      fields(r, sub(r, kw, "TypeProto.Tensor"), (j, jw) => {
        if (j === 1) {
          want(jw, VARINT, "elem_type");
          tt.elem_type = r.int32();
          return true;
        }
        if (j !== 2) return false;
        const shape: { dim: { dim_value?: Int64; dim_param?: string }[] } = { dim: [] };
        fields(r, sub(r, jw, "TensorShapeProto"), (d, dw) => {
          if (d !== 1) return false;
          const dim: { dim_value?: Int64; dim_param?: string } = {};
          fields(r, sub(r, dw, "Dimension"), (x, xw) => {
            if (x === 1) (want(xw, VARINT, "dim_value"), (dim.dim_value = r.int64()));
            else if (x === 2) (want(xw, LEN, "dim_param"), (dim.dim_param = r.string()));
            else return false;
            return true;
          });
          shape.dim.push(dim);
          return true;
        });
        tt.shape = shape;
        return true;
      });
      type.tensor_type = tt;
      return true;
    });
    v.type = type;
    return true;
  });
  return v;
}

function attribute(r: Reader, end: number, depth: number): AttributeMsg {
  const a: AttributeMsg = Object.assign(Object.create(ATTRIBUTE_DEFAULTS) as AttributeMsg, {
    name: "", type: 0, t: null, g: null, floats: [], ints: [], strings: [], tensors: [], graphs: [],
  });
  fields(r, end, (n, w) => {
    switch (n) {
      case 1: want(w, LEN, "name"); a.name = r.string(); return true;
      case 2: want(w, I32, "f"); a.f = r.float(); return true;
      case 3: want(w, VARINT, "i"); a.i = r.int64(); return true;
      case 4: want(w, LEN, "s"); a.s = r.bytes(); return true;
      case 5: a.t = tensor(r, sub(r, w, "t")); return true;
      case 6: a.g = graph(r, sub(r, w, "g"), depth + 1); return true;
      case 7: repeated(w, I32, a.floats, () => r.float(), (x) => r.floats(x)); return true;
      case 8: repeated(w, VARINT, a.ints, () => r.int64(), (x) => r.int64s(x)); return true;
      case 9: want(w, LEN, "strings"); a.strings.push(r.bytes()); return true;
      case 10: a.tensors.push(tensor(r, sub(r, w, "tensors"))); return true;
      case 11: a.graphs.push(graph(r, sub(r, w, "graphs"), depth + 1)); return true;
      case 20: want(w, VARINT, "type"); a.type = r.int32(); return true;
      default: return false;
    }
  });
  return a;
}

function node(r: Reader, end: number, depth: number): NodeMsg {
  const m: NodeMsg = { input: [], output: [], name: "", op_type: "", domain: "", attribute: [] };
  fields(r, end, (n, w) => {
    switch (n) {
      case 1: want(w, LEN, "input"); m.input.push(r.string()); return true;
      case 2: want(w, LEN, "output"); m.output.push(r.string()); return true;
      case 3: want(w, LEN, "name"); m.name = r.string(); return true;
      case 4: want(w, LEN, "op_type"); m.op_type = r.string(); return true;
      case 5: m.attribute.push(attribute(r, sub(r, w, "attribute"), depth)); return true;
      case 7: want(w, LEN, "domain"); m.domain = r.string(); return true;
      default: return false;
    }
  });
  return m;
}

function graph(r: Reader, end: number, depth: number): GraphMsg {
  if (depth > MAX_DEPTH) throw Error(`graphs nested more than ${MAX_DEPTH} deep`);
  const g: GraphMsg = { node: [], name: "", initializer: [], input: [], output: [] };
  fields(r, end, (n, w) => {
    switch (n) {
      case 1: g.node.push(node(r, sub(r, w, "node"), depth)); return true;
      case 2: want(w, LEN, "name"); g.name = r.string(); return true;
      case 5: g.initializer.push(tensor(r, sub(r, w, "initializer"))); return true;
      case 11: g.input.push(valueInfo(r, sub(r, w, "input"))); return true;
      case 12: g.output.push(valueInfo(r, sub(r, w, "output"))); return true;
      default: return false;
    }
  });
  return g;
}

function model(r: Reader, end: number): ModelMsg {
  const m: ModelMsg = Object.assign(Object.create(MODEL_DEFAULTS) as ModelMsg, { opset_import: [], graph: null });
  fields(r, end, (n, w) => {
    switch (n) {
      case 1: want(w, VARINT, "ir_version"); m.ir_version = r.int64(); return true;
      case 7: m.graph = graph(r, sub(r, w, "graph"), 0); return true;
      case 8: {
        const o = { domain: "", version: 0 as Int64 };
        fields(r, sub(r, w, "opset_import"), (k, kw) => {
          if (k === 1) (want(kw, LEN, "domain"), (o.domain = r.string()));
          else if (k === 2) (want(kw, VARINT, "version"), (o.version = r.int64()));
          else return false;
          return true;
        });
        m.opset_import.push(o);
        return true;
      }
      default: return false;
    }
  });
  return m;
}

/** The message types the importer decodes whole: a model file, or one tensor (ONNX test data). */
export const ModelMessage = { name: "ModelProto", decode: (bytes: Uint8Array): ModelMsg => model(protobuf.Reader.create(bytes), bytes.length) };
export const TensorMessage = { name: "TensorProto", decode: (bytes: Uint8Array): TensorMsg => tensor(protobuf.Reader.create(bytes), bytes.length) };
