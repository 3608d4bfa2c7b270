// The subset of onnx.proto (package onnx, proto2) that the ONNX importer reads, as a protobufjs
// reflection root, for building ONNX messages in tests and fixture scripts (its encoders and
// decoders are compiled at run time, so the importer itself decodes with wire.ts). The
// descriptor lives in onnx-schema.json (shared with scripts/fixtures/onnxruntime-fixtures.mjs);
// names and field numbers are ONNX's own.
import protobuf from "protobufjs/light.js";
import descriptor from "./onnx-schema.json" with { type: "json" };

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

export const ModelProto = root.lookupType("onnx.ModelProto");
export const GraphProto = root.lookupType("onnx.GraphProto");
export const NodeProto = root.lookupType("onnx.NodeProto");
export const AttributeProto = root.lookupType("onnx.AttributeProto");
export const TensorProto = root.lookupType("onnx.TensorProto");
export const ValueInfoProto = root.lookupType("onnx.ValueInfoProto");

// Constants and decoded-message types live with the decoders (wire.ts); they are re-exported
// here for the tests and scripts that build ONNX messages with this reflection root.
export {
  AttributeType, DATA_LOCATION_EXTERNAL, DataType, type AttributeMsg, type GraphMsg, type Int64, type ModelMsg, type NodeMsg,
  type TensorMsg, type ValueInfoMsg,
} from "./wire.js";
