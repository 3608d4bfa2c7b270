// ModelInfo of an imported ONNX graph: inputs and outputs with their declared (symbolic) dims,
// and per executed node its type, sizes, parameters, packed bytes and kernels. Nodes folded
// at load time are not listed: they no longer run.
import type { IOInfo, LayerInfo, ModelInfo } from "../../model/rnn-model.js";
import type { Plan, Step } from "./plan.js";
import type { OnnxAttribute, OnnxValueInfo } from "./proto.js";
import { dtypeOf } from "./value.js";

function io(v: OnnxValueInfo): IOInfo {
  const dtype = dtypeOf(v.elemType);
  return { name: v.name, kind: dtype === "int64" || dtype === "int32" ? "tokens" : "features", dims: [...v.dims] };
}

function attributeText(name: string, a: OnnxAttribute): string | undefined {
  switch (a.type) {
    case "int": case "float": return `${name} ${a.value}`;
    case "string": return `${name} ${a.value}`;
    case "ints": case "floats": return a.value.length <= 8 ? `${name} [${a.value.join(", ")}]` : `${name} [${a.value.length} values]`;
    case "tensor": return `${name} [${a.value.dims.join(", ")}]`;
    default: return undefined;
  }
}

/** Host ops: their attributes, and the dims of the constants they keep (e.g. an embedding table). */
function hostDetail(plan: Plan, s: Step): string {
  const parts = [...s.node.attributes].flatMap(([k, a]) => attributeText(k, a) ?? []);
  s.node.inputs.forEach((x) => {
    const c = x === "" ? undefined : plan.constants.get(x);
    if (c && c.data.length > 1) parts.push(`constant [${c.dims.join(", ")}]`);
  });
  return parts.join(", ");
}

export function graphInfo(plan: Plan, streamable: boolean): ModelInfo {
  const layers: LayerInfo[] = plan.steps.map((s) => ({
    name: s.name,
    type: s.node.opType === "MatMul" && s.node.inputs.length === 3 ? "MatMul+Add" : s.node.opType,
    detail: s.runner.detail ?? hostDetail(plan, s),
    parameters: (s.runner.parameters ?? 0) + s.hostParameters,
    bytes: s.runner.bytes ?? 0,
    kernels: s.runner.kernels ?? [],
  }));
  return {
    format: "onnx",
    inputs: plan.inputs.map(io),
    outputs: plan.outputs.map(io),
    layers,
    parameters: layers.reduce((n, l) => n + l.parameters, 0),
    bytes: layers.reduce((n, l) => n + l.bytes, 0),
    streamable,
  };
}
