// The subset of onnx.proto (package onnx, proto2) that the ONNX importer reads, as a protobufjs
// reflection root. The descriptor lives in onnx-schema.json (shared with the fixture generator
// scripts/fixtures/onnxruntime-fixtures.mjs); names and field numbers are ONNX's own.
import protobuf from "protobufjs/light.js";
import descriptor from "./onnx-schema.json" with { type: "json" };

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

export const ModelProto = root.lookupType("onnx.ModelProto");
export const GraphProto = root.lookupType("onnx.GraphProto");
export const NodeProto = root.lookupType("onnx.NodeProto");
export const AttributeProto = root.lookupType("onnx.AttributeProto");
export const TensorProto = root.lookupType("onnx.TensorProto");
export const ValueInfoProto = root.lookupType("onnx.ValueInfoProto");

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

// Decoded messages as protobufjs builds them: snake_case field names as in onnx.proto; int64
// fields are a number or a Long-like { low, high, unsigned }; an unset singular field reads as
// its default, so presence is tested with hasOwnProperty where it matters.
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
