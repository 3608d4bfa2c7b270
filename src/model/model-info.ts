// ModelInfo of a sequential model: inputs, outputs, and per stage its sizes, parameter count,
// packed bytes and the kernels it runs (what `rnn-wasm inspect` prints).
import type { IOInfo, LayerInfo, ModelInfo } from "./rnn-model.js";
import type { Stage } from "./stage.js";

export function sequentialInfo(
  stages: readonly Stage[], names: readonly string[], format: string, batchFirst: boolean, inputSize: number, outputSize: number,
): ModelInfo {
  const seq = (...rest: (number | string)[]) => (batchFirst ? ["B", "T", ...rest] : ["T", "B", ...rest]);
  const tokens = stages[0].kind === "embedding";
  const collapsed = stages.some((s) => (s.kind === "recurrent" && !s.returnSequences) || s.kind === "lastStep");
  const layers: LayerInfo[] = [];
  const outputs: IOInfo[] = [{ name: "output", kind: "features", dims: collapsed ? ["B", outputSize] : seq(outputSize) }];
  let k = 0;
  stages.forEach((s, i) => {
    const name = names[i] ?? `${i}`;
    switch (s.kind) {
      case "embedding": {
        const e = s.embedding;
        layers.push({ name, type: "Embedding", detail: `vocab ${e.vocabSize}, dim ${e.dim}${s.maskZero ? ", mask_zero" : ""}`, parameters: e.vocabSize * e.dim, bytes: e.weightBytes, kernels: [] });
        break;
      }
      case "masking":
        layers.push({ name, type: "Masking", detail: `mask value ${s.maskValue}`, parameters: 0, bytes: 0, kernels: [] });
        break;
      case "recurrent": {
        const sp = s.layer.spec;
        const parts = [sp.direction, `I=${sp.inputSize}`, `H=${sp.hiddenSize}`];
        if (sp.projSize) parts.push(`proj=${sp.projSize}`);
        if (sp.dirs === 2 && s.merge !== "concat") parts.push(`merge ${s.merge}`);
        if (s.goBackwards) parts.push("go_backwards");
        if (!s.returnSequences) parts.push("last output only");
        if (sp.cell === "gru") parts.push(`linear_before_reset=${sp.linearBeforeReset ? 1 : 0}`);
        const acts = sp.activations[0].map((a) => a.name).join("/");
        parts.push(acts);
        layers.push({
          name, type: sp.cell.toUpperCase(), detail: parts.join(", "), parameters: sp.parameters, bytes: s.layer.weightBytes,
          kernels: ["f32_gemm_2x16", `f32_${sp.cell}_seq`],
        });
        outputs.push({ name: `state.${k}.h`, kind: "features", dims: [sp.dirs, "B", sp.stateSize] });
        if (sp.cell === "lstm") outputs.push({ name: `state.${k}.c`, kind: "features", dims: [sp.dirs, "B", sp.hiddenSize] });
        k++;
        break;
      }
      case "dense": {
        const d = s.dense;
        layers.push({
          name, type: "Dense", detail: `${d.inputSize} → ${d.outputSize}${d.activation ? `, ${d.activation.name}` : ""}`, parameters: d.parameters,
          bytes: d.weightBytes, kernels: d.activation ? ["f32_gemm_2x16", "f32_activation"] : ["f32_gemm_2x16"],
        });
        break;
      }
      case "activation":
        layers.push({ name, type: "Activation", detail: s.activation.name, parameters: 0, bytes: 0, kernels: ["f32_activation"] });
        break;
      case "softmax":
        layers.push({ name, type: s.log ? "LogSoftmax" : "Softmax", detail: "", parameters: 0, bytes: 0, kernels: ["f32_softmax"] });
        break;
      case "lastStep":
        layers.push({ name, type: "LastStep", detail: "t = T − 1", parameters: 0, bytes: 0, kernels: [] });
    }
  });
  return {
    format,
    inputs: [{ name: "input", kind: tokens ? "tokens" : "features", dims: tokens ? seq() : seq(inputSize) }],
    outputs,
    layers,
    parameters: layers.reduce((n, l) => n + l.parameters, 0),
    bytes: layers.reduce((n, l) => n + l.bytes, 0),
    streamable: stages.every((s) => s.kind !== "recurrent" || s.layer.spec.direction === "forward"),
  };
}
