// `rnn-wasm inspect MODEL`: layers, shapes, parameter count, bytes, and the kernels that run.
import type { Runtime } from "../runtime/runtime.js";
import { loadModelFile } from "./load-model.js";

export async function inspectCommand(path: string, json: boolean, runtime: Runtime): Promise<void> {
  const { model, format } = await loadModelFile(path, runtime);
  const info = model.info();
  model.dispose();
  if (json) {
    process.stdout.write(`${JSON.stringify({ file: path, ...info, format })}\n`);
    return;
  }
  const dims = (d: (number | string)[]) => `[${d.join(", ")}]`;
  const lines = [`${path} (${format})`, ""];
  lines.push("inputs:", ...info.inputs.map((i) => `  ${i.name}  ${i.kind}  ${dims(i.dims)}`));
  lines.push("outputs:", ...info.outputs.map((o) => `  ${o.name}  ${dims(o.dims)}`), "");
  const table = [["layer", "type", "details", "parameters", "bytes", "kernels"]];
  for (const l of info.layers) table.push([l.name, l.type, l.detail, l.parameters.toLocaleString("en"), bytes(l.bytes), l.kernels.join(", ") || "host"]);
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  for (const r of table) lines.push(r.map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd());
  lines.push("", `total: ${info.parameters.toLocaleString("en")} parameters, ${bytes(info.bytes)} of packed weights; ${info.streamable ? "can stream one step at a time" : "needs whole sequences (not streamable)"}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}
