// `rnn-wasm run MODEL --input FILE`: any supported model on an input given as JSON, .npy or CSV;
// outputs as JSON (stdout or a file) or .npy. --stream feeds the input one step at a time.
import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import type { Feeds, IOInfo, RnnModel, TokenTensor } from "../model/rnn-model.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Tensor } from "../tensor.js";
import { type LoadedArray, isNpy, outputsToJson, readCsv, readJson, readNpy, writeNpy } from "./io.js";
import { loadModelFile } from "./load-model.js";
import { progress } from "./progress.js";

export interface RunArgs {
  input?: string;
  output?: string;
  stream?: boolean;
  lengths?: string;
  json?: boolean;
}

export async function runCommand(path: string, a: RunArgs, runtime: Runtime): Promise<void> {
  if (!a.input) throw new InvalidArgumentError("run: --input FILE is required (JSON, .npy or CSV)");
  const arrays = readInput(a.input);
  const { model } = await loadModelFile(path, runtime);
  try {
    const info = model.info();
    const feeds = toFeeds(arrays, info.inputs);
    const lens = a.lengths?.split(",").map((s) => Number(s.trim()));
    const outputs = a.stream ? { output: streamRun(model, feeds, info.inputs[0]) } : await model.runNamed(feeds, { sequenceLens: lens });
    writeOutputs(outputs, a.output);
  } finally {
    model.dispose();
  }
}

function readInput(file: string): Record<string, LoadedArray> {
  const bytes = readFileSync(file);
  const ext = extname(file).toLowerCase();
  if (ext === ".npy" || isNpy(bytes)) return { input: readNpy(bytes, file) };
  if (ext === ".csv") return { input: readCsv(bytes.toString("utf8"), file) };
  return readJson(bytes.toString("utf8"), file);
}

/** Names the arrays after the model's inputs (a lone array goes to a lone input). */
function toFeeds(arrays: Record<string, LoadedArray>, inputs: IOInfo[]): Feeds {
  const names = Object.keys(arrays);
  const feeds: Feeds = {};
  if (names.length === 1 && inputs.length === 1) {
    feeds[inputs[0].name] = convert(arrays[names[0]], inputs[0]);
    return feeds;
  }
  for (const i of inputs) {
    const arr = arrays[i.name];
    if (arr) feeds[i.name] = convert(arr, i);
  }
  const unknown = names.filter((n) => !inputs.some((i) => i.name === n));
  if (unknown.length) throw new InvalidArgumentError(`input names ${unknown.join(", ")} are not inputs of the model (${inputs.map((i) => i.name).join(", ")})`);
  return feeds;
}

function convert(a: LoadedArray, io: IOInfo): Tensor | TokenTensor {
  if (io.kind === "tokens") return { data: a.data, dims: a.dims };
  return { data: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), dims: a.dims };
}

/** Steps through the time axis of the single input; stacks the per-step outputs like the input. */
function streamRun(model: RnnModel, feeds: Feeds, io: IOInfo): Tensor {
  const x = feeds[io.name];
  const batchFirst = io.dims[0] === "B";
  const [T, B] = batchFirst ? [x.dims[1], x.dims[0]] : [x.dims[0], x.dims[1]];
  if (x.dims.length < 2 || !(T >= 0) || !(B >= 1)) throw new ShapeError(`--stream: input dims [${x.dims}] have no [T, B] axes`);
  const F = x.dims.length > 2 ? x.dims[2] : 1;
  const stream = model.stream({ batchSize: B });
  const step = new (x.data instanceof Float32Array ? Float32Array : Int32Array)(B * F);
  const rows: Float32Array[] = [];
  const bar = progress("stream", T);
  try {
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const from = (batchFirst ? b * T + t : t * B + b) * F;
        for (let j = 0; j < F; j++) step[b * F + j] = Number(x.data[from + j]);
      }
      rows.push(stream.step(step).slice());
      bar.update(t + 1);
    }
  } finally {
    bar.end();
    stream.dispose();
  }
  const O = rows.length ? rows[0].length / B : 0;
  const data = new Float32Array(T * B * O);
  rows.forEach((r, t) => {
    for (let b = 0; b < B; b++) data.set(r.subarray(b * O, (b + 1) * O), (batchFirst ? b * T + t : t * B + b) * O);
  });
  return { data, dims: batchFirst ? [B, T, O] : [T, B, O] };
}

function writeOutputs(outputs: Record<string, Tensor>, file: string | undefined): void {
  if (!file) {
    process.stdout.write(`${outputsToJson(outputs)}\n`);
    return;
  }
  if (extname(file).toLowerCase() === ".npy") {
    const names = Object.keys(outputs);
    const main = names.includes("output") ? "output" : names[0];
    writeFileSync(file, writeNpy(outputs[main]));
    for (const n of names) if (n !== main) writeFileSync(file.replace(/\.npy$/i, `.${n.replace(/[^\w.-]+/g, "_")}.npy`), writeNpy(outputs[n]));
    return;
  }
  writeFileSync(file, `${outputsToJson(outputs)}\n`);
}
